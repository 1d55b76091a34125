"""`netsword evidence verify` recomputes every hash and exits 1 when a file was altered or removed."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.store import EvidenceStore
from leads.store import open_store_from_config
from netsword.cli import main
from netsword.config import load_config
from netsword.models import Lead, Reason


def test_verify_passes_then_fails_after_tampering(isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("NETSWORD_KEYS_DIR", str(isolated / "keys"))
    cfg = load_config()
    url = "http://127.0.0.1/x"
    lead = Lead(lead_id="l-st1", listing_id="st1", platform="demo-static", url=url, entry_id="tm", kind="trademark",
                score=90, matched="NIKE", reasons=(Reason("mark", "title"),), listing={"id": "st1", "url": url})  # fmt: skip
    with open_store_from_config(cfg) as leads:
        leads.upsert_many([lead])
    store = EvidenceStore.for_config(cfg)
    page = store.put_bytes(b"<html>fake NIKE</html>", role="response", media_type="text/html")
    store.record(platform="demo-static", listing_id="st1", url=url, profile="demo-static", files=[page])
    assert main(["evidence", "verify"]) == 0
    store.path_of(page.sha256).write_bytes(b"<html>changed</html>")
    assert main(["evidence", "verify"]) == 1
    assert "hash is now" in capsys.readouterr().out


def test_capture_refuses_a_non_http_url(isolated: Path) -> None:
    assert main(["evidence", "capture", "file:///etc/passwd"]) == 2
