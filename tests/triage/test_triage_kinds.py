"""Lead kinds in the triage UI (issue 20): the dashboard counts leads per kind, each count links to the queue filtered
by that kind, and the queue's kind filter shows only leads of the new kinds (licence_*, copyright) when asked."""

from __future__ import annotations

from dataclasses import replace

import pytest
from triage_helpers import client_for, login, make_lead

pytestmark = pytest.mark.anyio


async def test_the_dashboard_counts_leads_by_kind_and_links_to_the_filtered_queue(app, store, leads) -> None:
    pirated = [replace(make_lead(700 + n, entry="wk-three-body", score=90, title=f"三体 全集 PDF 网盘 {n}"),
                       kind="copyright") for n in range(3)]  # fmt: skip
    expired = [replace(make_lead(800, entry="reg:drug", score=65, title="双黄连口服液 国药准字Z20025678"),
                       kind="licence_expired")]  # fmt: skip
    store.upsert_many([*pirated, *expired])
    async with client_for(app) as client:
        await login(client, "supervisor")
        page = (await client.get("/dashboard")).text
        queue = (await client.get("/?kind=copyright")).text
        licences = (await client.get("/?kind=licence_expired")).text
    assert 'id="by-kind"' in page and "<title>copyright: 3</title>" in page
    assert '<a href="/?kind=copyright">' in page and '<span data-kind="copyright">3</span>' in page
    assert '<span data-kind="licence_expired">1</span>' in page
    assert f'<span data-kind="trademark">{len(leads)}</span>' in page
    assert all(lead.lead_id in queue for lead in pirated) and expired[0].lead_id not in queue
    assert leads[0].lead_id not in queue and expired[0].lead_id in licences
