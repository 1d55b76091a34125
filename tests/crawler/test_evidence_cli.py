"""`netsword evidence verify` recomputes every hash and exits 1 when a file was altered or removed."""

from __future__ import annotations

from pathlib import Path

from evidence.store import EvidenceStore
from netsword.cli import main


def test_verify_passes_then_fails_after_tampering(isolated: Path, capsys) -> None:
    store = EvidenceStore(isolated / "var" / "evidence")
    page = store.put_bytes(b"<html>fake NIKE</html>", role="response", media_type="text/html")
    store.record(
        platform="demo-static", listing_id="st1", url="http://127.0.0.1/x", profile="demo-static", files=[page]
    )
    assert main(["evidence", "verify"]) == 0
    store.path_of(page.sha256).write_bytes(b"<html>changed</html>")
    assert main(["evidence", "verify"]) == 1
    assert "hash is now" in capsys.readouterr().out


def test_capture_refuses_a_non_http_url(isolated: Path) -> None:
    assert main(["evidence", "capture", "file:///etc/passwd"]) == 2
