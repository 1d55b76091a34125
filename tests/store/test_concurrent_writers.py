"""Two real processes on one SQLite store: a crawl re-sighting leads and an investigator deciding on them.

Every decision survives (status, assignee and history as decided), every sighting is counted (`times_seen`), and
neither process sees an error — the guarantee of read-modify-write inside one BEGIN IMMEDIATE transaction.
"""

from __future__ import annotations

import multiprocessing as mp
import random
from pathlib import Path

from leads.sink import LeadSink
from leads.store.sqlite import SqliteLeadStore
from tests.store.lead_factory import make_lead

LEADS = 40
DECISIONS = 1200
STATUSES = ("triaged", "confirmed", "dismissed", "new", "referred")


def _crawl(path: str, done: mp.synchronize.Event, out: mp.Queue) -> None:
    rounds = errors = 0
    with SqliteLeadStore(path) as store:
        sink = LeadSink(store)
        while not done.is_set():
            rounds += 1
            seen = f"2026-11-30T{rounds // 3600 % 24:02d}:{rounds // 60 % 60:02d}:{rounds % 60:02d}Z"
            report = sink.write([make_lead(f"l{n}", seen=seen, price=float(90 + rounds % 7)) for n in range(LEADS)])
            errors += report.failed
    out.put((rounds, errors))


def _triage(path: str, started: mp.synchronize.Event, out: mp.Queue) -> None:
    rng = random.Random(7)
    last: dict[str, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    with SqliteLeadStore(path) as store:
        started.set()
        for n in range(DECISIONS):
            lead_id = make_lead(f"l{rng.randrange(LEADS)}").lead_id
            status, assignee = rng.choice(STATUSES), f"investigator-{n % 5}"
            store.set_status(lead_id, status, assignee=assignee)
            last[lead_id] = (status, assignee)
            counts[lead_id] = counts.get(lead_id, 0) + 1
    out.put((last, counts))


def test_decisions_made_during_a_crawl_survive_and_every_sighting_counts(tmp_path: Path) -> None:
    path = str(tmp_path / "leads.db")
    with SqliteLeadStore(path) as store:
        LeadSink(store).write([make_lead(f"l{n}") for n in range(LEADS)])
    ctx = mp.get_context("fork")  # real processes; the workers live in this test module
    started, done, results, decided = ctx.Event(), ctx.Event(), ctx.Queue(), ctx.Queue()
    crawler = ctx.Process(target=_crawl, args=(path, done, results))
    crawler.start()
    triage = ctx.Process(target=_triage, args=(path, started, decided))
    triage.start()
    last, counts = decided.get(timeout=120)
    triage.join(30)
    done.set()
    rounds, errors = results.get(timeout=60)
    crawler.join(30)
    assert triage.exitcode == 0 and crawler.exitcode == 0 and errors == 0
    assert rounds >= 5, "the crawl hardly ran beside the decisions"
    with SqliteLeadStore(path) as store:
        for lead_id, (status, assignee) in last.items():
            lead = store.get(lead_id)
            assert lead is not None
            assert (lead.status, lead.assignee) == (status, assignee), lead_id
            history = store.status_history(lead_id)
            assert len(history) == counts[lead_id] and history[-1]["after"] == status
        assert {
            lead.times_seen for lead in store.iter_leads(__import__("leads.store", fromlist=["LeadQuery"]).LeadQuery())
        } == {1 + rounds}
