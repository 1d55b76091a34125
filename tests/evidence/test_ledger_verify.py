"""The evidence ledger: manifests sealed when written, tampering and stray files found, failed or interrupted captures
leave nothing behind, retention and an older store's manifests accounted for."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from evidence.faults import FAULT_ENV
from evidence.ledger import ABANDONED, WRITTEN
from evidence.store import Blob, EvidenceStore, EvidenceWriteError
from evidence.verify import verify_store

KEY = b"k" * 32


def _capture(store: EvidenceStore, listing_id: str = "1", body: bytes = b"<html>NIKE</html>"):  # type: ignore[no-untyped-def]
    return store.add(blobs=[Blob("response", body, "text/html", "https://t/1"), Blob("screenshot", b"\x89PNG" + body,
                                                                                         "image/png")],
                     platform="taobao", listing_id=listing_id, url=f"https://t/{listing_id}", profile="taobao")  # fmt: skip


def _problems(store: EvidenceStore) -> list[str]:
    return verify_store(store, need_key=True).problems


def test_a_sealed_store_verifies_and_finds_an_edited_manifest(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    capture = _capture(store)
    report = verify_store(store, need_key=True)
    assert report.ok and report.sealed and [c.capture_id for c in report.valid] == [capture.capture_id]
    path = store.manifest_path(capture.capture_id)
    path.write_text(path.read_text(encoding="utf-8").replace("https://t/1", "https://t/2"), encoding="utf-8")
    assert _problems(store) == [f"captures/{path.name}: changed since it was written (SHA-256 "
                                f"{store.ledger.get(capture.capture_id).manifest_sha256[:16]}… recorded)"]  # fmt: skip


def test_a_manifest_edited_together_with_its_ledger_row_is_found_by_the_seal(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    capture = _capture(store)
    path = store.manifest_path(capture.capture_id)
    forged = path.read_bytes().replace(b"https://t/1", b"https://t/2")
    path.write_bytes(forged)
    store.close()
    with sqlite3.connect(tmp_path / "ledger.db") as db:  # someone who can write var/ but has no key
        db.execute("UPDATE captures SET manifest_sha256 = ?", (__import__("hashlib").sha256(forged).hexdigest(),))
    problems = _problems(EvidenceStore(tmp_path, key=KEY))
    assert problems == [f"captures/{path.name}: its ledger row was altered, or sealed with another evidence key"]
    # without the key, the seal cannot be checked: verify says so rather than pass
    assert "no key was found" in _problems(EvidenceStore(tmp_path))[0]


def test_missing_manifest_stray_files_and_a_forged_reason_are_problems(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    gone = _capture(store, "1")
    _capture(store, "2", b"<html>other</html>")
    store.no_capture("taobao", "3", ["lead-3"], "fetch refused: Forbidden by robots.txt", final=True)
    store.manifest_path(gone.capture_id).unlink()
    (tmp_path / "objects" / "ab").mkdir(exist_ok=True)
    (tmp_path / "objects" / "ab" / ("ab" + "0" * 62)).write_bytes(b"planted")
    (tmp_path / "captures" / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "README").write_text("hello", encoding="utf-8")
    store.close()
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        db.execute("UPDATE no_capture SET reason = 'no profile for this platform may fetch it'")
    problems = _problems(EvidenceStore(tmp_path, key=KEY))
    assert len(problems) == 7, problems
    assert any(p.startswith(f"captures/{gone.capture_id}.json: missing (the ledger has it") for p in problems)
    assert f"objects/ab/ab{'0' * 62}: no manifest names this file" in problems
    # the files only the removed manifest named are orphans now, and say so
    assert sum("no manifest names this file" in p for p in problems) == 3
    assert "captures/notes.txt: not a capture manifest: no capture wrote it" in problems
    assert "README: not part of the evidence store (no manifest names it)" in problems
    assert any("no-capture record of taobao 3 was altered" in p for p in problems)


@pytest.mark.parametrize("code", ["ENOSPC", "EACCES"])
def test_a_write_that_fails_leaves_nothing_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        code: str) -> None:  # fmt: skip
    store = EvidenceStore(tmp_path / "ev", key=KEY)
    _capture(store, "1")
    flag = tmp_path / "full"
    flag.touch()
    monkeypatch.setenv(FAULT_ENV, f"{code}:{flag}")
    with pytest.raises(EvidenceWriteError) as failed:
        _capture(store, "2", b"<html>new page</html>")
    assert failed.value.reason.startswith("disk full" if code == "ENOSPC" else "permission denied")
    assert [r.state for r in store.ledger.captures()] == [WRITTEN, ABANDONED]
    assert not store.has_capture("taobao", "2") and verify_store(store).ok  # nothing half-written stays
    assert len(list((tmp_path / "ev" / "objects").rglob("*.*"))) == 0
    flag.unlink()  # space returns
    _capture(store, "2", b"<html>new page</html>")
    assert store.has_capture("taobao", "2") and verify_store(store).ok


def test_a_capture_whose_process_died_is_cleaned_up_or_completed(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    kept = _capture(store, "1")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    # one capture got as far as one file, another wrote everything but was not marked written
    store.ledger.begin("cap-half", "taobao", "2", "crawl", "0" * 64, ["f" * 64, kept.files[0].sha256])
    store.path_of("f" * 64).parent.mkdir(parents=True, exist_ok=True)
    store.path_of("f" * 64).write_bytes(b"half")
    whole = _capture(store, "3", b"<html>three</html>")
    store.close()
    with sqlite3.connect(tmp_path / "ledger.db") as db:
        db.execute("UPDATE captures SET state = 'pending', pid = ? WHERE capture_id IN ('cap-half', ?)",
                   (pid, whole.capture_id))  # fmt: skip
    store = EvidenceStore(tmp_path, key=KEY)
    assert any("being written, or its process stopped" in n for n in verify_store(store).notes)
    assert store.recover() == (1, 1)
    assert not store.path_of("f" * 64).exists() and store.path_of(kept.files[0].sha256).exists()  # shared: kept
    assert store.ledger.get(whole.capture_id).state == WRITTEN
    assert verify_store(store, need_key=True).ok


def test_an_older_store_is_not_trusted_until_sealed(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    capture = _capture(store)
    store.close()
    (tmp_path / "ledger.db").unlink()  # as before the ledger existed
    problems = _problems(EvidenceStore(tmp_path, key=KEY))
    assert problems == [f"captures/{capture.capture_id}.json: not in the ledger: no capture wrote it (an older "
                        "store: netsword evidence seal)"]  # fmt: skip
    store = EvidenceStore(tmp_path, key=KEY)
    assert store.ledger.get(capture.capture_id) is None
    from evidence.upkeep import seal_unrecorded

    assert seal_unrecorded(store) == (1, [])
    assert verify_store(store, need_key=True).ok and store.ledger.get(capture.capture_id).origin == "sealed"


def test_retention_removes_through_the_ledger_and_leaves_a_final_reason(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path, key=KEY)
    old = _capture(store, "1")
    _capture(store, "2", b"<html>two</html>")
    assert store.remove([old], "evidence retention: older than 30 days") == (1, 2)
    assert verify_store(store, need_key=True).ok
    reason = store.reason_for("taobao", "1")
    assert reason is not None and reason.final and reason.reason.startswith("evidence retention")
    manifest = json.loads(store.manifest_path(store.captures_for("taobao", "2")[0].capture_id).read_bytes())
    assert manifest["listing_id"] == "2"
