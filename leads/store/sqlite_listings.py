"""Kept listings in the SQLite store (table `listings`, migration 6): merged by `merge_listing`, read in key order."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from leads.store.listings import KeptListing, ListingQuery, ListingReport, merge_listing

_COLUMNS = ("platform", "listing_id", "listing", "first_seen", "last_seen", "times_seen", "last_run")
_UPSERT = (
    f"INSERT INTO listings ({','.join(_COLUMNS)}) VALUES ({','.join('?' * len(_COLUMNS))}) "  # noqa: S608 - fixed names
    "ON CONFLICT(platform, listing_id) DO UPDATE SET " + ",".join(f"{c}=excluded.{c}" for c in _COLUMNS[2:])
)
_IN_CHUNK = 400  # (platform, listing_id) pairs per SELECT: two variables each, under SQLite's limit
PAGE = 1000


def row_of(kept: KeptListing) -> tuple[Any, ...]:
    listing = json.dumps(dict(kept.listing), ensure_ascii=False, sort_keys=True)
    return (kept.platform, kept.listing_id, listing, kept.first_seen, kept.last_seen, kept.times_seen, kept.last_run)


def kept_of(row: sqlite3.Row) -> KeptListing:
    return KeptListing(
        platform=row["platform"],
        listing_id=row["listing_id"],
        listing=json.loads(row["listing"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        times_seen=row["times_seen"],
        last_run=row["last_run"],
    )


def stored(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> dict[tuple[str, str], KeptListing]:
    found: dict[tuple[str, str], KeptListing] = {}
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        where = " OR ".join("(platform = ? AND listing_id = ?)" for _ in chunk)
        params = [value for key in chunk for value in key]
        for row in conn.execute(f"SELECT * FROM listings WHERE {where}", params):  # noqa: S608 - placeholders only
            found[(row["platform"], row["listing_id"])] = kept_of(row)
    return found


def keep(conn: sqlite3.Connection, sightings: list[KeptListing]) -> tuple[list[KeptListing], list[str]]:
    """Merge the sightings (in order) into what is stored and write each listing once; the caller holds the
    write transaction. Returns the listings to report and each sighting's outcome."""
    known = stored(conn, [(s.platform, s.listing_id) for s in sightings])
    outcomes: list[str] = []
    for sighting in sightings:
        key = (sighting.platform, sighting.listing_id)
        known[key], outcome = merge_listing(known.get(key), sighting)
        outcomes.append(outcome)
    written = {(s.platform, s.listing_id): known[(s.platform, s.listing_id)] for s in sightings}
    conn.executemany(_UPSERT, [row_of(kept) for kept in written.values()])
    return list(written.values()), outcomes


def put(conn: sqlite3.Connection, listings: list[KeptListing]) -> None:
    """Write the listings as given, replacing the stored ones (copies); the caller holds the write transaction."""
    conn.executemany(_UPSERT, [row_of(kept) for kept in listings])


def report_of(outcomes: list[str]) -> ListingReport:
    report = ListingReport()
    for outcome in outcomes:
        report.add(outcome)
    return report


def where_of(query: ListingQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if query.platform:
        clauses.append(f"platform IN ({','.join('?' * len(query.platform))})")
        params.extend(query.platform)
    if query.since:
        clauses.append("last_seen >= ?")
        params.append(query.since)
    if query.until:
        clauses.append("last_seen < ?")
        params.append(query.until)
    return " AND ".join(clauses) or "1=1", params


def page(conn: sqlite3.Connection, query: ListingQuery, after: tuple[str, str] | None) -> list[KeptListing]:
    """The next PAGE kept listings in (platform, listing_id) order after `after`: keyset paging, no offsets."""
    where, params = where_of(query)
    if after is not None:
        where += " AND (platform, listing_id) > (?, ?)"
        params.extend(after)
    sql = f"SELECT * FROM listings WHERE {where} ORDER BY platform, listing_id LIMIT ?"  # noqa: S608 - placeholders only
    return [kept_of(row) for row in conn.execute(sql, [*params, PAGE])]


def iterate(conn: sqlite3.Connection, query: ListingQuery, lock: Any) -> Iterator[KeptListing]:
    after: tuple[str, str] | None = None
    while True:
        with lock:
            batch = page(conn, query, after)
        yield from batch
        if len(batch) < PAGE:
            return
        after = (batch[-1].platform, batch[-1].listing_id)
