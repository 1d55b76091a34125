"""The Redis keys of one platform's distributed crawl, all under `distributed.key_prefix`."""

from __future__ import annotations

from dataclasses import dataclass

WRITER_GROUP = "writer"  # the items stream's consumer group


def writer_lock(prefix: str) -> str:
    """Held by the one running writer (SET NX with an expiry it renews)."""
    return f"{prefix}:writer"


def items_pattern(prefix: str) -> str:
    """Every platform's items stream, for the writer to find them."""
    return f"{prefix}:*:items"


@dataclass(frozen=True)
class Keys:
    prefix: str
    platform: str

    def _k(self, name: str) -> str:
        return f"{self.prefix}:{self.platform}:{name}"

    @property
    def queue(self) -> str:
        """Requests waiting (a sorted set by priority, scrapy-redis's PriorityQueue layout)."""
        return self._k("requests")

    @property
    def seen(self) -> str:
        """scrapy-redis's duplicate filter: fingerprints of every request scheduled in this run."""
        return self._k("seen")

    @property
    def seeds(self) -> str:
        """Seeds (one JSON object per keyword) that workers turn into search requests (scrapy-redis's start key)."""
        return self._k("seeds")

    @property
    def items(self) -> str:
        """The stream of listings and ledger events from workers to the writer."""
        return self._k("items")

    @property
    def run(self) -> str:
        """The current run: a hash of run_id, state, started_at, profile, max_pages, ledger (JSON)."""
        return self._k("run")

    @property
    def workers(self) -> str:
        return self._k("workers")

    @property
    def busy(self) -> str:
        """Listings each worker handed over and still has in its item pipelines (evidence capture): worker → count."""
        return self._k("busy")

    @property
    def reaped(self) -> str:
        """Workers reaped after their liveness key expired: worker → when (unix time). A reaped worker that was only
        stalled hands nothing over and takes nothing when it resumes; a new process of that name clears its entry."""
        return self._k("reaped")

    def claims(self, worker: str) -> str:
        """The requests `worker` has taken and not finished: claim id → 'score\\n' + request (or 'seed\\n' + seed)."""
        return self._k(f"claims:{worker}")

    def alive(self, worker: str) -> str:
        return self._k(f"alive:{worker}")

