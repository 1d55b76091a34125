"""CrawlRun: the identity of one crawl run (its id, kept in JOBDIR across stops) and its ledger, and a JOBDIR that is
safe to resume after any stop, SIGKILL included.

Scrapy's JOBDIR (request queue, fingerprints of the requests scheduled, spider state) is whole only after a clean
stop: the queue's header, the fingerprint file's buffer and the spider state are written as the crawl closes. After a
SIGKILL it holds fingerprints of requests never fetched and a queue that is empty or stale, and a resumed crawl
fetches nothing. So this extension keeps `netsword-run.json` in JOBDIR — run id, start time, attempt, and `state`:
`running` from the moment the spider opens until it closes cleanly, then `paused` (stopped early; Scrapy's state is
whole and resumes) or `finished`. When a crawl is set up (before Scrapy's scheduler opens JOBDIR) and finds:
- no file, or `finished`: a new run — a new run id; Scrapy's leftovers are removed;
- `paused`: Scrapy resumes its queue under the same run id, and the run's ledger (netsword-ledger.json) is read back;
- `running`: the last process died without closing (SIGKILL, out of memory, power loss). Scrapy's files are removed
  and the crawl restarts from its start requests under the same run id. Every listing is fetched again; the lead
  store counts a sighting by the same run once (`Lead.last_run`, `leads.store.base.merge_seen`), so nothing is lost
  and nothing counted twice. What it costs: the pages fetched before the kill are fetched again.
A run whose lead process died (crawler.lead_process) is left `running` too. Without JOBDIR every crawl is a new
run. The lead pipeline stamps each sighting with the run id; the spider, the pipeline and the retry middleware
report to the run's `CrawlLedger` (crawler/ledger.py).
Stats: netsword/run_id, netsword/run_attempt, netsword/run_restarted (1: after an unclean stop), netsword/run_resumed
(1: after a clean stop), netsword/status and the ledger's totals (netsword/pages_given_up, netsword/listings_stored, …).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.job import job_dir

from crawler.ledger import CrawlLedger
from netsword.models import utc_now

logger = logging.getLogger(__name__)

MARKER = "netsword-run.json"
LEDGER = "netsword-ledger.json"
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")  # what Scrapy keeps in JOBDIR
RUNNING, PAUSED, FINISHED = "running", "paused", "finished"
# ledger totals mirrored into flat stats, so `scrapy crawl`'s dump and the scheduler see them
_TOTAL_STATS = {
    "pages_given_up": "netsword/pages_given_up",
    "details_given_up": "netsword/details_given_up",
    "stored": "netsword/listings_stored",
    "failed": "netsword/listings_failed",
    "rejected": "netsword/listings_rejected",
    "keywords_cut_short": "netsword/keywords_cut_short",
}


def new_run_id() -> str:
    return "cr-" + uuid.uuid4().hex[:16]


def write_json_durably(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` with `data` so that after a crash it holds the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    try:  # the rename itself survives a power loss only once the directory is synced
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_marker(jobdir: Path) -> dict[str, Any]:
    try:
        data = json.loads((jobdir / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class CrawlRun:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        jobdir = job_dir(crawler.settings)
        self.jobdir = Path(jobdir) if jobdir else None
        self.ledger = CrawlLedger()
        self.run_id = new_run_id()
        self.started_at = utc_now()
        self.attempt = 1
        self.restarted = self.resumed = False
        if self.jobdir is not None:
            self._take_over(self.jobdir)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRun:
        return cls(crawler)

    def _take_over(self, jobdir: Path) -> None:
        """Decide, before Scrapy's scheduler opens JOBDIR, whether this is a new run, a resume or a restart."""
        marker = read_marker(jobdir)
        state = marker.get("state")
        leftovers = [name for name in SCRAPY_STATE if (jobdir / name).exists()]
        if state in (RUNNING, PAUSED) and marker.get("run_id"):
            self.run_id = str(marker["run_id"])
            self.started_at = str(marker.get("started_at") or self.started_at)
            self.attempt = int(marker.get("attempt", 1)) + 1
        if state == PAUSED:
            self.resumed = True
            try:
                self.ledger = CrawlLedger.from_dict(json.loads((jobdir / LEDGER).read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, AttributeError):
                logger.warning("%s: the paused run's ledger is unreadable; its figures start again", jobdir / LEDGER)
            logger.info("resuming crawl run %s from %s (attempt %d)", self.run_id, jobdir, self.attempt)
            return
        if state == RUNNING:
            self.restarted = True
            logger.warning(
                "the crawl in %s (run %s) did not stop cleanly (killed?): its request queue cannot be trusted, so the "
                "run restarts from its start requests (attempt %d); listings it already stored are not counted again",
                jobdir, self.run_id, self.attempt,
            )  # fmt: skip
        elif leftovers:
            logger.info("%s: starting a new crawl run; %s of an earlier run removed", jobdir, ", ".join(leftovers))
        for name in (*SCRAPY_STATE, LEDGER):
            path = jobdir / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def _write_marker(self, state: str, **extra: Any) -> None:
        assert self.jobdir is not None
        self.jobdir.mkdir(parents=True, exist_ok=True)
        data = {"run_id": self.run_id, "started_at": self.started_at, "attempt": self.attempt, "state": state}
        write_json_durably(self.jobdir / MARKER, {**data, **extra})

    def spider_opened(self) -> None:
        stats = self.crawler.stats
        stats.set_value("netsword/run_id", self.run_id)
        stats.set_value("netsword/run_attempt", self.attempt)
        stats.set_value("netsword/run_restarted", int(self.restarted))
        stats.set_value("netsword/run_resumed", int(self.resumed))
        self.publish()
        if self.jobdir is not None:
            self._write_marker(RUNNING, updated_at=utc_now())

    def spider_closed(self, reason: str) -> None:
        # Scrapy's scheduler (queue, fingerprints) closed before spider_closed, and SpiderState (an earlier
        # extension) has written the spider state: JOBDIR is whole now, so the marker may say so.
        self.publish(reason)
        if self.jobdir is None:
            return
        if self.ledger.lead_process_died:
            # what its lead process stored of the listings it held is unknown: the marker stays `running`, so the next
            # attempt restarts from the start requests, as after a kill (sightings of this run are counted once)
            return
        if reason == "finished":
            status = self.ledger.status(reason) if self.accounted else ""
            self._write_marker(FINISHED, status=status, updated_at=utc_now())
            return
        write_json_durably(self.jobdir / LEDGER, self.ledger.to_dict())
        self._write_marker(PAUSED, reason=reason, updated_at=utc_now())

    @property
    def accounted(self) -> bool:
        """Whether the crawl's spider reports to the ledger (the marketplace spider does; the re-check spider keeps
        figures of its own), so that a status is only ever given for a crawl that was counted."""
        return isinstance(getattr(self.crawler.spider, "ledger", None), CrawlLedger)

    def publish(self, finish_reason: str | None = None) -> None:
        """Mirror the ledger's status and totals into the crawl's stats (the stats file writes both)."""
        if not self.accounted:
            return
        stats = self.crawler.stats
        stats.set_value("netsword/status", self.ledger.status(finish_reason))
        totals = self.ledger.totals()
        for name, key in _TOTAL_STATS.items():
            stats.set_value(key, totals[name])

    def summary(self, finish_reason: str | None = None) -> dict[str, Any]:
        """The run as the stats file and `netsword crawl` show it: id, attempt, status, totals, keywords, losses
        (the last four only for a spider that reports to the ledger)."""
        run = {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "attempt": self.attempt,
            "restarted": self.restarted,
            "resumed": self.resumed,
        }
        return {**run, **self.ledger.to_dict(finish_reason)} if self.accounted else run


def crawl_run_of(crawler: Crawler) -> CrawlRun | None:
    """The crawl's run (the add-on enables it); None for a crawler built without the add-on."""
    return crawler.get_extension(CrawlRun)
