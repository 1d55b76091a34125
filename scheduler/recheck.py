"""Re-check jobs: revisit each open lead's listing URL (politely, obeying robots.txt) and update the lead.

Gone (HTTP 404/410 or a takedown notice) → the lead is marked taken down (`LeadStore.mark_taken_down`). Online → the
listing snapshot is refreshed through the normal upsert, so a new price appends to the lead's price history.
Listings checked longest ago go first; a stopped run simply leaves the rest for the next one.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from alerts.lead_sink import AlertingSink
from leads.sink import LeadSink
from leads.store import LeadQuery, LeadStore, open_store_from_config
from leads.store.base import TAKEN_DOWN, StoreError
from netsword.config import Config
from netsword.models import Lead, utc_now
from scheduler.history import INTERRUPTED, OK, RunFigures
from scheduler.jobs import JobSpec, RecheckOptions
from scheduler.page_price import PageState, read_page
from watchlists import Watchlist

_TAKEDOWN_KEYS = ("availability", "taken_down_at", "taken_down_reason")


class Robots:
    """robots.txt per host, fetched once per run with the same client; unreadable → allowed, 401/403 → disallowed."""

    def __init__(self, client: httpx.Client, user_agent: str, obey: bool) -> None:
        self.client, self.user_agent, self.obey = client, user_agent, obey
        self._parsers: dict[str, RobotFileParser] = {}

    def allowed(self, url: str) -> bool:
        if not self.obey:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        parser = self._parsers.get(origin)
        if parser is None:
            parser = self._parsers[origin] = self._fetch(origin)
        return parser.can_fetch(self.user_agent, url)

    def _fetch(self, origin: str) -> RobotFileParser:
        parser = RobotFileParser(origin + "/robots.txt")
        try:
            response = self.client.get(origin + "/robots.txt")
        except httpx.HTTPError:
            parser.parse([])
            return parser
        if response.status_code in (401, 403):
            parser.parse(["User-agent: *", "Disallow: /"])
        elif response.status_code >= 400:
            parser.parse([])
        else:
            parser.parse(response.text.splitlines())
        return parser


def _checked_at(leads: list[Lead]) -> str:
    return min(str(lead.listing.get("crawled_at") or lead.last_seen or "") for lead in leads)


def listings_to_check(store: LeadStore, options: RecheckOptions) -> list[tuple[str, list[Lead]]]:
    """Open leads grouped by listing URL, the longest unchecked first, at most `options.limit` URLs."""
    query = LeadQuery(status=options.statuses, platform=options.platforms, sort="last_seen")
    by_url: dict[str, list[Lead]] = defaultdict(list)
    for lead in store.iter_leads(query):
        if not lead.url.startswith(("http://", "https://")):
            continue
        if lead.listing.get("availability") == TAKEN_DOWN and not options.include_taken_down:
            continue
        by_url[lead.url].append(lead)
    return sorted(by_url.items(), key=lambda item: (_checked_at(item[1]), item[0]))[: options.limit]


def refreshed(lead: Lead, state: PageState, now: str) -> Lead:
    """The lead as seen online now: snapshot refreshed, takedown marks cleared, the new price when one was read."""
    listing = {k: v for k, v in lead.listing.items() if k not in _TAKEDOWN_KEYS}
    listing["crawled_at"] = now
    if state.price is not None:
        listing["price"] = state.price
        if state.currency:
            listing["currency"] = state.currency
    return lead.with_changes(listing=listing, last_seen=now)


def apply_state(sink: LeadSink, leads: Iterable[Lead], state: PageState, figures: RunFigures, counts: dict[str, int],
                ) -> None:  # fmt: skip
    """Write what the page says through the lead sink, so alert rules hear of every change a re-check finds."""
    now = utc_now()
    online: list[Lead] = []
    for lead in leads:
        if state.taken_down:
            if lead.listing.get("availability") != TAKEN_DOWN:
                sink.mark_taken_down(lead.lead_id, reason=state.reason, at=now)
                counts["taken_down"] += 1
                figures.updated_leads += 1
            continue
        if state.price is not None and lead.price is not None and state.price != lead.price:
            counts["price_changes"] += 1
        online.append(refreshed(lead, state, now))
    report = sink.write(online)
    if report.failed:
        raise StoreError(f"{report.failed} lead(s) not stored: {'; '.join(report.errors[:1])}")
    figures.updated_leads += report.created + report.updated


def run_recheck(cfg: Config, spec: JobSpec, watchlist: Watchlist | None, *, stop: threading.Event, figures: RunFigures,
                ) -> tuple[str, str]:  # fmt: skip
    assert isinstance(spec.options, RecheckOptions)
    options = spec.options
    counts = {"taken_down": 0, "price_changes": 0, "robots": 0, "online": 0}
    deadline = time.monotonic() + spec.time_limit
    last_hit: dict[str, float] = {}
    headers = {"User-Agent": cfg.crawler.user_agent}
    with (
        open_store_from_config(cfg) as store,
        AlertingSink(cfg, store, watchlist or Watchlist(), alerts=watchlist is not None) as sink,
        httpx.Client(
            headers=headers, timeout=options.timeout, follow_redirects=True, proxy=cfg.crawler.proxy or None
        ) as client,
    ):
        robots = Robots(client, cfg.crawler.user_agent, cfg.crawler.obey_robots)
        todo = listings_to_check(store, options)
        for n, (url, leads) in enumerate(todo):
            if stop.is_set() or time.monotonic() > deadline:
                note = "stopped by shutdown" if stop.is_set() else "time limit reached"
                figures.notes.append(f"{note}: {len(todo) - n} listing(s) left for the next run")
                return (INTERRUPTED if stop.is_set() else OK), _summary(counts, figures)
            figures.listings += 1
            if not robots.allowed(url):
                counts["robots"] += 1
                continue
            host = urlsplit(url).netloc
            wait = last_hit.get(host, 0.0) + options.delay - time.monotonic()
            if wait > 0 and stop.wait(wait):
                continue
            last_hit[host] = time.monotonic()
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                figures.errors += 1
                figures.notes.append(f"{url}: {type(exc).__name__}")
                continue
            figures.pages += 1
            if response.status_code >= 400 and response.status_code not in (404, 410):
                figures.errors += 1  # 403, 429, 5xx say nothing about the listing: leave the lead as it is
                continue
            media_type = response.headers.get("content-type", "")
            state = read_page(response.status_code, response.content, str(response.url), media_type, leads[0].platform)
            counts["online"] += 0 if state.taken_down else 1
            try:
                apply_state(sink, leads, state, figures, counts)
            except StoreError as exc:
                figures.errors += 1
                figures.notes.append(f"{url}: {exc}")
    return OK, _summary(counts, figures)


def _summary(counts: dict[str, int], figures: RunFigures) -> str:
    text = (
        f"{figures.listings} listing(s) checked: {counts['online']} online, {counts['taken_down']} taken down, "
        f"{counts['price_changes']} price change(s), {counts['robots']} disallowed by robots.txt"
    )
    return "; ".join([text, *figures.notes[:5]])
