"""`AlertingSink(cfg, store, watchlist)`: the lead sink every command writes through, with the alert queuer
listening (unless `alerts=False`), so any kind of lead — listing, parcel contents, parcel pattern, re-check — can
reach an alert rule. Closing it closes the queuer and its outbox; the store belongs to the caller.
`open_alerting_sink(cfg, watchlist)` opens the configured store and the sink over it together.
"""

from __future__ import annotations

from alerts.queuer import AlertQueuer
from alerts.rules import rules_for
from leads.sink import LeadSink
from leads.store.base import LeadStore
from netsword.config import Config
from watchlists.model import Watchlist


class AlertingSink(LeadSink):
    def __init__(self, cfg: Config, store: LeadStore, watchlist: Watchlist, *, alerts: bool = True) -> None:
        """Raises alerts.rules.RulesError, before anything is stored, when the rules file is bad."""
        self.queuer = AlertQueuer(cfg, watchlist, rules_for(cfg, watchlist)) if alerts else None
        super().__init__(store, [self.queuer] if self.queuer else [])

    def close(self) -> None:
        if self.queuer is not None:
            self.queuer.close()

    def __enter__(self) -> AlertingSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_alerting_sink(cfg: Config, watchlist: Watchlist, *, alerts: bool = True) -> tuple[LeadStore, AlertingSink]:
    """The configured lead store and an AlertingSink over it, for a process that stores for a while (a crawl, its
    lead process, the distributed writer); the store is closed again when the sink cannot start (a bad rules file).
    Closing both is the caller's: the sink, then the store."""
    from leads.store import open_store_from_config

    store = open_store_from_config(cfg)
    try:
        return store, AlertingSink(cfg, store, watchlist, alerts=alerts)
    except BaseException:
        store.close()
        raise
