"""Parcel leads reach alert rules: `parcels import --detect` writes through the lead sink, so a rule on
`kinds: [parcel_pattern]` (docs/alerts.md) queues an alert for each new ant-moving pattern, and a re-run does not."""

from __future__ import annotations

from pathlib import Path

from alerts.outbox import Outbox
from leads.store import open_store_from_config
from netsword.config import load_config
from parcels.synthetic import generate, write_manifest

RULES = """\
version: 1
rules:
  - id: ant-moving
    to: [customs@example.com]
    kinds: [parcel_pattern]
    min_score: 50
"""


def _alerted() -> list[tuple[str, str, str]]:
    with Outbox.for_config(load_config()) as outbox:
        rows = outbox.conn.execute("SELECT lead_id, rule_id, event FROM alert_items ORDER BY lead_id").fetchall()
    return [tuple(r) for r in rows]


def test_parcel_pattern_leads_reach_an_alert_rule(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from netsword.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NETSWORD_PARCELS_PII_KEY", "another-key-0123456789")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(tmp_path / "rules.yaml"))
    rows, _ = generate(1500, seed=5, n_fanout=1, n_consolidation=1, n_long=0, n_shared=0, n_authorised=0)
    write_manifest(rows, tmp_path / "m.csv")
    assert main(["parcels", "import", str(tmp_path / "m.csv"), "--courier", "generic", "--detect"]) == 0
    assert "2 patterns (2 new leads" in capsys.readouterr().out
    alerted = _alerted()
    assert len(alerted) == 2, alerted
    with open_store_from_config(load_config()) as store:
        kinds = {store.get(lead_id).kind for lead_id, _, _ in alerted}  # type: ignore[union-attr]
    assert kinds == {"parcel_pattern"}
    assert {(rule, event) for _, rule, event in alerted} == {("ant-moving", "new")}

    assert main(["parcels", "detect"]) == 0  # the same parcels again: nothing new, nothing alerted twice
    assert _alerted() == alerted


def test_no_alerts_switch(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from netsword.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NETSWORD_PARCELS_PII_KEY", "another-key-0123456789")
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(tmp_path / "rules.yaml"))
    rows, _ = generate(1500, seed=5, n_fanout=1, n_consolidation=1, n_long=0, n_shared=0, n_authorised=0)
    write_manifest(rows, tmp_path / "m.csv")
    args = ["parcels", "import", str(tmp_path / "m.csv"), "--courier", "generic", "--detect", "--no-alerts"]
    assert main(args) == 0
    assert _alerted() == []
