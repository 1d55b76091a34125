"""The model of a jobs file (`scheduler.jobs_file`): one frozen JobSpec per scheduled job, its schedule and options."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from netsword.models import OPEN_STATUSES

JOB_KINDS = ("crawl", "digest", "alerts_send", "recheck", "watchlist_reload", "retention", "register_refresh",
             "evidence_timestamp")
WATCHLIST_KEYWORDS = "watchlist"  # keywords: watchlist → the marks (and variants) of the loaded watchlists


@dataclass(frozen=True)
class Schedule:
    """When a job runs: every N seconds, or by a five-field cron expression in the configured time zone."""

    every: float = 0.0
    cron: str = ""

    def describe(self) -> str:
        return f"cron {self.cron}" if self.cron else f"every {format_seconds(self.every)}"


@dataclass(frozen=True)
class CrawlOptions:
    profile: str
    keywords: tuple[str, ...] | str = ()  # explicit keywords, or WATCHLIST_KEYWORDS
    max_keywords: int = 10  # cap on keywords taken from the watchlist, so one run stays bounded
    variants: bool = False  # with keywords: watchlist, also search each mark's variants
    max_pages: int = 0  # 0: the crawler's own default (crawler.max_pages)
    base_url: str = ""  # point the profile at another address (e.g. a local mirror)
    evidence: bool = True  # capture evidence (page, screenshot) for new leads
    distributed: bool = False  # seed a distributed run on Redis and follow it (workers and a writer run elsewhere)


@dataclass(frozen=True)
class DigestOptions:
    period: str = "daily"  # hourly | daily


@dataclass(frozen=True)
class RecheckOptions:
    statuses: tuple[str, ...] = OPEN_STATUSES
    platforms: tuple[str, ...] = ()
    limit: int = 500  # listings per run; the least recently seen first
    timeout: float = 15.0  # per request
    delay: float = 0.5  # between requests to one host at least; a profile's politeness may ask for more
    include_taken_down: bool = False  # also revisit listings already marked taken down (they may come back)
    profiles: tuple[str, ...] = ()  # profile files besides the bundled ones (they win for their platform)
    base_url: str = ""  # point the profiles at another address (a local mirror of the platforms re-checked)
    max_bytes: int = 0  # a larger response is not read (DOWNLOAD_MAXSIZE); 0: crawler.max_page_bytes


@dataclass(frozen=True)
class RetentionOptions:
    evidence_days: float = 0.0  # 0: keep evidence for ever; else drop captures of closed leads older than this
    logs_days: float = 30.0  # crawl logs under <var_dir>/logs/scheduler/
    history_days: float = 90.0  # run history rows


@dataclass(frozen=True)
class RegisterRefreshOptions:
    """Re-import a regulated-goods register export (docs/regulated-goods.md#registers) from a file or an URL."""

    regime: str
    source: str  # a file path, or an http(s) URL fetched under the fetch policy
    partial: bool = False  # the export is not the whole register (`registers import --partial`)
    keep_bad_rows: bool = True  # write the good rows when some are refused (they are reported); false: write nothing
    max_bytes: int = 64 * 1024 * 1024  # a larger download is refused
    timeout: float = 60.0  # per request


@dataclass(frozen=True)
class EmptyOptions:
    pass


Options = CrawlOptions | DigestOptions | RecheckOptions | RetentionOptions | RegisterRefreshOptions | EmptyOptions


@dataclass(frozen=True)
class JobSpec:
    id: str
    kind: str
    schedule: Schedule
    options: Options = field(default_factory=EmptyOptions)
    jitter: float = 0.0  # seconds of random delay added to each run, so many installs do not hit a site together
    misfire_grace_time: float = 300.0  # a run missed by up to this long still happens (once: runs are coalesced)
    time_limit: float = 1800.0  # a run still going after this long is stopped (terminate, then kill)
    enabled: bool = True
    line: int = 0  # where the job starts in its file, for messages

    def fingerprint(self) -> str:
        """A digest of everything that defines the job: a stored job is replaced only when this changes."""
        data = asdict(self)
        data.pop("line")
        data["options_type"] = type(self.options).__name__
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def describe_options(self) -> str:
        values = asdict(self.options)
        return ", ".join(f"{k}={_short(v)}" for k, v in values.items() if v not in ((), "", 0, 0.0))


def _short(value: Any) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ",".join(str(v) for v in value) + "]"
    return str(value)


def format_seconds(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"
