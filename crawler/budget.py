"""Daily request budgets per platform (`crawler.daily_requests`, "PLATFORM=N"), kept in `<var_dir>/crawl_budget.db`
so that every run of the day — one after another or at the same time — draws on the same budget.

`RequestBudget.take(platform)` spends one request in one short transaction (an atomic `UPDATE … WHERE used < limit`),
so two crawls never spend the same request twice. The day is the calendar day in `scheduler.timezone` (Asia/Shanghai
by default): the budget is whole again at midnight there.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.errors import CrawlSetupError
from crawler.platform_config import per_platform
from netsword.sqlite_db import connect, transaction
from netsword.sqlite_migrations import migrate

MIGRATIONS = [
    """
    CREATE TABLE IF NOT EXISTS request_budget (
        platform TEXT NOT NULL,
        day TEXT NOT NULL,
        used INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (platform, day)
    );
    """,
]


def load_budgets(entries: tuple[str, ...] | list[str]) -> dict[str, int]:
    budgets = {}
    for platform, values in per_platform(entries, "crawler.daily_requests").items():
        value = values[-1]
        if not value.isdigit():
            raise CrawlSetupError(f"crawler.daily_requests: {platform}={value}: must be a whole number of requests")
        budgets[platform] = int(value)
    return budgets


class RequestBudget:
    def __init__(self, path: str | Path, timezone: str) -> None:
        self.path = Path(path)
        self.tz = ZoneInfo(timezone)
        self.conn = connect(self.path)
        migrate(self.conn, MIGRATIONS, version_table="request_budget_schema", label="request budget")
        self.lock = threading.Lock()

    def day(self, now: datetime | None = None) -> str:
        return (now or datetime.now(self.tz)).astimezone(self.tz).date().isoformat()

    def take(self, platform: str, limit: int, now: datetime | None = None) -> int:
        """Spend one request of today's `limit`: how many are spent today with it, 0 when none was left."""
        day = self.day(now)
        with self.lock, transaction(self.conn) as conn:
            conn.execute("INSERT OR IGNORE INTO request_budget (platform, day, used) VALUES (?, ?, 0)", (platform, day))
            row = conn.execute(
                "UPDATE request_budget SET used = used + 1 WHERE platform = ? AND day = ? AND used < ? RETURNING used",
                (platform, day, limit),
            ).fetchone()
            return int(row[0]) if row else 0

    def used(self, platform: str, now: datetime | None = None) -> int:
        row = self.conn.execute(
            "SELECT used FROM request_budget WHERE platform = ? AND day = ?", (platform, self.day(now))
        ).fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self.conn.close()
