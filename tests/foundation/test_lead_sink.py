"""The one lead sink: listeners hear of the lead as stored (merged, triage status kept), failures never reach the
store as a clean write, and a triage decision made while a crawl writes is never overwritten (BEGIN IMMEDIATE)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from leads.sink import LeadSink
from leads.store.sqlite import SqliteLeadStore
from netsword.models import Lead
from tests.store.lead_factory import make_lead


def _heard(into: list[tuple[Lead, str]]):  # type: ignore[no-untyped-def]
    return lambda lead, outcome: into.append((lead, outcome))


def test_listeners_get_the_stored_lead_with_its_triage_status(tmp_path: Path) -> None:
    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        sink = LeadSink(store, [_heard(heard)])
        first = make_lead("a1", seen="2026-11-01T00:00:00Z")
        report = sink.write([first])
        assert report.as_dict()["created"] == 1 and heard[-1][1] == "created" and heard[-1][0].times_seen == 1
        store.set_status(first.lead_id, "confirmed", assignee="li")
        sink.write([make_lead("a1", seen="2026-11-02T00:00:00Z", price=79.0)])
        lead, outcome = heard[-1]
        assert outcome == "updated"
        assert (lead.status, lead.assignee, lead.times_seen) == ("confirmed", "li", 2)
        assert lead.first_seen == "2026-11-01T00:00:00Z" and [p["price"] for p in lead.price_history] == [99.0, 79.0]
        assert store.get(first.lead_id) == lead  # what the listener heard is what is stored


def test_the_same_lead_twice_in_one_write_is_two_sightings(tmp_path: Path) -> None:
    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        report = LeadSink(store, [_heard(heard)]).write(
            [make_lead("b1"), make_lead("b1", seen="2024-05-02T08:00:00Z")]
        )
    assert [item.outcome for item in report.stored if item] == ["created", "unchanged"]
    assert [lead.times_seen for lead, _ in heard] == [1, 2]


def test_a_failing_listener_loses_nothing(tmp_path: Path) -> None:
    def broken(lead: Lead, outcome: str) -> None:
        raise RuntimeError("mail server on fire")

    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        report = LeadSink(store, [broken, _heard(heard)]).write([make_lead("c1")])
        assert report.created == 1 and len(heard) == 1 and store.get(heard[0][0].lead_id) is not None


def test_a_refused_write_is_reported_and_no_listener_hears_of_it(tmp_path: Path) -> None:
    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        store.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON leads BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        report = LeadSink(store, [_heard(heard)]).write([make_lead("d1"), make_lead("d2")])
    assert report.failed == 2 and report.stored == [None, None] and "disk full" in report.errors[0]
    assert heard == []


def test_mark_taken_down_tells_the_listeners(tmp_path: Path) -> None:
    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        sink = LeadSink(store, [_heard(heard)])
        lead = make_lead("e1")
        sink.write([lead])
        sink.mark_taken_down(lead.lead_id, reason="HTTP 404", at="2026-11-30T00:00:00Z")
        sink.mark_taken_down(lead.lead_id, reason="HTTP 404", at="2026-11-30T01:00:00Z")  # already: no news
    assert [(o, h.listing.get("availability")) for h, o in heard] == [("created", None), ("updated", "taken_down")]


def test_a_triage_decision_made_during_a_write_is_kept(tmp_path: Path) -> None:
    """Another process holds the write lock and confirms the lead; the crawl's write waits and merges into it."""
    path = tmp_path / "leads.db"
    lead = make_lead("f1", seen="2026-11-01T00:00:00Z")
    with SqliteLeadStore(path) as store:
        LeadSink(store).write([lead])
    other = sqlite3.connect(path, isolation_level=None, timeout=30)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE leads SET status = 'confirmed', assignee = 'wang' WHERE lead_id = ?", (lead.lead_id,))
    heard: list[tuple[Lead, str]] = []
    with SqliteLeadStore(path) as store:
        sink = LeadSink(store, [_heard(heard)])
        writer = threading.Thread(target=sink.write, args=([make_lead("f1", seen="2026-11-02T00:00:00Z")],))
        writer.start()
        time.sleep(0.5)  # the writer is now waiting for the lock
        other.execute("COMMIT")
        writer.join(30)
        stored = store.get(lead.lead_id)
    other.close()
    assert stored is not None and (stored.status, stored.assignee, stored.times_seen) == ("confirmed", "wang", 2)
    assert heard[0][0].status == "confirmed"
