"""The chain of custody: keyed, hash-chained, append-only; a removed, edited, inserted or reordered event is reported,
a cut tail or a replaced log is caught by the anchor; retention and exports are recorded (issue 18)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from evidence import Blob, EvidenceStore
from evidence.custody import CAPTURED, DELETED, EXPORTED, CustodyAnchor, CustodyLog, custody_of, sync
from netsword.cli import main
from netsword.config import load_config

KEY = b"evidence-key-for-tests-0123456789"


def _store(root: Path, n: int = 3) -> EvidenceStore:
    store = EvidenceStore(root / "evidence", key=KEY)
    for i in range(n):
        store.add(blobs=[Blob("page", f"<html>listing {i}</html>".encode(), "text/html")], platform="taobao",
                  listing_id=f"a{i}", url=f"https://taobao.example.com/item/a{i}", profile="html")  # fmt: skip
    return store


def _log_with_events(tmp_path: Path) -> tuple[EvidenceStore, CustodyLog]:
    store = _store(tmp_path)
    log = custody_of(store)
    assert sync(store, log) == 0  # each capture logged itself as it was written
    log.append(EXPORTED, "case-1", {"package": "case referral", "sha256": "ab" * 32}, actor="investigator")
    return store, log


def _sql(store: EvidenceStore, *statements: str) -> None:
    conn = sqlite3.connect(store.root / "ledger.db")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def test_an_intact_chain_verifies_and_each_capture_is_logged_once(tmp_path: Path) -> None:
    store, log = _log_with_events(tmp_path)
    assert log.verify() == (4, [])
    events = log.events()
    assert [e.event for e in events] == [CAPTURED] * 3 + [EXPORTED] and events[-1].actor == "investigator"
    rows = {row.capture_id: row for row in store.ledger.captures()}
    assert all(e.detail["manifest_sha256"] == rows[e.subject].manifest_sha256 for e in events[:3])
    assert not any(e.detail.get("from_ledger") for e in events)


def test_sync_copies_what_the_log_missed_from_the_ledger(tmp_path: Path) -> None:
    store = _store(tmp_path, 2)
    _sql(store, "DELETE FROM custody_log")  # as if written before the log existed
    log = custody_of(store)
    assert sync(store, log) == 2 and sync(store, log) == 0
    assert all(e.detail["from_ledger"] for e in log.events()) and log.verify() == (2, [])


@pytest.mark.parametrize(("tamper", "expected"), [
    ("DELETE FROM custody_log WHERE seq = 2", "entry 3: entries 2–2 are missing (deleted)"),
    ("UPDATE custody_log SET detail = '{\"package\":\"forged\"}' WHERE seq = 4", "entry 4: content was changed"),
    ("UPDATE custody_log SET actor = 'someone else' WHERE seq = 1", "entry 1: content was changed"),
])  # fmt: skip
def test_a_removed_or_edited_event_is_reported(tmp_path: Path, tamper: str, expected: str) -> None:
    store, log = _log_with_events(tmp_path)
    _sql(store, tamper)
    _, problems = log.verify()
    assert any(p.startswith(f"custody log: {expected}") for p in problems), problems


def test_reordered_events_are_reported(tmp_path: Path) -> None:
    store, log = _log_with_events(tmp_path)
    _sql(store, "UPDATE custody_log SET seq = 100 WHERE seq = 2", "UPDATE custody_log SET seq = 2 WHERE seq = 3",
         "UPDATE custody_log SET seq = 3 WHERE seq = 100")  # fmt: skip
    _, problems = log.verify()
    assert "custody log: entry 2: does not link to the entry before it (removed, inserted or reordered)" in problems


def test_another_key_or_no_key_does_not_verify(tmp_path: Path) -> None:
    store, _ = _log_with_events(tmp_path)
    _, problems = CustodyLog(store.root, b"another-key-0123456789abcdef").verify()
    assert len(problems) == 4 and all("another key" in p for p in problems)


def test_without_the_key_a_keyed_log_is_checked_for_order_and_links_only(tmp_path: Path) -> None:
    """Read without the evidence key (EvidenceStore(root) in a script), a keyed entry cannot be recomputed: no false
    'changed' report, but a deleted or reordered entry still shows; a log written without a key is checked whole."""
    store, _ = _log_with_events(tmp_path)
    assert CustodyLog(store.root).verify() == (4, [])
    _sql(store, "DELETE FROM custody_log WHERE seq = 2")
    assert CustodyLog(store.root).verify()[1] == ["custody log: entry 3: entries 2–2 are missing (deleted)",
                                                  "custody log: entry 3: does not link to the entry before it "
                                                  "(removed, inserted or reordered)"]  # fmt: skip
    plain = CustodyLog(tmp_path / "plain")
    (tmp_path / "plain").mkdir()
    plain.append(EXPORTED, "leads", {"leads": 1})
    plain.append(EXPORTED, "leads", {"leads": 2})
    assert plain.verify() == (2, [])
    conn = sqlite3.connect(plain.path)
    conn.execute("UPDATE custody_log SET detail = '{\"leads\":9}' WHERE seq = 2")
    conn.commit()
    conn.close()
    assert plain.verify()[1] == ["custody log: entry 2: content was changed after it was written"]


def test_a_cut_tail_or_a_replaced_log_is_caught_by_the_anchor(tmp_path: Path) -> None:
    store, log = _log_with_events(tmp_path)
    anchor = CustodyAnchor.parse(log.anchor().text())
    assert anchor.seq == 4 and log.verify(anchor) == (4, [])
    log.append(EXPORTED, "leads", {"leads": 2})
    assert log.verify(anchor)[1] == []  # a log that grew still holds the anchored entry
    _sql(store, "DELETE FROM custody_log WHERE seq >= 4")  # the chain itself is still whole
    _, problems = log.verify(anchor)
    assert problems == [f"custody log: the chain ends at entry 3 but the anchor names entry 4 (entries were cut off) "
                        f"(anchor taken {anchor.at})"]  # fmt: skip
    with pytest.raises(ValueError, match="not a custody anchor"):
        CustodyAnchor.parse("evidence-custody:1:x")


def test_retention_records_each_deletion_after_its_capture(tmp_path: Path) -> None:
    store = _store(tmp_path, 2)
    doomed = [c for c in store.iter_captures() if c.listing_id == "a0"]
    store.remove(doomed, "evidence retention: older than 30 days")
    log = custody_of(store)
    events = [(e.event, e.subject) for e in log.events()]
    cid = doomed[0].capture_id
    assert events.index((CAPTURED, cid)) < events.index((DELETED, cid)) and len(events) == 3
    assert log.events(cid)[-1].detail["reason"] == "evidence retention: older than 30 days"
    assert sync(store, log) == 0 and log.verify() == (3, [])


def test_anchor_and_verify_commands(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = EvidenceStore.for_config(load_config())
    store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
              url="https://taobao.example.com/item/a1", profile="html")  # fmt: skip
    store.close()
    assert main(["evidence", "anchor", "--out", "anchors.txt"]) == 0
    ledger_line, custody_line = capsys.readouterr().out.splitlines()
    assert ledger_line.startswith("evidence-anchor:1:0:") and custody_line.startswith("evidence-custody:1:1:")
    assert Path("anchors.txt").read_text().splitlines() == [ledger_line, custody_line]
    _sql(store, "DELETE FROM custody_log")
    main(["evidence", "verify", "--anchor", "anchors.txt"])
    out = capsys.readouterr().out
    assert "custody log: the chain ends at entry 0 but the anchor names entry 1 (entries were cut off)" in out
    assert main(["evidence", "verify", "--anchor", "evidence-custody:1:zz"]) == 2


def test_exports_are_recorded(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from cases.model import Case
    from cases.package import record_package_export
    from netsword.models import Lead

    cfg = load_config()
    store = EvidenceStore.for_config(cfg)
    cid = store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
                    url="https://taobao.example.com/item/a1", profile="html").capture_id  # fmt: skip
    assert main(["leads", "export", "--out", "leads.jsonl"]) == 0
    [event] = [e for e in custody_of(store).events() if e.event == EXPORTED]
    assert event.subject == "leads" and event.detail["leads"] == 0 and event.detail["out"] == "leads.jsonl"
    lead = Lead.from_dict({"lead_id": "ld-1", "kind": "trademark", "platform": "taobao", "listing_id": "a1",
                           "entry_id": "e1", "score": 80, "reasons": [], "listing": {"url": "u", "title": "t"}})  # fmt: skip
    case = Case("case-1", "案件", "open", "2026-11-30T00:00:00Z", "inv", "2026-11-30T00:00:00Z")
    record_package_export(case, [lead], store, "ab" * 32, actor="inv", via="cli")
    last = custody_of(store).events("case-1")[-1]
    assert (last.event, last.actor, last.detail["captures"], last.detail["sha256"]) == (EXPORTED, "inv", [cid],
                                                                                        "ab" * 32)  # fmt: skip
    assert custody_of(store).verify() == (3, [])


def test_a_captures_history_has_the_packages_and_exports_that_name_it(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """`packaged`/`exported` events are filed under the case, lead set or referral; the capture's own history (and
    `netsword evidence custody CAPTURE`) lists them too, a capture the event does not name does not get them."""
    from evidence.custody import PACKAGED

    store = EvidenceStore.for_config(load_config())
    first, second = (store.add(blobs=[Blob("page", f"<html>{i}</html>".encode(), "text/html")], platform="taobao",
                               listing_id=f"a{i}", url=f"https://taobao.example.com/item/a{i}",
                               profile="html").capture_id for i in range(2))  # fmt: skip
    log = custody_of(store)
    log.append(PACKAGED, "case-9", {"file": "case-9.wacz", "sha256": "cd" * 32, "captures": [first]})
    log.append(EXPORTED, "ref-1", {"what": "referral ZIP", "captures": [first, second]})
    assert [(e.event, e.subject) for e in log.events(first)] == [(CAPTURED, first), (PACKAGED, "case-9"),
                                                                 (EXPORTED, "ref-1")]  # fmt: skip
    assert [e.event for e in log.events(second)] == [CAPTURED, EXPORTED]
    assert log.verify() == (4, [])
    log.close()
    store.close()
    assert main(["evidence", "custody", first]) == 0
    out = capsys.readouterr().out
    assert "packaged" in out and "case-9" in out and "ref-1" in out


def test_an_older_log_learns_which_captures_its_events_name_without_changing_the_chain(tmp_path: Path) -> None:
    store = _store(tmp_path, 1)
    [cid] = [r.capture_id for r in store.ledger.captures()]
    log = custody_of(store)
    log.append(EXPORTED, "case-1", {"what": "case referral package", "captures": [cid]})
    log.close()
    before = sqlite3.connect(store.root / "ledger.db").execute("SELECT seq, hash FROM custody_log").fetchall()
    _sql(store, "DROP TABLE custody_captures", "UPDATE custody_schema SET version = 1")  # as written by the old code
    log = custody_of(store)
    assert [e.event for e in log.events(cid)] == [CAPTURED, EXPORTED]
    assert log.verify() == (2, [])
    log.close()
    after = sqlite3.connect(store.root / "ledger.db").execute("SELECT seq, hash FROM custody_log").fetchall()
    assert after == before
