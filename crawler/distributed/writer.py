"""The writer: the one process that stores what distributed workers find, through the crawl's own lead path.

It reads every platform's items stream (crawler.distributed.keys) as the consumer group `writer`, in batches: the
listings of a batch go through `leads.process.process_batch` with the crawl's lead sink stamped with the platform's
current run id (crawler.pipelines.leads.RunSightings) — the same matching, listing keeping, lead upsert and alert
listeners as a one-process crawl — so SQLite keeps a single writer and Elasticsearch gets bulk writes. The workers'
ledger reports are replayed on the run's ledger, to which the writer adds each listing's outcome (stored, failed with
the store's reason, rejected); the ledger is saved in the run's hash in the same transaction that acknowledges and
deletes the batch's entries. A writer killed mid-batch gets the batch again on restart (its pending entries come
first): the store counts a sighting by the same run once, and the ledger was not yet saved, so nothing counts twice.
One writer runs at a time (a lock key it renews; a second one waits for the first to stop), and it takes over the
entries a writer of another name left unacknowledged for two lock periods (XAUTOCLAIM), so a writer restarted under a
new name loses none.
A batch the store refuses for a reason of its own — a full disk, a read-only or locked store (`store_outage`) —
is not acknowledged: it stays in the stream, the run's hash says why (`writer_error`) and the writer stops
(`StoreRefused`; `netsword writer` exits 1). A writer started once space is freed stores it, each listing once.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import redis

from alerts.lead_sink import open_alerting_sink
from crawler.distributed.handoff import replay
from crawler.distributed.keys import WRITER_GROUP, Keys, items_pattern, writer_lock
from crawler.ledger import CrawlLedger
from crawler.pipelines.leads import RunSightings
from leads.process import ProcessResult, process_batch
from leads.sink import LeadSink
from matchers.configured import build_index
from matchers.index import MatchIndex
from netsword.config import Config
from netsword.models import Listing, ListingError, utc_now
from watchlists.configured import load_configured

logger = logging.getLogger(__name__)
BLOCK_MS = 500


# What a store says when it refuses a write for a reason of its own, not of the listings: SQLite's SQLITE_FULL,
# SQLITE_IOERR, read-only and locked; ENOSPC, EDQUOT, EFBIG; Elasticsearch's flood-stage block.
OUTAGE_MARKERS = (
    "database or disk is full", "no space left on device", "disk quota exceeded", "file too large", "disk i/o error",
    "readonly database", "unable to open database file", "database is locked", "cluster_block_exception",
    "flood-stage watermark",
)  # fmt: skip


class WriterBusy(RuntimeError):
    pass


class StoreRefused(RuntimeError):
    """The store refused a batch for a reason of its own (a full disk …): the batch stays in the stream."""


def store_outage(reason: str) -> bool:
    """Whether a store error is about the store (full, read-only, locked) rather than about the listings."""
    low = reason.lower()
    return any(marker in low for marker in OUTAGE_MARKERS)


@dataclass
class WriterFigures:
    listings: int = 0
    stored: int = 0
    failed: int = 0
    rejected: int = 0
    batches: int = 0
    events: int = 0
    bad_entries: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class Writer:
    def __init__(self, cfg: Config, server: redis.Redis, *, name: str = "", watchlists: Sequence[str] = (),
                 alerts: bool = True, batch_size: int = 500) -> None:  # fmt: skip
        self.cfg = cfg
        self.server = server
        self.name = name or f"writer-{socket.gethostname()}"
        self.prefix = cfg.distributed.key_prefix
        self.batch_size = batch_size
        self.ttl = max(1.0, cfg.distributed.worker_ttl)
        watchlist = load_configured(list(watchlists) or None, cfg)
        self.index: MatchIndex = build_index(cfg, watchlist=watchlist)
        self.store, self.sink = open_alerting_sink(cfg, watchlist, alerts=alerts)
        self.figures = WriterFigures()
        self.streams: list[str] = []

    def close(self) -> None:
        self.sink.close()
        self.store.close()
        try:
            lock = writer_lock(self.prefix)
            if _text(self.server.get(lock) or b"") == self.name:
                self.server.delete(lock)
        except redis.RedisError:
            pass

    # -- the lock
    def _hold_lock(self) -> bool:
        lock = writer_lock(self.prefix)
        if self.server.set(lock, self.name, nx=True, px=int(self.ttl * 1000)):
            return True
        if _text(self.server.get(lock) or b"") == self.name:
            self.server.pexpire(lock, int(self.ttl * 1000))
            return True
        return False

    def run(self, stop: threading.Event, *, max_idle: float = 0.0) -> WriterFigures:
        """Store until `stop` is set (or, with `max_idle`, after that many seconds with nothing to store)."""
        waited = False
        while not self._hold_lock():
            if not waited:
                logger.warning("another writer holds %s; waiting for it to stop", writer_lock(self.prefix))
                waited = True
            if stop.wait(1.0):
                return self.figures
        idle_since = time.monotonic()
        last_scan = 0.0
        last_lock = time.monotonic()
        while not stop.is_set():
            if time.monotonic() - last_lock >= self.ttl / 3:
                if not self._hold_lock():
                    raise WriterBusy(f"lost {writer_lock(self.prefix)} to another writer")
                last_lock = time.monotonic()
            if time.monotonic() - last_scan >= 2.0:
                self._discover()
                last_scan = time.monotonic()
            if self.step():
                idle_since = time.monotonic()
            elif max_idle and time.monotonic() - idle_since >= max_idle:
                break
        return self.figures

    def _discover(self) -> None:
        for raw in self.server.scan_iter(match=items_pattern(self.prefix), _type="STREAM"):
            stream = _text(raw)
            if stream in self.streams:
                continue
            try:
                self.server.xgroup_create(stream, WRITER_GROUP, id="0", mkstream=True)
            except redis.ResponseError as exc:
                if "BUSYGROUP" not in str(exc):
                    raise
            self.streams.append(stream)
        for stream in self.streams:
            self._take_over(stream)

    def _take_over(self, stream: str) -> None:
        """Entries delivered to another writer (one killed, or stopped by a full disk, under another name) and not
        acknowledged for two lock periods become this writer's: a writer that still held them would have lost the lock
        meanwhile (and stops at its next renewal), so nobody else is storing them."""
        start = "0-0"
        idle_ms = int(self.ttl * 2000)
        while True:
            answer: Any = self.server.xautoclaim(stream, WRITER_GROUP, self.name, min_idle_time=idle_ms,
                                                 start_id=start, count=self.batch_size)  # fmt: skip
            if not answer:  # nothing to scan (seen once at start-up under load): nothing pending to take over
                return
            start = _text(answer[0])  # the cursor: 0-0 once the whole pending list was scanned
            if start == "0-0":
                return

    def step(self) -> bool:
        """Store one batch per stream that has entries (this writer's unacknowledged ones first); whether any."""
        if not self.streams:
            time.sleep(BLOCK_MS / 1000)
            return False
        did = False
        for stream in self.streams:
            entries = self._read(stream, "0")  # entries delivered to this writer before and never acknowledged
            if not entries:
                entries = self._read(stream, ">", block=BLOCK_MS // max(1, len(self.streams)))
            if entries:
                self.write(stream, entries)
                did = True
        return did

    def _read(self, stream: str, start: str, block: int | None = None) -> list[tuple[bytes, dict[bytes, bytes]]]:
        answer: Any = self.server.xreadgroup(WRITER_GROUP, self.name, {stream: start}, count=self.batch_size,
                                             block=block)  # fmt: skip
        return list(answer[0][1]) if answer else []

    def write(self, stream: str, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        platform = stream[len(self.prefix) + 1 : -len(":items")]
        keys = Keys(self.prefix, platform)
        run = {_text(k): _text(v) for k, v in self.server.hgetall(keys.run).items()}
        ledger = _ledger_of(run)
        listings: list[Listing] = []
        origins: list[tuple[str, int]] = []
        for _, fields in entries:
            kind = _text(fields.get(b"kind", b""))
            try:
                data = json.loads(fields.get(b"data", b"null"))
                if kind == "events":
                    self.figures.events += len(data)
                    self.figures.bad_entries += replay(ledger, data)
                    continue
                if kind != "listing":
                    raise ValueError(f"unknown entry kind {kind!r}")
                keyword, page = str(data.get("keyword") or ""), int(data.get("page") or 0)
                listing_data = dict(data["listing"])
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                self.figures.bad_entries += 1
                logger.warning("%s: entry not understood (skipped): %s", stream, exc)
                continue
            listing_data.setdefault("crawled_at", utc_now())
            try:
                listings.append(Listing.from_dict(listing_data))
                origins.append((keyword, page))
            except ListingError as exc:
                self.figures.rejected += 1
                ledger.rejected(keyword, page)
                logger.warning("bad listing %s %s: %s", platform, str(listing_data.get("id", "?"))[:80], exc)
        refused = self._store(listings, origins, ledger, run.get("run_id", ""))
        if refused:  # nothing acknowledged, the ledger not saved: the batch is stored again, once, by the next writer
            why = f"writer {self.name} stopped at {utc_now()}: the store refused {len(listings)} listing(s): {refused}"
            self.server.hset(keys.run, "writer_error", why[:500])
            raise StoreRefused(f"the store refused a batch ({refused[:300]}); its {len(entries)} entries stay in "
                               f"{stream} for the next writer")  # fmt: skip
        ids = [entry_id for entry_id, _ in entries]
        with self.server.pipeline(transaction=True) as pipe:
            if run.get("run_id"):
                pipe.hset(keys.run, mapping={"ledger": json.dumps(ledger.to_dict(None)), "updated_at": utc_now()})
                pipe.hdel(keys.run, "writer_error")
            pipe.xack(stream, WRITER_GROUP, *ids)
            pipe.xdel(stream, *ids)
            pipe.execute()
        self.figures.batches += 1

    def _store(self, listings: list[Listing], origins: list[tuple[str, int]], ledger: CrawlLedger, run_id: str) -> str:
        """Store a batch and count each listing's outcome on `ledger`; the store's reason when it refused the batch
        for a reason of its own (`store_outage`: nothing counted then), else ""."""
        if not listings:
            return ""
        sink: LeadSink = RunSightings(self.sink, run_id) if run_id else self.sink
        try:
            results: list[ProcessResult] = process_batch(
                listings, self.index, sink, min_score=self.cfg.matching.min_score
            )
        except Exception as exc:  # noqa: BLE001 - a refused batch is a loss of its listings, reported, not a crash
            if isinstance(exc, OSError) or store_outage(str(exc)):
                return " ".join(str(exc).split()) or type(exc).__name__
            logger.error("storing %d listings failed: %s", len(listings), exc)
            self.figures.listings += len(listings)
            for listing, (keyword, page) in zip(listings, origins, strict=True):
                ledger.failed(keyword, page, listing.id, str(exc)[:300])
            self.figures.failed += len(listings)
            return ""
        reasons = [r.not_kept for r in results] + [e for r in results for e in r.report.errors]
        outage = next((reason for reason in reasons if reason and store_outage(reason)), "")
        if outage:
            return " ".join(outage.split())
        self.figures.listings += len(listings)
        for listing, (keyword, page), result in zip(listings, origins, results, strict=True):
            if result.report.failed:
                why = f"{result.report.failed} lead(s) not stored: {'; '.join(result.report.errors[:1])}"
                ledger.failed(keyword, page, listing.id, why[:300])
                self.figures.failed += 1
            else:
                ledger.stored(keyword, page)
                self.figures.stored += 1
            for outcome, count in result.report.as_dict().items():
                if count:
                    self.figures.outcomes[outcome] = self.figures.outcomes.get(outcome, 0) + count
        return ""


def _ledger_of(run: dict[str, str]) -> CrawlLedger:
    try:
        return CrawlLedger.from_dict(json.loads(run["ledger"])) if run.get("ledger") else CrawlLedger()
    except (ValueError, TypeError, AttributeError):
        logger.warning("run %s: its ledger is unreadable; its figures start again", run.get("run_id", "?"))
        return CrawlLedger()
