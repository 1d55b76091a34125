"""Lead store benchmark: upserts per second and query latency, each against a baseline measured in the same run.

    python benchmarks/store.py                 # SQLite with 1,000,000 leads
    python benchmarks/store.py --leads 100000  # smaller
    python benchmarks/store.py --quick         # 20,000 leads, fewer query repeats
    NETSWORD_TEST_ES_URL=http://127.0.0.1:9200 python benchmarks/store.py   # Elasticsearch too

Baselines: for SQLite, plain INSERTs of the same rows into a bare table (no indexes, no full-text, no history
rules) and the same queries on that table; for Elasticsearch, `helpers.bulk` index requests of the same documents
into a bare index with dynamic mappings. Ratios are store ÷ baseline (throughput) or store ÷ baseline (latency).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leads.store.aggregations import DashboardQuery  # noqa: E402
from leads.store.base import LeadQuery, LeadStore, first_sighting  # noqa: E402
from leads.store.sqlite import _COLUMNS, SqliteLeadStore, _row_of  # noqa: E402
from netsword.models import Lead, Reason, make_lead_id  # noqa: E402

PLATFORMS = ("taobao", "jd", "pdd", "1688", "xianyu", "douyin")
ENTRIES = tuple(f"tm-brand{i:02d}" for i in range(40)) + ("pat-bladeless-fan", "gi-yangchenghu-crab")
WORDS = (
    "耐克",
    "运动鞋",
    "高仿",
    "原单",
    "Air Max",
    "手提包",
    "LV",
    "Neverfull",
    "无叶风扇",
    "大闸蟹",
    "阳澄湖",
    "正品",
    "包邮",
)
STATUSES = ("new", "new", "new", "triaged", "confirmed", "dismissed")


def make_leads(count: int, *, seed: int = 0, day: int = 1) -> Iterator[Lead]:
    """Deterministic synthetic leads: the same `seed` and `count` give the same leads."""
    for i in range(count):
        n = i * 7919 + seed
        platform = PLATFORMS[n % len(PLATFORMS)]
        entry = ENTRIES[(n // 7) % len(ENTRIES)]
        title = " ".join(WORDS[(n // k) % len(WORDS)] for k in (1, 3, 11, 29)) + f" 款{i % 997}"
        seen = f"2024-{1 + (i // 28) % 12:02d}-{1 + i % 28:02d}T{day:02d}:00:00Z"
        listing = {"id": f"item{i}", "platform": platform, "url": f"https://{platform}.example/item{i}", "title": title,
                   "price": float(20 + n % 900), "currency": "CNY", "seller": {"id": f"s{n % 5000}", "name": f"店铺{n % 5000}"}}  # fmt: skip
        yield Lead(
            lead_id=make_lead_id(platform, f"item{i}", entry),
            listing_id=f"item{i}",
            platform=platform,
            url=listing["url"],
            entry_id=entry,
            kind="patent" if entry.startswith("pat") else "trademark",
            score=50 + n % 51,
            matched=WORDS[n % len(WORDS)],
            reasons=(Reason("mark_variant", "title contains the mark"),),
            listing=listing,
            first_seen=seen,
            last_seen=seen,
            owner=f"Owner {entry}",
        )


def batched(leads: Iterator[Lead], size: int) -> Iterator[list[Lead]]:
    batch: list[Lead] = []
    for lead in leads:
        batch.append(lead)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latency(fn: Callable[[], Any], repeats: int) -> float:
    """Median milliseconds of `repeats` runs after one warm-up."""
    fn()
    return statistics.median(timed(fn) for _ in range(repeats)) * 1000


def report(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print(
            "  " + "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        )


QUERIES: dict[str, LeadQuery] = {
    "filter platform+status, top 50 by score": LeadQuery(platform=("jd",), status=("new",)),
    "score range, newest 50": LeadQuery(min_score=90, sort="last_seen"),
    "full text 无叶风扇 (Chinese)": LeadQuery(text="无叶风扇"),
    "full text Neverfull (Latin)": LeadQuery(text="Neverfull"),
    "page 181 (offset 9,000)": LeadQuery(offset=9_000),
}
BARE_SQL = {
    "filter platform+status, top 50 by score": ("SELECT * FROM bare WHERE platform=? AND status=? ORDER BY score DESC, lead_id LIMIT 50", ("jd", "new")),
    "score range, newest 50": ("SELECT * FROM bare WHERE score>=? ORDER BY last_seen DESC, lead_id LIMIT 50", (90,)),
    "full text 无叶风扇 (Chinese)": ("SELECT * FROM bare WHERE title LIKE ? ORDER BY score DESC, lead_id LIMIT 50", ("%无叶风扇%",)),
    "full text Neverfull (Latin)": ("SELECT * FROM bare WHERE title LIKE ? ORDER BY score DESC, lead_id LIMIT 50", ("%Neverfull%",)),
    "page 181 (offset 9,000)": ("SELECT * FROM bare ORDER BY score DESC, lead_id LIMIT 50 OFFSET 9000", ()),
}  # fmt: skip


def bench_sqlite(count: int, batch: int, repeats: int, folder: Path) -> None:
    print(f"\nSQLite, {count:,} leads (batches of {batch:,})")
    bare = sqlite3.connect(folder / "bare.db")
    bare.execute("PRAGMA journal_mode=WAL")
    bare.execute("PRAGMA synchronous=NORMAL")
    bare.execute(f"CREATE TABLE bare ({', '.join(_COLUMNS)})")
    insert = f"INSERT INTO bare VALUES ({','.join('?' * len(_COLUMNS))})"  # noqa: S608 - fixed column count

    def load_bare() -> None:
        for chunk in batched(make_leads(count), batch):
            with bare:
                bare.executemany(insert, [_row_of(first_sighting(lead)) for lead in chunk])

    base_s = timed(load_bare)
    store = SqliteLeadStore(folder / "store.db")
    created = timed(lambda: _upsert_all(store, make_leads(count), batch))
    again_n = min(count, 100_000)
    again = timed(lambda: _upsert_all(store, make_leads(again_n, day=2), batch))
    rows = [("", "store", "baseline", "store ÷ baseline"),
            ("upserts/s, all new", f"{count / created:,.0f}", f"{count / base_s:,.0f}", f"{base_s / created:.2f}"),
            (f"upserts/s, {again_n:,} seen again", f"{again_n / again:,.0f}", f"{count / base_s:,.0f}", f"{(again_n / again) / (count / base_s):.2f}")]  # fmt: skip
    _query_rows(store, rows, repeats, lambda name: bare.execute(*BARE_SQL[name]).fetchall())
    store_count = store.count(LeadQuery())
    count_ms = latency(lambda: store.count(LeadQuery()), repeats)
    bare_count_ms = latency(lambda: bare.execute("SELECT count(*) FROM bare").fetchone(), repeats)
    rows.append(("count(all)", f"{count_ms:.2f} ms", f"{bare_count_ms:.2f} ms", f"{count_ms / bare_count_ms:.2f}"))
    report(rows)
    print(f"  (store holds {store_count:,} leads; baseline rows are bare INSERTs / unindexed queries of the same data)")
    store.close()
    bare.close()


def _upsert_all(store: LeadStore, leads: Iterator[Lead], batch: int) -> None:
    for chunk in batched(leads, batch):
        result = store.upsert_many(chunk)
        if result.failed:
            raise SystemExit(f"upsert failures: {result.errors[:3]}")


def _query_rows(
    store: LeadStore, rows: list[tuple[str, str, str, str]], repeats: int, baseline: Callable[[str], Any]
) -> None:
    for name, query in QUERIES.items():
        ms = latency(lambda q=query: store.search(q), repeats)
        base_ms = latency(lambda n=name: baseline(n), repeats)
        rows.append((f"query: {name}", f"{ms:.2f} ms", f"{base_ms:.2f} ms", f"{ms / base_ms:.2f}"))
    ms = latency(lambda: store.aggregate(LeadQuery()), max(3, repeats // 4))
    rows.append(("aggregations (per day×platform, tops)", f"{ms:.2f} ms", "", ""))
    dashboard = DashboardQuery(since="2024-06-01")
    ms = latency(lambda: store.dashboard(dashboard), max(3, repeats // 4))
    rows.append(("dashboard (per day since, tops, statuses, decisions)", f"{ms:.2f} ms", "", ""))
    export_n = min(store.count(LeadQuery()), 50_000)
    start = time.perf_counter()
    for i, _lead in enumerate(store.iter_leads(LeadQuery()), 1):
        if i >= export_n:
            break
    rows.append(
        (f"export (iter_leads) leads/s over {export_n:,}", f"{export_n / (time.perf_counter() - start):,.0f}", "", "")
    )


def bench_elastic(url: str, count: int, batch: int, repeats: int) -> None:
    from elasticsearch.helpers import bulk

    from leads.store.elastic import ElasticLeadStore
    from leads.store.elastic_client import ClientSettings, make_client
    from leads.store.elastic_mappings import doc_of

    settings = ClientSettings(api_key=os.environ.get("NETSWORD_TEST_ES_API_KEY", ""),
                              username=os.environ.get("NETSWORD_TEST_ES_USERNAME", ""),
                              password=os.environ.get("NETSWORD_TEST_ES_PASSWORD", ""),
                              ca_certs=os.environ.get("NETSWORD_TEST_ES_CA_CERTS", ""))  # fmt: skip
    prefix = f"nsbench-{uuid.uuid4().hex[:8]}"
    print(f"\nElasticsearch at {url}, {count:,} leads (index prefix {prefix})")
    store = ElasticLeadStore(url, index_prefix=prefix, client_settings=settings, replicas=0)
    client = make_client(url, settings)  # its own client for the bare baseline index and the clean-up
    bare = f"{prefix}-bare"
    try:
        client.indices.create(index=bare, settings={"number_of_replicas": 0})
        actions = (
            {"_index": bare, "_id": lead.lead_id, "_source": doc_of(first_sighting(lead))} for lead in make_leads(count)
        )
        base_s = timed(lambda: bulk(client, actions, chunk_size=batch))
        created = timed(lambda: _upsert_all(store, make_leads(count), batch))
        again_n = min(count, 100_000)
        again = timed(lambda: _upsert_all(store, make_leads(again_n, day=2), batch))
        client.indices.refresh(index=f"{prefix}-*")
        rows = [("", "store", "baseline", "store ÷ baseline"),
                ("upserts/s, all new", f"{count / created:,.0f}", f"{count / base_s:,.0f}", f"{base_s / created:.2f}"),
                (f"upserts/s, {again_n:,} seen again", f"{again_n / again:,.0f}", f"{count / base_s:,.0f}", f"{(again_n / again) / (count / base_s):.2f}")]  # fmt: skip
        from leads.store.elastic_query import query_of, sort_of

        _query_rows(store, rows, repeats, lambda name: client.search(index=bare, query=query_of(QUERIES[name]),
                                                                     sort=sort_of(QUERIES[name]), size=50))  # fmt: skip
        report(rows)
    finally:
        client.indices.delete(index=f"{prefix}-*", allow_no_indices=True)
        client.indices.delete_index_template(name=f"{prefix}-leads")
        client.close()
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 leads and fewer repeats")
    parser.add_argument("--batch", type=int, default=5000, help="leads per upsert_many call")
    parser.add_argument("--repeats", type=int, default=20, help="runs per query (the median is shown)")
    args = parser.parse_args()
    count = 20_000 if args.quick else args.leads
    repeats = 5 if args.quick else args.repeats
    with tempfile.TemporaryDirectory(prefix="netsword-bench-") as folder:
        bench_sqlite(count, args.batch, repeats, Path(folder))
    url = os.environ.get("NETSWORD_TEST_ES_URL", "")
    if url:
        bench_elastic(url, count, args.batch, repeats)
    else:
        print("\nElasticsearch: skipped (set NETSWORD_TEST_ES_URL to a cluster to measure it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
