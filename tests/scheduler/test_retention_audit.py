"""The evidence retention job writes what it deletes to the audit trail before deleting it (issue 15)."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from evidence import EvidenceStore
from netsword.config import Config, KeysConfig
from scheduler.history import RunHistory
from scheduler.jobs_loader import parse_jobs
from scheduler.runner import JobRunner
from triage.audit import open_audit
from triage.db import TriageDB, triage_db_path

JOBS = """\
jobs:
  - {id: tidy, kind: retention, cron: "0 4 * * 0", evidence_days: 30}
"""


def test_dropped_evidence_is_recorded_in_the_audit_trail(cfg: Config, tmp_path: Path) -> None:
    """Before: captures and files vanished with no trace in the audit trail."""
    cfg = replace(cfg, keys=KeysConfig(dir=str(tmp_path / "keys")))
    store = EvidenceStore.for_config(cfg)
    page = store.put_bytes(b"<html>old listing</html>", role="page", media_type="text/html")
    old = store.record(platform="taobao", listing_id="gone-1", url="https://taobao.example.com/item/gone-1",
                       profile="html", files=[page], captured_at="2020-01-01T00:00:00Z")  # fmt: skip
    fresh = store.put_bytes(b"<html>new listing</html>", role="page", media_type="text/html")
    store.record(platform="taobao", listing_id="new-1", url="https://taobao.example.com/item/new-1", profile="html",
                 files=[fresh])  # fmt: skip
    history = RunHistory.for_config(cfg)
    try:
        runner = JobRunner(cfg, {s.id: s for s in parse_jobs(JOBS)}, history, threading.Event())
        record = runner.run("tidy", trigger="run-now")
    finally:
        history.close()
    assert record.outcome == "ok", record.message
    assert "1 evidence capture(s) and 1 file(s) removed" in record.message
    assert [c.capture_id for c in store.iter_captures()] != [old.capture_id]
    # removed through the evidence store's ledger: verify finds nothing missing (only the leadless capture left)
    report = EvidenceStore.for_config(cfg).verify()
    assert not [p for p in report.problems if "missing" in p or "manifest" in p], report.problems
    db = TriageDB(triage_db_path(cfg.var_dir))
    try:
        log = open_audit(cfg, db)
        entry = log.entries(target="evidence")[0]
        assert (entry.actor, entry.action) == ("scheduler", "evidence.retention")
        assert entry.after["captures"][0]["capture_id"] == old.capture_id
        assert entry.after["captures"][0]["sha256"] == [page.sha256]
        assert log.verify().ok
    finally:
        db.close()
