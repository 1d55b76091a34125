"""CrawlLedger: what one crawl run did for each keyword and result page — fetched, listings parsed, stored, failed,
given up and why — and the run's status (`complete`, `partial`, `failed`; `stopped` while resumable).

Plain Python (no Scrapy): the spider, the lead pipeline and the retry middleware report to it through the crawl's
`crawler.extensions.crawl_run.CrawlRun`; it is written to the stats file as the crawl goes and kept in JOBDIR when a
crawl stops cleanly, so a resumed run still knows what it gave up before.

Counted per result page (a detail page counts on the search page that listed it):
- `listings`: parsed from the page; each ends as `stored` (matched, and its leads — if any — are in the store),
  `failed` (the store refused it: a loss), `rejected` (not a valid Listing: the site's data, not a loss) or
  `duplicates` (already listed in this run). `details_given_up`: detail pages given up after their retries (the
  search result is stored instead, marked incomplete: a loss of detail); `skipped`: detail pages the site answered
  404/410 or robots.txt forbade (the search result is stored: not a loss).
- a page is `fetched` or `given_up` (with the reason); `pagination_lost` says a keyword's later pages were never
  reached (its next link or cursor was on a page given up).
A finished run is `blocked` when the platform was stopped for answering with block pages (captcha, slider, login
wall, access denied: crawler.middlewares.blocks), else `complete` when nothing was lost, `failed` when nothing was
achieved (no keywords; no page fetched; or listings to store and none stored), else `partial`. Rejected listings and
robots.txt refusals are reported but are not losses; requests not made because the platform's daily request budget
was spent are (crawler.middlewares.budget). A run whose lead process died (crawler.lead_process) is `failed`
whatever else it did: the listings it held when it died are counted `failed` with that reason, and the crawl stops.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RUNNING, COMPLETE, PARTIAL, FAILED, STOPPED = "running", "complete", "partial", "failed", "stopped"
BLOCKED = "blocked"  # the platform answered with block pages until the crawl stopped asking it
STATUSES = (RUNNING, COMPLETE, PARTIAL, FAILED, STOPPED, BLOCKED)
COUNTS = ("listings", "stored", "failed", "rejected", "duplicates", "details_given_up", "skipped")
MAX_REASONS = 20  # loss lines kept per keyword; the counts are always whole


@dataclass
class PageRecord:
    page: int
    url: str = ""
    state: str = "queued"  # queued | fetched | given_up | skipped
    reason: str = ""  # why it was given up or skipped
    listings: int = 0
    stored: int = 0
    failed: int = 0
    rejected: int = 0
    duplicates: int = 0
    details_given_up: int = 0
    skipped: int = 0  # detail pages refused by robots.txt: policy, not a loss

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageRecord:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class KeywordRecord:
    pages: dict[int, PageRecord] = field(default_factory=dict)
    pagination_lost: str = ""  # why the pages after a given-up page were never reached ("" : they were, or none)
    losses: list[str] = field(default_factory=list)  # one line each, at most MAX_REASONS
    more_losses: int = 0  # loss lines left out

    def page(self, number: int) -> PageRecord:
        record = self.pages.get(number)
        if record is None:
            record = self.pages[number] = PageRecord(number)
        return record

    def total(self, name: str) -> int:
        return sum(getattr(page, name) for page in self.pages.values())

    def lose(self, line: str) -> None:
        if len(self.losses) < MAX_REASONS:
            self.losses.append(line)
        else:
            self.more_losses += 1

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "pages_fetched": sum(p.state == "fetched" for p in self.pages.values()),
            "pages_given_up": sum(p.state == "given_up" for p in self.pages.values()),
        }
        out.update({name: self.total(name) for name in COUNTS})
        out["pagination_lost"] = self.pagination_lost
        out["lost"] = list(self.losses)
        out["more_lost"] = self.more_losses
        out["pages"] = [asdict(self.pages[n]) for n in sorted(self.pages)]
        return out


class CrawlLedger:
    def __init__(self) -> None:
        self.keywords: dict[str, KeywordRecord] = {}
        self.no_keywords = False
        self.evidence_lost = 0  # listings whose capture could not be kept (a full disk): a loss of the run
        self.evidence_reason = ""  # the first reason
        self.blocks = 0  # block answers (captcha, slider, login wall, access denied), never read as listings
        self.blocked = ""  # why the platform was stopped ("" : it was not)
        self.budget_refused = 0  # requests not made: the platform's daily request budget was spent
        self.budget_reason = ""
        self.lead_process_died = ""  # why the lead process ended mid-run ("": it did not)

    def block_seen(self) -> None:
        self.blocks += 1

    def platform_blocked(self, reason: str) -> None:
        """The platform was stopped for this run after its blocks: the run ends `blocked`."""
        self.blocked = self.blocked or reason

    def budget_spent(self, reason: str) -> None:
        """A request was not made: the platform's daily request budget is spent."""
        self.budget_refused += 1
        self.budget_reason = self.budget_reason or reason

    def lead_process_lost(self, reason: str) -> None:
        """The lead process died mid-run: the run is `failed`."""
        self.lead_process_died = self.lead_process_died or reason

    def evidence_not_kept(self, reason: str) -> None:
        """A listing's evidence was not kept (the evidence store refused the write); `evidence backfill` fills it."""
        self.evidence_lost += 1
        self.evidence_reason = self.evidence_reason or reason

    def keyword(self, keyword: str) -> KeywordRecord:
        record = self.keywords.get(keyword)
        if record is None:
            record = self.keywords[keyword] = KeywordRecord()
        return record

    # -- what the spider reports
    def page_fetched(self, keyword: str, page: int, url: str, listings: int) -> None:
        record = self.keyword(keyword).page(page)
        record.url, record.state, record.reason = url, "fetched", ""
        record.listings += listings

    def page_given_up(self, keyword: str, page: int, url: str, reason: str) -> None:
        kw = self.keyword(keyword)
        record = kw.page(page)
        record.url, record.state, record.reason = url, "given_up", reason
        kw.lose(f"search page {page} given up: {reason}")

    def page_skipped(self, keyword: str, page: int, url: str, reason: str) -> None:
        record = self.keyword(keyword).page(page)
        record.url, record.state, record.reason = url, "skipped", reason

    def pagination_lost(self, keyword: str, after_page: int, reason: str) -> None:
        kw = self.keyword(keyword)
        kw.pagination_lost = f"pages after {after_page} not reached: {reason}"
        kw.lose(kw.pagination_lost)

    def detail_given_up(self, keyword: str, page: int, url: str, reason: str) -> None:
        kw = self.keyword(keyword)
        kw.page(page).details_given_up += 1
        kw.lose(f"detail page {url} (from search page {page}) given up: {reason}")

    def detail_skipped(self, keyword: str, page: int) -> None:
        self.keyword(keyword).page(page).skipped += 1

    def duplicate(self, keyword: str, page: int) -> None:
        self.keyword(keyword).page(page).duplicates += 1

    # -- what the lead pipeline reports
    def stored(self, keyword: str, page: int, count: int = 1) -> None:
        self.keyword(keyword).page(page).stored += count

    def failed(self, keyword: str, page: int, listing_id: str, reason: str) -> None:
        kw = self.keyword(keyword)
        kw.page(page).failed += 1
        kw.lose(f"listing {listing_id} (search page {page}) not stored: {reason}")

    def rejected(self, keyword: str, page: int) -> None:
        self.keyword(keyword).page(page).rejected += 1

    # -- the run
    def totals(self) -> dict[str, int]:
        out = {name: sum(kw.total(name) for kw in self.keywords.values()) for name in COUNTS}
        out["pages_fetched"] = sum(
            p.state == "fetched" for kw in self.keywords.values() for p in kw.pages.values()
        )  # fmt: skip
        out["pages_given_up"] = sum(
            p.state == "given_up" for kw in self.keywords.values() for p in kw.pages.values()
        )  # fmt: skip
        out["keywords_cut_short"] = sum(bool(kw.pagination_lost) for kw in self.keywords.values())
        return out

    def lost(self) -> int:
        """Pages, listings and details lost: non-zero means the run is at best `partial`."""
        t = self.totals()
        return (t["pages_given_up"] + t["failed"] + t["details_given_up"] + t["keywords_cut_short"]
                + self.evidence_lost + self.budget_refused)  # fmt: skip

    def status(self, finish_reason: str | None) -> str:
        if finish_reason is None:
            return RUNNING
        if self.lead_process_died:
            return FAILED
        if finish_reason != "finished":
            return STOPPED
        if self.blocked:
            return BLOCKED
        t = self.totals()
        if self.no_keywords or t["pages_fetched"] == 0 or (t["stored"] == 0 and t["failed"] > 0):
            return FAILED
        return PARTIAL if self.lost() else COMPLETE

    def loss_lines(self) -> list[str]:
        """What was lost and why, one line per loss, prefixed with its keyword."""
        lines = ["no keywords to search for"] if self.no_keywords else []
        if self.lead_process_died:
            lines.append(f"stored: {self.lead_process_died}")
        if self.blocked:
            lines.append(f"blocked: {self.blocked}")
        if self.budget_refused:
            lines.append(f"budget: {self.budget_refused} request(s) not made: {self.budget_reason}")
        for keyword, kw in self.keywords.items():
            label = f"keyword {keyword!r}" if keyword else "feed"
            lines.extend(f"{label}: {line}" for line in kw.losses)
            if kw.more_losses:
                lines.append(f"{label}: … and {kw.more_losses} more")
        if self.evidence_lost:
            lines.append(f"evidence: {self.evidence_lost} listing(s) not captured ({self.evidence_reason}); "
                         "run netsword evidence backfill once the cause is fixed")  # fmt: skip
        return lines

    def to_dict(self, finish_reason: str | None = None) -> dict[str, Any]:
        return {
            "status": self.status(finish_reason),
            "no_keywords": self.no_keywords,
            "evidence_lost": self.evidence_lost,
            "evidence_reason": self.evidence_reason,
            "blocks": self.blocks,
            "blocked": self.blocked,
            "budget_refused": self.budget_refused,
            "budget_reason": self.budget_reason,
            "lead_process_died": self.lead_process_died,
            "totals": self.totals(),
            "keywords": {keyword: kw.summary() for keyword, kw in self.keywords.items()},
            "lost": self.loss_lines(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CrawlLedger:
        """A ledger kept by `to_dict` (a cleanly stopped run's, read back when it resumes)."""
        ledger = cls()
        ledger.no_keywords = bool(data.get("no_keywords"))
        ledger.evidence_lost = int(data.get("evidence_lost") or 0)
        ledger.evidence_reason = str(data.get("evidence_reason") or "")
        ledger.blocks = int(data.get("blocks") or 0)
        ledger.blocked = str(data.get("blocked") or "")
        ledger.budget_refused = int(data.get("budget_refused") or 0)
        ledger.budget_reason = str(data.get("budget_reason") or "")
        ledger.lead_process_died = str(data.get("lead_process_died") or "")
        for keyword, summary in (data.get("keywords") or {}).items():
            kw = ledger.keyword(str(keyword))
            for page in summary.get("pages") or []:
                record = PageRecord.from_dict(page)
                kw.pages[record.page] = record
            kw.pagination_lost = str(summary.get("pagination_lost") or "")
            kw.losses = [str(line) for line in summary.get("lost") or []][:MAX_REASONS]
            kw.more_losses = int(summary.get("more_lost") or 0)
        return ledger


# `netsword crawl`'s exit status per run status (2: bad input or setup, found before anything is fetched).
EXIT_CODES = {COMPLETE: 0, FAILED: 1, PARTIAL: 3, STOPPED: 4, BLOCKED: 5}
USAGE_EXIT = 2


def exit_code(status: str) -> int:
    """The exit status of a crawl that ended with `status`; a status this release does not know counts as failed."""
    return EXIT_CODES.get(status, EXIT_CODES[FAILED])


def status_of_exit(code: int) -> str:
    """The run status a crawl's exit status stands for (the scheduler reads its children this way)."""
    for status, number in EXIT_CODES.items():
        if number == code:
            return status
    return FAILED
