"""The dashboard's figures as the page draws them, per reader's scope, cached for CACHE_SECONDS.

The counting is the store's (`LeadStore.dashboard`, the same on SQLite and Elasticsearch); this module only picks
the days shown, reshapes the figures for the charts and keeps them for a minute, because counting a million leads
takes about a second.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from leads.store import DashboardFigures, DashboardQuery, LeadStore, Scope

__all__ = ["CACHE_SECONDS", "DECISIONS", "Dashboard", "DashboardCache", "Scope", "day_range"]

CACHE_SECONDS = 60.0
DECISIONS = ("triaged", "confirmed", "dismissed", "referred")
TOP = 10


@dataclass
class Dashboard:
    days: list[str]
    per_day: dict[str, dict[str, int]] = field(default_factory=dict)  # platform -> day -> leads first seen
    top_entries: list[tuple[str, int]] = field(default_factory=list)
    top_sellers: list[tuple[str, int]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)  # leads per kind (trademark, licence_*, copyright …)
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)  # status after -> day -> count
    computed_at: float = 0.0

    @classmethod
    def of(cls, figures: DashboardFigures, days: list[str]) -> Dashboard:
        board = cls(days=days)
        for bucket in figures.new_per_day:
            board.per_day.setdefault(bucket.platform, {})[bucket.day] = bucket.count
        board.top_entries = [(b.key, b.count) for b in figures.top_entries]
        board.top_sellers = [(b.key, b.count) for b in figures.top_sellers]
        board.by_status = {b.key: b.count for b in figures.by_status}
        board.by_kind = {b.key: b.count for b in figures.by_kind}
        for decision in figures.decisions_per_day:
            board.decisions.setdefault(decision.status, {})[decision.day] = decision.count
        return board


def day_range(days: int, today: datetime | None = None) -> list[str]:
    today = today or datetime.now(UTC)
    return [(today - timedelta(days=n)).strftime("%Y-%m-%d") for n in range(days - 1, -1, -1)]


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
        board = Dashboard.of(self.store.dashboard(DashboardQuery(since=days[0], scope=scope, top=TOP)), days)
        board.computed_at = time.monotonic()
        with self._lock:
            self._cache[scope] = board
        return board

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

