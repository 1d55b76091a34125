"""The alert hook: `AlertQueuer(config, watchlist, rules)` is a `leads.sink.LeadListener` (see alerts.lead_sink).

For each stored lead it decides, per matching rule and recipient, whether this is news (see alerts.events) and
records the alert in the outbox; `netsword alerts send` / `digest` deliver later. It never raises into the pipeline:
a failure is logged and counted in `errors`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from alerts.events import band_of, event_for
from alerts.outbox import Item, Outbox, item_key
from alerts.rules import RuleSet, contacts_rules
from leads.store.base import CREATED, UPDATED
from netsword.config import Config
from netsword.models import Lead
from watchlists.model import Watchlist

log = logging.getLogger(__name__)


class AlertQueuer:
    def __init__(
        self,
        config: Config,
        watchlist: Watchlist,
        rules: RuleSet | None = None,
        *,
        outbox: Outbox | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.watchlist = watchlist
        self.rules = rules or contacts_rules(
            watchlist, min_score=config.alerts.contacts_min_score, language=config.alerts.language,
            hourly_cap=config.alerts.hourly_cap,
        )  # fmt: skip
        self._outbox = outbox
        self.clock = clock
        self._lock = threading.Lock()  # spiders and importers may call from several threads
        self.seen = 0
        self.queued = 0
        self.errors = 0

    @property
    def outbox(self) -> Outbox:
        if self._outbox is None:
            self._outbox = Outbox.for_config(self.config)
        return self._outbox

    def __call__(self, lead: Lead, outcome: str) -> None:
        self.seen += 1
        if outcome not in (CREATED, UPDATED) or not self.rules.rules:
            return  # the common case on re-crawls: nothing changed, nothing to decide
        try:
            with self._lock:
                self._queue(lead, outcome)
        except Exception:  # noqa: BLE001 - an alert problem must never stop the crawl; it is logged and counted
            self.errors += 1
            log.exception("alerts: could not queue alerts for lead %s", lead.lead_id)

    def _queue(self, lead: Lead, outcome: str) -> None:
        rules = self.rules.matching(lead)
        if not rules:
            return
        status = lead.status  # the sink hands over the lead as stored: its triage status is the stored one
        entry = self.watchlist.get(lead.entry_id)
        label = entry.label if entry else lead.entry_id
        items: list[Item] = []
        bands: list[tuple[str, str, str, int]] = []
        for rule in rules:
            for address in rule.to:
                event = event_for(lead, outcome, status, self.outbox.alerted_band(lead.lead_id, rule.id, address))
                if event is None:
                    continue
                recipient = self.rules.recipient(address)
                items.append(
                    Item(
                        key=item_key(lead.lead_id, rule.id, address, event),
                        lead_id=lead.lead_id,
                        rule_id=rule.id,
                        recipient=address,
                        event=event,
                        delivery=rule.delivery,
                        period=rule.period,
                        at_time=rule.at,
                        language=recipient.language,
                        hourly_cap=recipient.hourly_cap,
                        label=label,
                        lead=lead,
                    )  # fmt: skip
                )
                bands.append((lead.lead_id, rule.id, address, band_of(lead.score)))
        if items:
            self.queued += self.outbox.queue(items, bands, self.clock())

    def close(self) -> None:
        if self._outbox is not None:
            self._outbox.close()
            self._outbox = None
