"""`AlertingSink(cfg, store, watchlist)`: the lead sink every command writes through, with the alert queuer
listening (unless `alerts=False`), so any kind of lead — listing, parcel contents, parcel pattern, re-check — can
reach an alert rule. Closing it closes the queuer and its outbox; the store belongs to the caller.
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
