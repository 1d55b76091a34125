"""The case page's takedown notices (the ZIP, the log with its forms, outcomes from re-checks) and the dashboard's
cases, referral-candidate, network and takedown counts, for staff only."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from cases_helpers import NIKE, shop_lead
from triage_helpers import PASSWORD, client_for, config_for, csrf_of, login

from cases.actors import ActorStore
from cases.db import CasesDB, cases_db_path
from cases.network import build_network
from cases.sources import ShopIndex
from leads.store.sqlite import SqliteLeadStore

pytestmark = pytest.mark.anyio


@pytest.fixture
def world(tmp_path: Path):
    from triage import seed_demo_users
    from triage.app import create_app

    config = config_for(tmp_path)
    leads = [shop_lead("taobao", "a", 1, contact="电话 13800138000", price=299.0, sales=400),
             shop_lead("jd", "b", 1, description="13800138000", title="耐克 <script>x</script>")]  # fmt: skip
    store = SqliteLeadStore(config.store_url.removeprefix("sqlite:///"))
    store.upsert_many(leads)
    index = ShopIndex().add_leads(leads)
    with CasesDB(cases_db_path(config.var_dir)) as db:
        ActorStore(db).replace_network(build_network(index.shops, index.sightings), index.leads)
    seed_demo_users(config, password=PASSWORD, owners=(NIKE,))
    app = create_app(config, store=store)
    yield app, leads, store
    app.state.triage.db.close()
    store.close()


def assert_download_audited(app, got, action: str, target: str, filename: str) -> dict:  # type: ignore[no-untyped-def]
    """The ZIP came as an attachment, uncached, and the audit trail holds its SHA-256 (triage.web.zip_download)."""
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert got.headers["content-disposition"] == f'attachment; filename="{filename}"'
    assert got.headers["cache-control"] == "no-store"
    (entry,) = [e for e in app.state.triage.audit.entries(target=target) if e.action == action]
    assert entry.actor == "investigator" and entry.after["sha256"] == hashlib.sha256(got.content).hexdigest()
    return entry.after


async def test_takedown_notices_from_the_case_page(world) -> None:
    app, leads, store = world
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get("/cases")
        made = await client.post("/cases", data={"csrf": csrf_of(page.text), "title": "耐克 两店",
                                                 "lead_ids": " ".join(x.lead_id for x in leads)})  # fmt: skip
        case_url = made.headers["location"]
        page = await client.get(case_url)
        assert 'id="case-takedown"' in page.text and 'id="case-package-pdf"' in page.text
        package = await client.get(case_url + "/package?pdf=1")  # the referral package with Chromium's PDFs
        case_id = case_url.rsplit("/", 1)[1]
        assert_download_audited(app, package, "case.package", f"case:{case_id}", f"{case_id}.zip")
        with zipfile.ZipFile(io.BytesIO(package.content)) as zf:
            assert sum(zf.read(n).startswith(b"%PDF-") for n in zf.namelist() if n.endswith(".pdf")) == 2
        token = csrf_of(page.text)
        assert (await client.post(case_url + "/takedown", data={})).status_code == 403  # no CSRF token
        got = await client.post(case_url + "/takedown", data={"csrf": token})
        audited = assert_download_audited(app, got, "case.takedown", f"case:{case_id}", f"{case_id}-takedown.zip")
        with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
            names = zf.namelist()
            html = zf.read(next(n for n in names if n.endswith("/notice.zh.html"))).decode()
        assert any("/alibaba_ipp/" in n for n in names) and any("/jd/" in n for n in names)
        assert "<script>x" not in html
        page = await client.get(case_url)
        notice_ids = re.findall(r'data-notice-id="(tn-[0-9a-f]+)"', page.text)
        assert len(notice_ids) == 2 and "草稿" in page.text
        assert sorted(audited["notices"]) == sorted(notice_ids)
        taobao = next(i for i in notice_ids if "taobao" in page.text.split(i, 2)[-1][:200])
        sent = await client.post(f"/notices/{taobao}/sent", data={"csrf": token, "ticket": "IPP-77"})
        assert sent.status_code == 303
        assert (await client.post(f"/notices/{taobao}/rejected", data={"csrf": token})).status_code == 400
        store.mark_taken_down(leads[0].lead_id, reason="404", at="2099-01-01T00:00:00Z")
        page = await client.get(case_url)
        assert "IPP-77" in page.text and "已下架 1" in page.text
        lead_page = await client.get(f"/leads/{leads[0].lead_id}")
        assert 'id="lead-notices"' in lead_page.text and taobao in lead_page.text and "已下架" in lead_page.text
        board = await client.get("/dashboard")
        assert 'id="case-figures"' in board.text
        assert re.search(r'data-status="clue">1<', board.text)
        assert re.search(r'id="fig-referral-candidates">1<', board.text)  # 400 × ¥299 sold: over ¥50,000
        assert re.search(r'id="fig-networks">1 ·', board.text)
        assert re.search(r'id="fig-removed">1<', board.text) and "已发送 1" in board.text
        await login(client, "viewer")
        assert 'id="case-figures"' not in (await client.get("/dashboard")).text
        assert (await client.post(f"/notices/{taobao}/withdrawn", data={"csrf": csrf_of(page.text)})).status_code in (
            403,
            404,
        )


async def test_public_summary_page_after_a_penalty(world) -> None:
    app, leads, _store = world
    async with client_for(app) as client:
        await login(client, "supervisor")
        page = await client.get("/cases")
        made = await client.post("/cases", data={"csrf": csrf_of(page.text), "title": "耐克 13800138000",
                                                 "lead_ids": " ".join(x.lead_id for x in leads)})  # fmt: skip
        case_url = made.headers["location"]
        token = csrf_of((await client.get(case_url)).text)
        assert (await client.get(case_url + "/public")).status_code == 400  # not closed after a penalty
        for status in ("filed", "investigating", "penalised", "closed"):
            moved = await client.post(case_url + "/status", data={"csrf": token, "status": status, "note": "罚款"})
            assert moved.status_code == 303
        page = await client.get(case_url)
        assert 'id="case-public"' in page.text
        public = await client.get(case_url + "/public")
        assert public.status_code == 200 and "13800138000" not in public.text and "〔已隐去〕" in public.text
        assert "<script>x" not in public.text and "&lt;script&gt;" in public.text
        await login(client, "viewer")
        assert (await client.get(case_url + "/public")).status_code in (403, 404)


async def test_takedown_notices_for_leads_ticked_in_the_queue(world) -> None:
    app, leads, _store = world
    async with client_for(app) as client:
        await login(client, "investigator")
        queue = await client.get("/")
        assert 'id="bulk-takedown"' in queue.text
        token = csrf_of(queue.text)
        got = await client.post("/takedown", data={"csrf": token, "lead_id": [x.lead_id for x in leads]})
        audited = assert_download_audited(app, got, "leads.takedown", "leads", "takedown.zip")
        with zipfile.ZipFile(io.BytesIO(got.content)) as zf:
            assert sum(n.endswith("/notice.json") for n in zf.namelist()) == 2
            assert all(n.startswith("takedown/") for n in zf.namelist())
            assert len(audited["notices"]) == 2 and all(
                f"/{i}/notice.json" in str(zf.namelist()) for i in audited["notices"]
            )
        assert (await client.post("/takedown", data={"csrf": token, "lead_id": ["ld-nope"]})).status_code == 400
        page = await client.get(f"/leads/{leads[0].lead_id}")
        (notice_id,) = re.findall(r'action="/notices/(tn-[0-9a-f]+)/sent"', page.text)
        sent = await client.post(f"/notices/{notice_id}/sent", data={"csrf": token, "ticket": "IPP-9"})
        assert sent.status_code == 303 and sent.headers["location"].startswith(f"/leads/{leads[0].lead_id}")
        page = await client.get(f"/leads/{leads[0].lead_id}")
        assert "IPP-9" in page.text and "已发送" in page.text
