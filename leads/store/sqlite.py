"""SQLite lead store: WAL mode, idempotent upserts by lead_id, FTS5 title search, versioned schema."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from leads.store import sqlite_listings
from leads.store.aggregations import (
    Bucket,
    DashboardFigures,
    DashboardQuery,
    DayBucket,
    DecisionBucket,
    LeadAggregations,
    ranked,
)
from leads.store.base import (
    CREATED,
    TAKEN_DOWN,
    LeadQuery,
    LeadStore,
    StatusChange,
    Stored,
    StoreError,
    UpsertReport,
    check_status,
    first_sighting,
    merge_seen,
    page_after,
    taken_down,
)
from leads.store.listings import KeptListing, ListingQuery, ListingReport
from leads.store.sqlite_schema import migrate
from netsword.models import PARCEL_PLATFORM, Lead, Reason, utc_now
from netsword.sqlite_db import connect, transaction

_COLUMNS = (
    "lead_id", "listing_id", "platform", "url", "entry_id", "kind", "score", "matched", "reasons", "listing",
    "title", "seller", "price", "owner", "cited_number", "first_seen", "last_seen", "status", "times_seen",
    "assignee", "price_history", "last_run",
)  # fmt: skip
_IN_CHUNK = 500  # ids per SELECT … IN (…): well under SQLite's variable limit
_WRITE_CHUNK = 5000  # rows per executemany in put_raw: bounded memory for any size of copy
_ORDER = {
    "score": "score DESC, lead_id",
    "last_seen": "last_seen DESC, lead_id",
    "first_seen": "first_seen DESC, lead_id",
}


def _row_of(lead: Lead) -> tuple[Any, ...]:
    return (
        lead.lead_id, lead.listing_id, lead.platform, lead.url, lead.entry_id, lead.kind, lead.score, lead.matched,
        json.dumps([r.to_dict() for r in lead.reasons], ensure_ascii=False),
        json.dumps(dict(lead.listing), ensure_ascii=False, sort_keys=True),
        lead.title, lead.seller_name, lead.price, lead.owner, lead.cited_number, lead.first_seen, lead.last_seen,
        lead.status, lead.times_seen, lead.assignee,
        json.dumps([dict(p) for p in lead.price_history], ensure_ascii=False), lead.last_run,
    )  # fmt: skip


def _lead_of(row: sqlite3.Row) -> Lead:
    return Lead(
        lead_id=row["lead_id"],
        listing_id=row["listing_id"],
        platform=row["platform"],
        url=row["url"],
        entry_id=row["entry_id"],
        kind=row["kind"],
        score=row["score"],
        matched=row["matched"],
        reasons=tuple(Reason.from_dict(r) for r in json.loads(row["reasons"])),
        listing=json.loads(row["listing"]),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        status=row["status"],
        cited_number=row["cited_number"],
        times_seen=row["times_seen"],
        price_history=tuple(json.loads(row["price_history"])),
        owner=row["owner"],
        assignee=row["assignee"],
        last_run=row["last_run"],
    )


def fts_phrase(text: str) -> str:
    """Quote user text as one FTS5 phrase so that no query syntax from it is interpreted."""
    return '"' + text.replace('"', '""') + '"'


class SqliteLeadStore(LeadStore):
    """Leads in one SQLite file. Safe to share between threads (one connection, one lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self.conn = connect(self.path)
        self.schema_version = migrate(self.conn)

    def upsert_many(self, leads: Iterable[Lead]) -> UpsertReport:
        """Merge each lead into what is stored; the stored rows are read and written in chunks, not one by one.

        The read happens inside the write transaction (BEGIN IMMEDIATE), so a status set or a sighting stored by
        another process between read and write cannot be overwritten. A failed write stores none of the batch and
        reports every sighting failed.
        """
        report = UpsertReport()
        placeholders = ",".join("?" * len(_COLUMNS))
        update = ",".join(f"{c}=excluded.{c}" for c in _COLUMNS[1:])
        sql = f"INSERT INTO leads ({','.join(_COLUMNS)}) VALUES ({placeholders}) ON CONFLICT(lead_id) DO UPDATE SET {update}"  # noqa: S608 - fixed column names
        batch = list(leads)
        if not batch:
            return report
        stored: list[Stored] = []
        try:
            with self._lock, transaction(self.conn):
                known = self._stored([lead.lead_id for lead in batch])
                for lead in batch:  # in order: the same lead twice in one batch is merged twice
                    old = known.get(lead.lead_id)
                    merged, outcome = (first_sighting(lead), CREATED) if old is None else merge_seen(old, lead)
                    known[lead.lead_id] = merged
                    stored.append(Stored(merged, outcome))
                written = {lead.lead_id: known[lead.lead_id] for lead in batch}
                self.conn.executemany(sql, [_row_of(lead) for lead in written.values()])
        except sqlite3.Error as exc:
            report.failed = len(batch)
            report.errors.append(f"SQLite {self.path}: {exc}")
            report.stored = [None] * len(batch)
            return report
        for item in stored:
            report.add(item.outcome)
        report.stored = list(stored)
        return report

    def _stored(self, lead_ids: list[str]) -> dict[str, Lead]:
        found: dict[str, Lead] = {}
        unique = list(dict.fromkeys(lead_ids))
        for start in range(0, len(unique), _IN_CHUNK):
            chunk = unique[start : start + _IN_CHUNK]
            sql = f"SELECT * FROM leads WHERE lead_id IN ({','.join('?' * len(chunk))})"  # noqa: S608 - placeholders only
            found.update((row["lead_id"], _lead_of(row)) for row in self.conn.execute(sql, chunk))
        return found

    def put_raw(self, leads: Iterable[Lead], *, status_logs: Mapping[str, list[StatusChange]] | None = None) -> int:
        """One transaction, rows written with executemany in chunks (a million-lead copy or benchmark build).

        An upsert (not INSERT OR REPLACE) keeps the row, so its rowid, full-text entry and status log stay; a lead
        in `status_logs` has its log replaced by the one given.
        """
        placeholders = ",".join("?" * len(_COLUMNS))
        update = ",".join(f"{c}=excluded.{c}" for c in _COLUMNS[1:])
        sql = f"INSERT INTO leads ({','.join(_COLUMNS)}) VALUES ({placeholders}) ON CONFLICT(lead_id) DO UPDATE SET {update}"  # noqa: S608 - fixed column names
        count = 0
        it = iter(leads)
        with self._lock, transaction(self.conn):
            while chunk := list(islice(it, _WRITE_CHUNK)):
                self.conn.executemany(sql, [_row_of(lead) for lead in chunk])
                count += len(chunk)
                logs = {lead.lead_id: status_logs[lead.lead_id] for lead in chunk
                        if status_logs and lead.lead_id in status_logs}  # fmt: skip
                if logs:
                    self.conn.executemany("DELETE FROM lead_status_history WHERE lead_id = ?", [(i,) for i in logs])
                    self.conn.executemany(
                        "INSERT INTO lead_status_history(lead_id, at, before, after, assignee) VALUES (?, ?, ?, ?, ?)",
                        [(i, c["at"], c["before"], c["after"], c.get("assignee", "")) for i, log in logs.items()
                         for c in log],
                    )  # fmt: skip
        return count

    def status_logs(self, lead_ids: Iterable[str]) -> dict[str, list[StatusChange]]:
        wanted = list(dict.fromkeys(lead_ids))
        logs: dict[str, list[StatusChange]] = {}
        with self._lock:
            for start in range(0, len(wanted), _IN_CHUNK):
                chunk = wanted[start : start + _IN_CHUNK]
                sql = ("SELECT lead_id, at, before, after, assignee FROM lead_status_history "  # noqa: S608
                       f"WHERE lead_id IN ({','.join('?' * len(chunk))}) ORDER BY id")  # fmt: skip
                for r in self.conn.execute(sql, chunk):
                    logs.setdefault(r["lead_id"], []).append(
                        StatusChange(at=r["at"], before=r["before"], after=r["after"], assignee=r["assignee"])
                    )
        return logs

    def keep_listings(self, sightings: Iterable[KeptListing]) -> ListingReport:
        """Read and write under the write lock (BEGIN IMMEDIATE) like `upsert_many`; a failed write keeps none of
        the batch and reports each sighting failed with SQLite's reason."""
        batch = list(sightings)
        if not batch:
            return ListingReport()
        try:
            with self._lock, transaction(self.conn):
                _, outcomes = sqlite_listings.keep(self.conn, batch)
        except sqlite3.Error as exc:
            report = ListingReport()
            for _ in batch:
                report.fail(f"SQLite {self.path}: {exc}")
            return report
        return sqlite_listings.report_of(outcomes)

    def put_listings(self, listings: Iterable[KeptListing]) -> int:
        """One transaction, in chunks; a failed write keeps none and is a StoreError."""
        count = 0
        it = iter(listings)
        try:
            with self._lock, transaction(self.conn):
                while chunk := list(islice(it, _WRITE_CHUNK)):
                    sqlite_listings.put(self.conn, chunk)
                    count += len(chunk)
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite {self.path}: kept listings not written: {exc}") from exc
        return count

    def get_listing(self, platform: str, listing_id: str) -> KeptListing | None:
        with self._lock:
            return sqlite_listings.stored(self.conn, [(platform, listing_id)]).get((platform, listing_id))

    def iter_listings(self, query: ListingQuery) -> Iterator[KeptListing]:
        return sqlite_listings.iterate(self.conn, query, self._lock)

    def count_listings(self, query: ListingQuery) -> int:
        where, params = sqlite_listings.where_of(query)
        with self._lock:
            return int(self.conn.execute(f"SELECT count(*) FROM listings WHERE {where}", params).fetchone()[0])  # noqa: S608

    def drop_listings(self, *, last_seen_before: str) -> int:
        with self._lock, transaction(self.conn):
            return self.conn.execute("DELETE FROM listings WHERE last_seen < ?", (last_seen_before,)).rowcount

    def mark_taken_down(self, lead_id: str, *, reason: str, at: str) -> Lead:
        with self._lock, transaction(self.conn):  # read and write under the write lock: no sighting lost between
            lead = self.get(lead_id)
            if lead is None:
                raise StoreError(f"no lead {lead_id!r}")
            if lead.listing.get("availability") == TAKEN_DOWN:
                return lead
            marked = taken_down(lead, reason=reason, at=at)
            listing = json.dumps(dict(marked.listing), ensure_ascii=False, sort_keys=True)
            self.conn.execute("UPDATE leads SET listing = ? WHERE lead_id = ?", (listing, lead_id))
        return marked

    def get(self, lead_id: str) -> Lead | None:
        with self._lock:
            row = self.conn.execute("SELECT * FROM leads WHERE lead_id = ?", (lead_id,)).fetchone()
        return _lead_of(row) if row else None

    def get_many(self, lead_ids: Iterable[str]) -> list[Lead]:
        wanted = list(dict.fromkeys(lead_ids))
        with self._lock:
            found = self._stored(wanted)
        return [found[lead_id] for lead_id in wanted if lead_id in found]

    def _where(self, query: LeadQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        for column in ("status", "kind", "platform", "entry_id", "owner", "listing_id"):
            values = getattr(query, column)
            if values:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        for column, op, value in (
            ("assignee", "=", query.assignee),
            ("seller", "=", query.seller),
            ("score", ">=", query.min_score),
            ("score", "<=", query.max_score),
            ("last_seen", ">=", query.since),
            ("last_seen", "<", query.until),
        ):
            if value is not None:
                clauses.append(f"{column} {op} ?")
                params.append(value)
        if query.exclude_parcels:
            clauses.append("kind != 'parcel_pattern' AND platform != ? AND platform NOT LIKE 'parcel:%'")
            params.append(PARCEL_PLATFORM)
        if query.after is not None:
            column = _ORDER[query.sort].split()[0] if query.sort in _ORDER else "score"
            value, lead_id = query.after
            clauses.append(f"({column} < ? OR ({column} = ? AND lead_id > ?))")
            params.extend([value, value, lead_id])
        if query.text.strip():
            text = query.text.strip()
            if len(text) >= 3:
                clauses.append("rowid IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?)")
                params.append(fts_phrase(text))
            else:  # the trigram index needs three characters; shorter words fall back to a scan
                clauses.append("(title LIKE ? ESCAPE '\\' OR matched LIKE ? ESCAPE '\\')")
                like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                params.extend([like, like])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def search(self, query: LeadQuery) -> list[Lead]:
        if query.sort not in _ORDER:
            raise StoreError(f"sort must be one of {', '.join(_ORDER)}, got {query.sort!r}")
        if query.after is not None and query.offset:
            raise StoreError("a query with `after` (keyset paging) must have offset 0")
        where, params = self._where(query)
        # `where` holds fixed column names and ? placeholders only; every value is a bound parameter
        sql = f"SELECT * FROM leads{where} ORDER BY {_ORDER[query.sort]} LIMIT ? OFFSET ?"  # noqa: S608
        with self._lock:
            rows = self.conn.execute(sql, [*params, query.limit, query.offset]).fetchall()
        return [_lead_of(r) for r in rows]

    def count(self, query: LeadQuery) -> int:
        where, params = self._where(query)
        with self._lock:
            return int(self.conn.execute(f"SELECT count(*) FROM leads{where}", params).fetchone()[0])  # noqa: S608

    def iter_leads(self, query: LeadQuery) -> Iterator[Lead]:
        """Pages of 1000 by keyset (`after` the last lead of the page before), so a deep export stays fast."""
        page = 1000
        after = query.after
        while True:
            batch = self.search(replace(query, limit=page, offset=0, after=after))
            yield from batch
            if len(batch) < page:
                return
            after = page_after(batch[-1], query.sort)

    def aggregate(self, query: LeadQuery, *, top: int = 10) -> LeadAggregations:
        where, params = self._where(query)
        # `where` holds fixed column names and ? placeholders only; every value is a bound parameter
        dated = f"{where} {'AND' if where else 'WHERE'} first_seen != ''"
        with self._lock:
            total = int(self.conn.execute(f"SELECT count(*) FROM leads{where}", params).fetchone()[0])  # noqa: S608
            days = self.conn.execute(
                f"SELECT substr(first_seen, 1, 10) AS day, platform, count(*) FROM leads{dated} "  # noqa: S608
                "GROUP BY day, platform ORDER BY day, platform",
                params,
            ).fetchall()
            tops = {}
            for name, column, extra in (("entries", "entry_id", ""), ("sellers", "seller", " AND seller != ''"),
                                        ("platforms", "platform", "")):  # fmt: skip
                sql = (f"SELECT {column}, count(*) AS n FROM leads{where or ' WHERE 1=1'}{extra} "  # noqa: S608
                       f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?")  # fmt: skip
                tops[name] = tuple(Bucket(r[0], r[1]) for r in self.conn.execute(sql, [*params, top]).fetchall())
        return LeadAggregations(
            total=total,
            per_day=tuple(DayBucket(r[0], r[1], r[2]) for r in days),
            top_entries=tops["entries"],
            top_sellers=tops["sellers"],
            top_platforms=tops["platforms"],
        )

    def set_status(self, lead_id: str, status: str, *, assignee: str | None = None) -> Lead:
        check_status(status)
        with self._lock, transaction(self.conn):
            lead = self.get(lead_id)
            if lead is None:
                raise StoreError(f"no lead {lead_id!r}")
            new_assignee = lead.assignee if assignee is None else assignee
            self.conn.execute(
                "UPDATE leads SET status = ?, assignee = ? WHERE lead_id = ?", (status, new_assignee, lead_id)
            )
            self.conn.execute(
                "INSERT INTO lead_status_history(lead_id, at, before, after, assignee) VALUES (?, ?, ?, ?, ?)",
                (lead_id, utc_now(), lead.status, status, new_assignee),
            )
        return lead.with_changes(status=status, assignee=new_assignee)

    def status_history(self, lead_id: str) -> list[StatusChange]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT at, before, after, assignee FROM lead_status_history WHERE lead_id = ? ORDER BY id", (lead_id,)
            ).fetchall()
        return [StatusChange(at=r["at"], before=r["before"], after=r["after"], assignee=r["assignee"]) for r in rows]

    def dashboard(self, query: DashboardQuery) -> DashboardFigures:
        """Five GROUP BY queries (statuses and kinds share one); the per-day series use the first_seen index, the rest scan the scope's leads."""
        where, params = self._where(LeadQuery.within(query.scope))
        # `where` holds fixed column names and ? placeholders only; every value is a bound parameter
        also = f"{where} AND" if where else " WHERE"
        in_scope = f" AND h.lead_id IN (SELECT lead_id FROM leads{where})" if where else ""  # noqa: S608
        with self._lock:
            new = self.conn.execute(
                f"SELECT substr(first_seen, 1, 10) AS day, platform, count(*) FROM leads{also} first_seen >= ? "  # noqa: S608
                "GROUP BY day, platform ORDER BY day, platform",
                [*params, query.since],
            ).fetchall()
            tops = {}
            for column, extra in (("entry_id", ""), ("seller", " AND seller != ''")):
                sql = (f"SELECT {column}, count(*) AS n FROM leads{where or ' WHERE 1=1'}{extra} "  # noqa: S608
                       f"GROUP BY {column} ORDER BY n DESC, {column} LIMIT ?")  # fmt: skip
                tops[column] = [Bucket(r[0], r[1]) for r in self.conn.execute(sql, [*params, query.top]).fetchall()]
            # statuses and kinds in one scan of the scope's leads
            counted = self.conn.execute(f"SELECT status, kind, count(*) FROM leads{where} GROUP BY status, kind",  # noqa: S608
                                        params).fetchall()  # fmt: skip
            statuses, kinds = Counter[str](), Counter[str]()
            for status, kind, n in counted:
                statuses[status] += n
                kinds[kind] += n
            by_status = ranked(Bucket(k, n) for k, n in statuses.items())
            decisions = self.conn.execute(
                "SELECT substr(h.at, 1, 10) AS day, h.after, count(*) FROM lead_status_history h "  # noqa: S608
                f"WHERE h.at >= ? AND h.after != h.before{in_scope} GROUP BY day, h.after ORDER BY day, h.after",
                [query.since, *params],
            ).fetchall()
        return DashboardFigures(
            new_per_day=tuple(DayBucket(r[0], r[1], r[2]) for r in new),
            top_entries=tuple(tops["entry_id"]),
            top_sellers=tuple(tops["seller"]),
            by_status=by_status,
            decisions_per_day=tuple(DecisionBucket(r[0], r[1], r[2]) for r in decisions),
            by_kind=ranked(Bucket(k, n) for k, n in kinds.items()),
        )

    def integrity_problems(self) -> list[str]:
        with self._lock:
            try:
                rows = [str(r[0]) for r in self.conn.execute("PRAGMA quick_check(5)").fetchall()]
            except sqlite3.DatabaseError as exc:
                return [f"{self.path}: {exc}"]
        return [] if rows == ["ok"] else [f"{self.path}: {row}" for row in rows]

    def analyze(self) -> None:
        """Refresh the query planner's statistics (ANALYZE) after a bulk load, so that filters pick the right index."""
        with self._lock:
            self.conn.execute("ANALYZE")

    def close(self) -> None:
        with self._lock:
            self.conn.close()
