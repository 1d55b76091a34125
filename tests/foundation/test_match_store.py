"""`netsword match --store`: listings imported from a file are stored through the lead sink like a crawl's."""

from __future__ import annotations

import json
from pathlib import Path

from alerts.outbox import Outbox
from leads.store import LeadQuery, open_store_from_config
from netsword.cli import main
from netsword.config import load_config

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "sample_listings.jsonl"
RULES = "version: 1\nrules:\n  - {id: nike, to: [nike@example.com], entries: [tm-nike], min_score: 50}\n"


def test_match_store_imports_listings_once_and_alerts(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(tmp_path / "rules.yaml"))
    out = tmp_path / "leads.jsonl"
    assert main(["match", "--listings", str(SAMPLES), "--store", "--out", str(out)]) == 0
    first = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    err = capsys.readouterr().err
    assert f"stored {len(first)} new, 0 updated, 0 unchanged, 0 failed" in err
    cfg = load_config()
    with open_store_from_config(cfg) as store:
        assert store.count(LeadQuery()) == len(first) > 0
    with Outbox.for_config(cfg) as outbox:
        alerted = {r[0] for r in outbox.conn.execute("SELECT lead_id FROM alert_items")}
    assert alerted == {lead["lead_id"] for lead in first if lead["entry_id"] == "tm-nike"} != set()

    assert main(["match", "--listings", str(SAMPLES), "--store", "--out", str(out)]) == 0  # the same file again
    again = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert f"stored 0 new, 0 updated, {len(first)} unchanged" in capsys.readouterr().err
    assert {lead["times_seen"] for lead in again} == {2}
    with open_store_from_config(cfg) as store:
        assert store.count(LeadQuery()) == len(first)
