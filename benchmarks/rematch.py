"""`netsword rematch` speed: listings per second re-matched from the store against the bare matcher, same run.

Builds a SQLite store of N kept listings (default 1,000,000 synthetic listings from benchmarks/match_speed.py, a
fifth of them naming one of 10,000 synthetic marks), then measures, over the very same listings:
- bare matcher: `leads.process.find_leads` on listings generated in memory (no store; only matching is timed);
- rematch: `leads.listings_rematch.rematch` — read the kept listings from the store in pages, rebuild each Listing,
  match, and write the leads through a LeadSink (the first run creates them all: the worst case, every lead new);
- rematch again: the same, when every lead is already stored as found (the everyday case after a small change).
Rates are listings per second of this process's CPU time (`time.process_time`, immune to other processes' load) and
of wall time. Usage: `python benchmarks/rematch.py [--listings N] [--marks M] [--db PATH]`.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.match_speed import synthetic_listings, synthetic_marks  # noqa: E402
from leads.listings_rematch import rematch  # noqa: E402
from leads.process import find_leads  # noqa: E402
from leads.sink import LeadSink  # noqa: E402
from leads.store.listings import ListingQuery, sighting  # noqa: E402
from leads.store.sqlite import SqliteLeadStore  # noqa: E402
from matchers import compile_index  # noqa: E402
from netsword.models import Listing  # noqa: E402

CHUNK = 10_000
SEEN = "2026-11-01T00:00:00Z"


def listings(n: int, watchlist, seed: int = 7) -> Iterator[Listing]:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    made = 0
    while made < n:
        for listing in synthetic_listings(min(CHUNK, n - made), watchlist, rng):
            yield Listing(**{**listing.__dict__, "id": f"b{made}", "crawled_at": SEEN})
            made += 1


def timed(label: str, n: int, work) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if isinstance(result, tuple):  # the work timed itself (only the part that counts)
        cpu, wall, result = result
    print(f"{label:34s} {n / cpu:9,.0f} listings/s CPU  {n / wall:9,.0f} listings/s wall  ({cpu:.1f} s CPU, "
          f"{wall:.1f} s wall){'  ' + result if isinstance(result, str) else ''}", flush=True)  # fmt: skip
    return n / cpu, n / wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=1_000_000)
    parser.add_argument("--marks", type=int, default=10_000)
    parser.add_argument("--db", help="SQLite file to build (default: a temporary directory)")
    args = parser.parse_args()
    watchlist = synthetic_marks(args.marks, random.Random(1))
    index = compile_index(watchlist)
    n = args.listings
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "rematch.db"
        with SqliteLeadStore(path) as store:
            wall = time.perf_counter()
            batch = []
            for listing in listings(n, watchlist):
                batch.append(sighting(listing))
                if len(batch) == 5000:
                    store.keep_listings(batch)
                    batch = []
            store.keep_listings(batch)
            kept = store.count_listings(ListingQuery())
            print(f"built: {kept:,} kept listings in {time.perf_counter() - wall:.0f} s, "
                  f"{path.stat().st_size / 2**20:,.0f} MiB; {args.marks:,} marks", flush=True)  # fmt: skip

            def bare() -> tuple[float, float, str]:
                """Match only: the listings are made in chunks first, and making them is not timed."""
                cpu = wall = 0.0
                found = 0
                it = listings(n, watchlist)
                while chunk := [listing for _, listing in zip(range(CHUNK), it, strict=False)]:
                    c, w = time.process_time(), time.perf_counter()
                    found += sum(len(find_leads(listing, index)) for listing in chunk)
                    cpu, wall = cpu + time.process_time() - c, wall + time.perf_counter() - w
                return cpu, wall, f"{found:,} leads"

            def again() -> str:
                report = rematch(LeadSink(store), lambda _listing: index, ListingQuery(since="2026-10-01"))
                return (f"{report.listings:,} read, {report.leads.created:,} new, {report.leads.updated:,} updated, "
                        f"{report.already:,} already stored")  # fmt: skip

            bare_cpu, bare_wall = timed("bare matcher (in memory)", n, bare)
            first_cpu, first_wall = timed("rematch from store, all leads new", n, again)
            cpu, wall = timed("rematch from store, again", n, again)
    print(f"rematch / bare matcher (CPU): {first_cpu / bare_cpu:.2f}× with every lead new, {cpu / bare_cpu:.2f}× "
          f"when all are stored; wall: {first_wall / bare_wall:.2f}×, {wall / bare_wall:.2f}×")  # fmt: skip


if __name__ == "__main__":
    main()
