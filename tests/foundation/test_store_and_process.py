"""leads.process and the SQLite store: idempotent upserts, history, full-text search, migrations."""

import sqlite3
from pathlib import Path

import pytest

from leads.listings_io import read_listings
from leads.process import find_leads, process
from leads.sink import LeadSink
from leads.store import LeadQuery, StoreError, open_store
from leads.store.sqlite import SqliteLeadStore
from leads.store.sqlite_schema import SCHEMA_VERSION
from matchers import compile_index
from netsword.models import Listing
from watchlists import load_watchlists

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "demo" / "sample_listings.jsonl"


@pytest.fixture(scope="module")
def index():
    return compile_index(load_watchlists(sorted((REPO / "watchlists" / "samples").glob("*.yaml"))))


def listing(**changes) -> Listing:
    data = {"id": "tb-1", "platform": "taobao", "url": "https://t/1", "title": "耐克 高仿 跑鞋", "price": 99,
            "seller": {"name": "鞋店"}, "crawled_at": "2026-11-01T00:00:00Z"}  # fmt: skip
    return Listing.from_dict({**data, **changes})


def test_rerunning_listings_creates_no_duplicates(tmp_path: Path, index) -> None:
    listings = [r for r in read_listings(SAMPLE) if isinstance(r, Listing)]
    with open_store(f"sqlite:///{tmp_path / 'leads.db'}") as store:
        first = [process(item, index, LeadSink(store)).report for item in listings]
        count = store.count(LeadQuery())
        second = [process(item, index, LeadSink(store)).report for item in listings]
        assert store.count(LeadQuery()) == count > 0
        assert sum(r.created for r in first) == count
        assert sum(r.created for r in second) == 0
        assert sum(r.unchanged for r in second) == count


def test_history_is_kept_across_sightings(tmp_path: Path, index) -> None:
    with open_store(str(tmp_path / "leads.db")) as store:
        (lead,) = process(listing(), index, LeadSink(store)).leads
        store.set_status(lead.lead_id, "triaged", assignee="wang")
        again = process(listing(crawled_at="2026-11-02T00:00:00Z"), index, LeadSink(store))
        assert again.report.unchanged == 1
        cheaper = process(listing(price=79, crawled_at="2026-11-03T00:00:00Z"), index, LeadSink(store))
        assert cheaper.report.updated == 1
        stored = store.get(lead.lead_id)
        assert stored is not None
        assert stored.first_seen == "2026-11-01T00:00:00Z" and stored.last_seen == "2026-11-03T00:00:00Z"
        assert stored.times_seen == 3
        assert stored.status == "triaged" and stored.assignee == "wang"
        assert [p["price"] for p in stored.price_history] == [99, 79]
        assert [h["after"] for h in store.status_history(lead.lead_id)] == ["triaged"]


def test_full_text_search_and_filters(tmp_path: Path, index) -> None:
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        for item in read_listings(SAMPLE):
            assert isinstance(item, Listing)
            process(item, index, LeadSink(store))
        assert {lead.listing_id for lead in store.search(LeadQuery(text="Air Max 270"))} == {"tb-1001"}
        assert store.search(LeadQuery(text="耐克"))  # two characters: the LIKE fallback
        assert store.count(LeadQuery(text='"; DROP TABLE leads; --')) == 0
        assert store.count(LeadQuery()) > 0
        only_jd = store.search(LeadQuery(platform=("jd",)))
        assert only_jd and all(lead.platform == "jd" for lead in only_jd)
        page = store.search(LeadQuery(limit=5))
        assert [lead.score for lead in page] == sorted((lead.score for lead in page), reverse=True)
        assert len(list(store.iter_leads(LeadQuery()))) == store.count(LeadQuery())


def test_unknown_status_and_lead(tmp_path: Path) -> None:
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        with pytest.raises(StoreError, match="status must be one of"):
            store.set_status("x", "closed")
        with pytest.raises(StoreError, match="no lead 'x'"):
            store.set_status("x", "confirmed")


def test_schema_is_versioned_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "leads.db"
    SqliteLeadStore(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT max(version) FROM leads_schema").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION  # kept for older releases
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with conn:
        conn.execute("INSERT INTO leads_schema(version) VALUES (?)", (SCHEMA_VERSION + 1,))
    conn.close()
    with pytest.raises(RuntimeError, match="newer than this NetSword"):
        SqliteLeadStore(path)


def test_find_leads_is_pure_and_thresholded(index) -> None:
    leads = find_leads(listing(), index, min_score=0)
    assert leads and leads[0].entry_id == "tm-nike"
    assert find_leads(listing(), index, min_score=101) == []


def test_find_leads_reads_the_clock_only_for_a_listing_with_hits(index, monkeypatch) -> None:
    import leads.process

    calls: list[int] = []
    monkeypatch.setattr(leads.process, "utc_now", lambda: calls.append(1) or "2026-11-30T00:00:00Z")
    assert find_leads(listing(title="普通 杯子", crawled_at=""), index, min_score=0) == []
    assert calls == []
    found = find_leads(listing(crawled_at=""), index, min_score=0)
    assert found and calls == [1] and found[0].first_seen == "2026-11-30T00:00:00Z"


def test_concurrent_first_open_does_not_race(tmp_path: Path) -> None:
    """Two processes creating the same new database at once both end up with the full schema."""
    import subprocess
    import sys

    code = "import sys; from leads.store.sqlite import SqliteLeadStore; SqliteLeadStore(sys.argv[1]).close()"
    path = str(tmp_path / "race.db")
    procs = [subprocess.Popen([sys.executable, "-c", code, path], cwd=REPO, stderr=subprocess.PIPE) for _ in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_full_text_follows_a_changed_title(tmp_path: Path, index) -> None:
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        (lead,) = process(listing(title="耐克 高仿 跑鞋 旧款标题"), index, LeadSink(store)).leads
        process(listing(title="耐克 高仿 跑鞋 新款标题"), index, LeadSink(store))
        assert [found.lead_id for found in store.search(LeadQuery(text="新款标题"))] == [lead.lead_id]
        assert store.search(LeadQuery(text="旧款标题")) == []
        process(listing(title="耐克 高仿 跑鞋 新款标题"), index, LeadSink(store))  # unchanged: text index left alone
        assert store.count(LeadQuery(text="新款标题")) == 1
