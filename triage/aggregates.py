"""Dashboard figures: leads per day by platform, top entries and sellers, leads by status, decisions per day.

Uses the store's own aggregation when it offers `dashboard_counts`; for SqliteLeadStore it runs read-only,
parameterised SQL on a separate read-only connection; other stores get the counts their contract allows.
Results are cached for CACHE_SECONDS because a full scan of a million leads takes about a second.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leads.store import LeadQuery, LeadStore
from netsword.models import LEAD_STATUSES

CACHE_SECONDS = 60.0
DECISIONS = ("triaged", "confirmed", "dismissed", "referred")


@dataclass
class Dashboard:
    days: list[str]
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # platform -> day -> leads first seen
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    top_sellers: list[tuple[str, int]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)  # status after -> day -> count
    computed_at: float = 0.0


@dataclass(frozen=True)
class Scope:
    """A viewer's limits; empty tuples mean no limit."""

    owners: tuple[str, ...] = ()
    entries: tuple[str, ...] = ()

    def clause(self, prefix: str = "") -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []
        for column, values in (("owner", self.owners), ("entry_id", self.entries)):
            if values:
                parts.append(f"{prefix}{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        return " AND ".join(parts), params


def day_range(days: int, today: datetime | None = None) -> list[str]:
    today = today or datetime.now(UTC)
    return [(today - timedelta(days=n)).strftime("%Y-%m-%d") for n in range(days - 1, -1, -1)]


def _select(head: str, *clauses: str, tail: str = "") -> str:
    """`head WHERE clauses tail`; the clauses are fixed text with ? placeholders, never user input."""
    kept = [c for c in clauses if c]
    where = (" WHERE " + " AND ".join(kept)) if kept else ""
    return f"{head}{where} {tail}"  # noqa: S608 - fixed fragments; values are bound parameters


def sqlite_dashboard(path: str, scope: Scope, days: Sequence[str]) -> Dashboard:
    """Every figure in a handful of GROUP BY queries; all values are bound parameters."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30)
    try:
        scope_sql, scope_params = scope.clause()
        board = Dashboard(days=list(days))
        sql = _select(
            "SELECT substr(first_seen, 1, 10) AS day, platform, count(*) FROM leads",
            "first_seen >= ?", scope_sql, tail="GROUP BY day, platform",
        )  # fmt: skip
        for day, platform, n in conn.execute(sql, [days[0], *scope_params]):
            board.per_day.setdefault(platform, {})[day] = n
        sql = _select(
            "SELECT entry_id, count(*) AS n FROM leads", scope_sql, tail="GROUP BY entry_id ORDER BY n DESC LIMIT 10"
        )
        board.top_entries = [(r[0], r[1]) for r in conn.execute(sql, scope_params)]
        sql = _select(
            "SELECT seller, count(*) AS n FROM leads", "seller != ''", scope_sql,
            tail="GROUP BY seller ORDER BY n DESC LIMIT 10",
        )  # fmt: skip
        board.top_sellers = [(r[0], r[1]) for r in conn.execute(sql, scope_params)]
        sql = _select("SELECT status, count(*) FROM leads", scope_sql, tail="GROUP BY status")
        board.by_status = {r[0]: r[1] for r in conn.execute(sql, scope_params)}
        scoped_sql, _ = scope.clause("l.")
        head = "SELECT substr(h.at, 1, 10) AS day, h.after, count(*) FROM lead_status_history h"
        if scoped_sql:
            head += " JOIN leads l ON l.lead_id = h.lead_id"
        sql = _select(
            head,
            "h.at >= ?", scoped_sql, tail="GROUP BY day, h.after",
        )  # fmt: skip
        try:
            for day, after, n in conn.execute(sql, [days[0], *scope_params]):
                board.decisions.setdefault(after, {})[day] = n
        except sqlite3.OperationalError:  # an older store without status history: no decisions to show
            pass
        return board
    finally:
        conn.close()


def generic_dashboard(store: LeadStore, scope: Scope, days: Sequence[str]) -> Dashboard:
    """What any LeadStore can answer through count(): leads by status only."""
    board = Dashboard(days=list(days))
    for status in LEAD_STATUSES:
        board.by_status[status] = store.count(LeadQuery(status=(status,), owner=scope.owners, entry_id=scope.entries))
    return board


class DashboardCache:
    """Computes dashboards per scope, at most once per CACHE_SECONDS."""

    def __init__(self, store: LeadStore, days: int = 30, ttl: float = CACHE_SECONDS) -> None:
        self.store = store
        self.days = days
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cache: dict[Scope, Dashboard] = {}

    def get(self, scope: Scope) -> Dashboard:
        with self._lock:
            cached = self._cache.get(scope)
            if cached and time.monotonic() - cached.computed_at < self.ttl:
                return cached
        days = day_range(self.days)
        custom = getattr(self.store, "dashboard_counts", None)
        path = getattr(self.store, "path", None)
        if callable(custom):
            board = custom(owners=scope.owners, entries=scope.entries, days=days)
        elif isinstance(path, str) and path != ":memory:" and hasattr(self.store, "status_history"):
            board = sqlite_dashboard(path, scope, days)
        else:
            board = generic_dashboard(self.store, scope, days)
        board.computed_at = time.monotonic()
        with self._lock:
            self._cache[scope] = board
        return board

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()
