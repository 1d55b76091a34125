"""NetSwordRuntime: the live objects of one crawl — configuration, watchlist, match index, lead store, lead sink —
built once from plain settings when the crawl is set up, handed to pipelines and spiders, closed when it ends.

The match index is built when first asked for: a crawl whose lead pipeline matches in its lead process
(crawler.lead_process) never builds one here. Scrapy copies settings, so live objects never travel in them: components ask `runtime_of(crawler)` (through Scrapy's
public `crawler.get_extension`). Settings: NETSWORD_CONFIG_FILE, NETSWORD_WATCHLISTS, NETSWORD_ALERTS (the sink
queues alert emails for the leads stored). Cookies come from `crawler.cookies_file`, never from settings; so do
the platforms' sessions (`crawler.sessions`, crawler/sessions.py), proxies (`crawler.proxies`, crawler/proxies.py)
and daily request budgets (`crawler.daily_requests`, crawler/budget.py), all read and checked here, before anything
is fetched (a bad one is a CrawlSetupError: `netsword crawl` exits 2).
Stats: netsword/alerts_queued.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.crawler import Crawler

from alerts.lead_sink import AlertingSink, open_alerting_sink
from crawler.budget import load_budgets
from crawler.errors import CrawlSetupError
from crawler.proxies import load_proxies
from crawler.sessions import Session, load_sessions
from leads.store.base import LeadStore
from netsword.config import Config, load_config
from watchlists.configured import load_configured
from watchlists.model import Watchlist

if TYPE_CHECKING:
    from matchers.index import MatchIndex


@dataclass(frozen=True)
class Runtime:
    cfg: Config
    watchlist: Watchlist
    build_index: Callable[[], MatchIndex]  # the watchlist's match index, built on first use (`index`)
    store: LeadStore
    sink: AlertingSink  # a LeadSink; its alert queuer only when NETSWORD_ALERTS is on
    cookie_jar: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # platform → cookie name → value
    sessions: Mapping[str, Session] = field(default_factory=dict)  # platform → its logged-in session
    proxies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # platform (or *) → proxy URLs
    budgets: Mapping[str, int] = field(default_factory=dict)  # platform (or *) → requests per day

    _built: list[MatchIndex] = field(default_factory=list, repr=False, compare=False)

    @property
    def index(self) -> MatchIndex:
        """The match index (built once, on first use)."""
        if not self._built:
            self._built.append(self.build_index())
        return self._built[0]

    def cookies(self, platform: str) -> dict[str, str]:
        """The cookies crawler.cookies_file gives `platform` (none when it names none)."""
        return dict(self.cookie_jar.get(platform, {}))

    def secrets(self) -> list[str]:
        """Cookie and session values no evidence, log, stats file or mail may hold."""
        values = [str(v) for cookies in self.cookie_jar.values() for v in cookies.values()]
        return values + [v for session in self.sessions.values() for v in session.secrets()]


def load_cookies(cfg: Config) -> dict[str, dict[str, str]]:
    """crawler.cookies_file, checked whole before the crawl starts: {"taobao": {"name": "value", …}, …}."""
    if not cfg.crawler.cookies_file:
        return {}
    path = Path(cfg.crawler.cookies_file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CrawlSetupError(f"crawler.cookies_file: {path}: {exc}") from None
    if not isinstance(data, dict):
        raise CrawlSetupError(f"crawler.cookies_file: {path}: must map platform names to their cookies")
    for platform, cookies in data.items():
        if not isinstance(cookies, dict) or not all(isinstance(v, str) for v in cookies.values()):
            raise CrawlSetupError(f"crawler.cookies_file: {path}: {platform}: must map cookie names to text values")
    return data


class NetSwordRuntime:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        cfg = load_config(settings.get("NETSWORD_CONFIG_FILE") or None)
        cookie_jar = load_cookies(cfg)
        sessions = load_sessions(cfg.crawler.sessions)
        proxies = load_proxies(cfg.crawler.proxies)
        budgets = load_budgets(cfg.crawler.daily_requests)
        watchlist = load_configured(settings.getlist("NETSWORD_WATCHLISTS") or None, cfg)
        store, sink = open_alerting_sink(cfg, watchlist, alerts=settings.getbool("NETSWORD_ALERTS"))
        self.runtime = Runtime(cfg=cfg, watchlist=watchlist, build_index=lambda: _build_index(cfg, watchlist),
                               store=store, sink=sink, cookie_jar=cookie_jar, sessions=sessions, proxies=proxies,
                               budgets=budgets)  # fmt: skip
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetSwordRuntime:
        return cls(crawler)

    def spider_closed(self) -> None:
        # The pipelines have closed (and written their last batch) before spider_closed is sent.
        sink = self.runtime.sink
        if sink.queuer is not None:  # added to the lead process's (crawler.pipelines.leads), when there is one
            self.crawler.stats.inc_value("netsword/alerts_queued", sink.queuer.queued)
        sink.close()
        self.runtime.store.close()


def _build_index(cfg: Config, watchlist: Watchlist) -> MatchIndex:
    # imported here: a crawl that never matches (re-checks, backfills) does not load the index's modules either
    from matchers.configured import build_index

    return build_index(cfg, watchlist=watchlist)


def runtime_of(crawler: Crawler) -> Runtime:
    """The crawl's runtime; the add-on enables its extension."""
    extension = crawler.get_extension(NetSwordRuntime)
    if extension is None:
        raise RuntimeError("the NetSword runtime extension is not enabled: add crawler.addon.NetSwordAddon to ADDONS")
    return extension.runtime
