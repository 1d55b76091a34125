"""The runs page: scheduled runs handed in by the command line and parcel imports (counts and dates, no personal
data) for investigators and supervisors; not for rights-holder viewers."""

from __future__ import annotations

from pathlib import Path

import pytest
from triage_helpers import PASSWORD, client_for, config_for, login

from parcels.synthetic import generate, write_manifest

pytestmark = pytest.mark.anyio


class Run:
    def __init__(self, job_id: str, outcome: str, message: str) -> None:
        self.job_id, self.kind, self.trigger, self.outcome, self.message = job_id, "crawl", "cron", outcome, message
        self.started_at, self.ended_at = "2026-11-30T01:00:00Z", "2026-11-30T01:05:00Z"
        self.pages, self.listings, self.new_leads, self.errors = 12, 240, 7, 1


async def test_runs_page_for_staff_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from netsword.cli import main
    from triage import seed_demo_users
    from triage.app import create_app

    config = config_for(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(config.var_dir))
    monkeypatch.setenv("NETSWORD_STORE_URL", config.store_url)
    monkeypatch.setenv("NETSWORD_PARCELS_PII_KEY", "another-key-0123456789")
    rows, _plan = generate(200, seed=5, n_fanout=1, n_consolidation=0, n_long=0, n_shared=0, n_authorised=0)
    write_manifest(rows, tmp_path / "m.csv")
    assert main(["parcels", "import", str(tmp_path / "m.csv"), "--courier", "generic"]) == 0
    seed_demo_users(config, password=PASSWORD)
    asked: list[int] = []

    def history(limit: int) -> list[Run]:
        asked.append(limit)
        return [Run("nightly-taobao", "partial", "<b>2 pages lost</b>")]

    app = create_app(config, run_history=history)
    async with client_for(app) as client:
        await login(client, "investigator")
        page = await client.get("/runs")
        assert page.status_code == 200 and asked == [50]
        assert "nightly-taobao" in page.text and "&lt;b&gt;2 pages lost" in page.text
        assert 'id="parcel-imports"' in page.text and "m.csv" in page.text and ">200<" in page.text
        assert not any(row[k] in page.text for row in rows for k in ("sender_name", "sender_phone", "receiver_phone"))
        await login(client, "viewer")
        assert (await client.get("/runs")).status_code in (403, 404)
    app.state.triage.db.close()
    app.state.triage.store.close()
    plain = create_app(config)  # started without the scheduler's history (tests, embedding)
    async with client_for(plain) as client:
        await login(client, "supervisor")
        assert "netsword serve" in (await client.get("/runs")).text
    plain.state.triage.db.close()
    plain.state.triage.store.close()
