"""The evidence store: content-addressed files, capture manifests without credentials, verification."""

from __future__ import annotations

import json
from pathlib import Path

from evidence.store import EvidenceStore


def test_capture_round_trip_and_tamper_detection(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    page = store.put_bytes(b"<html>\xe8\x80\x90\xe5\x85\x8b</html>", role="page", media_type="text/html")
    again = store.put_bytes(b"<html>\xe8\x80\x90\xe5\x85\x8b</html>", role="page", media_type="text/html")
    assert page == again and len(list((tmp_path / "objects").rglob("*"))) == 2  # one folder, one file
    headers = {"User-Agent": "NetSwordBot", "Cookie": "sid=secret", "Authorization": "Bearer x", "X-Api-Key": "k"}
    capture = store.record(platform="taobao", listing_id="1", url="https://t/1", profile="taobao-search",
                           files=[page], request_headers=headers, status=200)  # fmt: skip
    assert store.captures_for("taobao", "1") == [capture]
    manifest = json.loads((tmp_path / "captures" / f"{capture.capture_id}.json").read_text(encoding="utf-8"))
    assert manifest["request_headers"] == {"User-Agent": "NetSwordBot"}  # credentials never reach a manifest
    assert store.verify().ok
    store.path_of(page.sha256).write_bytes(b"edited")
    report = store.verify()
    assert not report.ok and "hash is now" in report.problems[0]
    store.path_of(page.sha256).unlink()
    assert "missing" in store.verify().problems[0]
