"""Kept listings carried by `netsword leads copy` (SQLite ⇄ Elasticsearch) and by `netsword leads reindex`, with the
real client against tests/store/fake_cluster.py (no Elasticsearch here: see docs/elasticsearch.md); the same copies
between SQLite and OpenSearch run against an osmem-server process (test_opensearch_listings_copy.py)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import leads.store.elastic_index as elastic_index
import leads.store.elastic_listings as elastic_listings
from leads.store import LeadQuery
from leads.store.elastic import ElasticLeadStore
from leads.store.listings import KeptListing, ListingQuery, sighting
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main
from netsword.models import Listing
from tests.store.es_responder import EsResponder
from tests.store.fake_cluster import FakeCluster, Index
from tests.store.lead_factory import make_lead


@pytest.fixture
def cluster(responder: EsResponder, monkeypatch: pytest.MonkeyPatch) -> FakeCluster:
    monkeypatch.setattr(elastic_index, "REINDEX_BACKOFF", (0.02, 0.1))
    monkeypatch.setattr(elastic_listings, "PAGE", 2)  # reads in pages, with search_after
    fake = FakeCluster(responder).install()
    fake.indices["netsword-leads-v1"] = Index()
    fake.aliases["netsword-leads"] = "netsword-leads-v1"
    return fake


def _seen(listing_id: str, at: str, *, platform: str = "taobao", run: str = "", **fields: Any) -> KeptListing:
    data = {"id": listing_id, "platform": platform, "url": f"https://{platform}.example/{listing_id}",
            "title": "运动鞋", "crawled_at": at, **fields}  # fmt: skip
    return sighting(Listing.from_dict(data), run=run)


def _kept_in(store: SqliteLeadStore | ElasticLeadStore) -> list[KeptListing]:
    return list(store.iter_listings(ListingQuery()))


def _source_db(path: Path) -> list[KeptListing]:
    """A SQLite store with leads and five kept listings, some seen several times (histories to carry)."""
    with SqliteLeadStore(path) as store:
        store.upsert_many([make_lead("L1"), make_lead("L2")])
        store.keep_listings([_seen(f"K{i}", "2024-05-01T00:00:00Z", platform=("taobao", "jd")[i % 2], run="r1")
                             for i in range(5)])  # fmt: skip
        store.keep_listings([_seen("K0", "2024-05-04T00:00:00Z", run="r2", price=9),
                             _seen("K3", "2024-04-20T00:00:00Z", platform="jd", run="r0")])  # fmt: skip
        return _kept_in(store)


def test_copy_carries_kept_listings_sqlite_to_elasticsearch_and_back(
    isolated: Path, cluster: FakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = _source_db(isolated / "a.db")
    assert {k.listing_id: k.times_seen for k in kept} == {"K0": 2, "K1": 1, "K2": 1, "K3": 2, "K4": 1}
    to_es = ["leads", "copy", "--from", f"sqlite:///{isolated / 'a.db'}", "--to", cluster.es.url, "--batch", "2"]
    assert main(to_es) == 0
    assert main(to_es) == 0  # again: replaced, nothing doubled, no sighting added
    err = capsys.readouterr().err
    assert "copied 2 leads" in err and "copied 5 kept listings from sqlite:///" in err
    assert len(cluster.indices["netsword-listings-v1"].docs) == 5
    with ElasticLeadStore(cluster.es.url) as es:
        assert _kept_in(es) == kept  # first/last seen, sightings, last run, content: exactly as in SQLite
    back = ["leads", "copy", "--from", cluster.es.url, "--to", f"sqlite:///{isolated / 'b.db'}"]
    assert main(back) == 0
    with SqliteLeadStore(isolated / "b.db") as target:
        assert _kept_in(target) == kept
    assert "copied 5 kept listings from http://" in capsys.readouterr().err


def test_copy_from_a_cluster_that_never_kept_a_listing_creates_nothing_there(
    isolated: Path, cluster: FakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["leads", "copy", "--from", cluster.es.url, "--to", f"sqlite:///{isolated / 'b.db'}"]) == 0
    assert "copied 0 kept listings" in capsys.readouterr().err
    assert set(cluster.indices) == {"netsword-leads-v1"} and "netsword-listings" not in cluster.aliases
    with ElasticLeadStore(cluster.es.url) as es:  # reads of a store without kept listings: empty, nothing made
        assert (es.count_listings(ListingQuery()), es.get_listing("taobao", "K0")) == (0, None)
        assert es.drop_listings(last_seen_before="2030-01-01T00:00:00Z") == 0
    assert set(cluster.indices) == {"netsword-leads-v1"}


def test_a_filtered_copy_leaves_listings_unless_asked(isolated: Path) -> None:
    kept = _source_db(isolated / "a.db")
    source = f"sqlite:///{isolated / 'a.db'}"
    assert main(["leads", "copy", "--from", source, "--to", f"sqlite:///{isolated / 'c.db'}", "--status", "new"]) == 0
    assert main(["leads", "copy", "--from", source, "--to", f"sqlite:///{isolated / 'd.db'}", "--no-listings"]) == 0
    assert main(["leads", "copy", "--from", source, "--to", f"sqlite:///{isolated / 'e.db'}", "--status", "new",
                 "--listings"]) == 0  # fmt: skip
    counts = []
    for name in ("c", "d", "e"):
        with SqliteLeadStore(isolated / f"{name}.db") as target:
            counts.append((target.count_listings(ListingQuery()), target.count(LeadQuery())))
    assert counts == [(0, 2), (0, 2), (len(kept), 2)]


def test_copy_to_elasticsearch_reports_kept_listings_the_cluster_refused(
    isolated: Path, cluster: FakeCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    _source_db(isolated / "a.db")
    cluster.indices["netsword-listings-v1"] = Index(blocked=True)  # an operator's block, not a reindex: no waiting
    cluster.aliases["netsword-listings"] = "netsword-listings-v1"
    assert main(["leads", "copy", "--from", f"sqlite:///{isolated / 'a.db'}", "--to", cluster.es.url]) == 1
    err = capsys.readouterr().err
    assert "copied 2 leads" in err and "5 kept listings not written" in err and "cluster_block_exception" in err


def test_reindex_rebuilds_the_kept_listings_and_loses_no_write_made_meanwhile(
    isolated: Path, cluster: FakeCluster, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ElasticLeadStore(cluster.es.url)
    writer = ElasticLeadStore(cluster.es.url)  # a crawl keeping listings meanwhile
    store.upsert_many([make_lead("L1")])
    base = [_seen(f"K{i}", "2024-05-01T00:00:00Z", run="r1") for i in range(4)]
    assert store.keep_listings(base).kept == 4
    late: list[Any] = []

    def during(pass_number: int) -> None:  # passes 1-3 copy the leads, 4-6 the kept listings
        if pass_number == 4:  # while the first copy of the listings runs: a new listing, a new sighting
            assert writer.keep_listings([_seen("K9", "2024-05-02T00:00:00Z", run="r2"),
                                         _seen("K0", "2024-05-02T00:00:00Z", run="r2", price=5)]).failed == 0  # fmt: skip
        if pass_number == 6:  # the old listings index is read-only now: this waits for the alias, then lands
            thread = threading.Thread(target=lambda: late.append(writer.keep_listings(
                [_seen("K1", "2024-05-03T00:00:00Z", run="r3")])))  # fmt: skip
            thread.start()
            cluster.wait_for_blocked_writes(1)
            late.append(thread)

    cluster.on_reindex = during
    monkeypatch.setenv("NETSWORD_STORE_URL", cluster.es.url)
    assert main(["leads", "reindex"]) == 0
    late.pop(0).join(timeout=10)
    out = capsys.readouterr().out
    assert "reindexed 1 leads netsword-leads-v1 → netsword-leads-v2" in out
    assert "reindexed 5 kept listings netsword-listings-v1 → netsword-listings-v2; netsword-listings-v1 kept" in out
    assert cluster.blocked_writes >= 1 and [r.failed for r in late] == [0]  # the blocked write waited, then landed
    assert cluster.aliases["netsword-listings"] == "netsword-listings-v2"
    assert cluster.indices["netsword-listings-v1"].blocked and cluster.indices["netsword-listings-v1"].meta == {
        "netsword_reindex_to": "netsword-listings-v2"
    }
    created = [r.json for r in cluster.es.sent("PUT", "/netsword-listings-v2")]
    assert created and created[0]["mappings"] == elastic_listings.mappings()  # under the current mappings
    moved = {k.listing_id: k for k in _kept_in(store)}
    assert set(moved) == {"K0", "K1", "K2", "K3", "K9"}
    assert (moved["K0"].times_seen, moved["K0"].listing["price"]) == (2, 5.0)  # the sighting during the copy
    assert (moved["K1"].times_seen, moved["K1"].last_seen) == (2, "2024-05-03T00:00:00Z")  # during the last pass
    store.close()
    writer.close()
