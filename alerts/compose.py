"""Turn waiting alert items into rendered messages: one per recipient and language for immediate alerts (within the
recipient's hourly cap; the overflow waits for the next digest), one per recipient for each digest run.

`plan_*` only reads (for `netsword alerts preview`); `compose_*` plans and stores in one transaction, so a message and
the items it carries are recorded together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from alerts.outbox import Item, Outbox, item_key
from alerts.render import Renderer, message_id_for
from alerts.rules import RuleSet
from netsword.models import Lead
from watchlists.model import Watchlist

MAX_LEADS_PER_MESSAGE = 100  # a bigger batch is split; each part gets its own Message-ID


@dataclass(frozen=True)
class Planned:
    recipient: str
    language: str
    kind: str  # immediate | digest:hourly | digest:daily
    items: tuple[Item, ...]
    message: EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Plan:
    messages: list[Planned] = field(default_factory=list)
    rolled_over: list[Item] = field(default_factory=list)


def _groups(items: list[Item]) -> dict[tuple[str, str], list[Item]]:
    groups: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for item in items:
        groups[(item.recipient, item.language)].append(item)
    return groups


def _chunks(items: list[Item]) -> list[list[Item]]:
    # Split by distinct leads, keeping every item of one lead in the same part.
    by_lead: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_lead[item.lead_id].append(item)
    leads = list(by_lead.values())
    return [
        [item for group in leads[i : i + MAX_LEADS_PER_MESSAGE] for item in group]
        for i in range(0, len(leads), MAX_LEADS_PER_MESSAGE)
    ]


def _plan_messages(renderer: Renderer, kind: str, items: list[Item], now: datetime, plan: Plan) -> None:
    for (recipient, language), group in sorted(_groups(items).items()):
        for part in _chunks(group):
            keys = [item.key for item in part]
            message_id = message_id_for(keys, renderer.config.smtp.sender)
            message = renderer.build(recipient=recipient, language=language, kind=kind, items=part,
                                     message_id=message_id, now=now)  # fmt: skip
            plan.messages.append(Planned(recipient, language, kind, tuple(part), message))


def plan_immediate(outbox: Outbox, renderer: Renderer, now: datetime) -> Plan:
    plan = Plan()
    allowed: list[Item] = []
    for (recipient, _language), group in _groups(outbox.waiting("immediate")).items():
        cap = group[-1].hourly_cap  # the newest item carries the recipient's current cap
        if cap and outbox.messages_since(recipient, "immediate", now - timedelta(hours=1)) >= cap:
            plan.rolled_over.extend(group)
        else:
            allowed.extend(group)
    _plan_messages(renderer, "immediate", allowed, now, plan)
    return plan


def plan_digest(outbox: Outbox, renderer: Renderer, period: str, now: datetime, at: str | None = None) -> Plan:
    """Digest items of this period (and, when `at` is given, of rules due at that local time) plus any overflow."""
    items = [
        item
        for item in outbox.waiting("digest", (period, "overflow"))
        if item.period == "overflow" or at is None or item.at_time == at
    ]
    plan = Plan()
    _plan_messages(renderer, f"digest:{period}", items, now, plan)
    return plan


def _store(outbox: Outbox, plan: Plan, now: datetime) -> Plan:
    outbox.roll_over(item.key for item in plan.rolled_over)
    for planned in plan.messages:
        outbox.add_message(
            planned.message_id, planned.recipient, planned.language, planned.kind, str(planned.message["Subject"]),
            planned.message.as_bytes(), [item.key for item in planned.items], now,
        )  # fmt: skip
    return plan


def compose_immediate(outbox: Outbox, renderer: Renderer, now: datetime) -> Plan:
    with outbox.transaction():
        return _store(outbox, plan_immediate(outbox, renderer, now), now)


def compose_digest(outbox: Outbox, renderer: Renderer, period: str, now: datetime, at: str | None = None) -> Plan:
    with outbox.transaction():
        return _store(outbox, plan_digest(outbox, renderer, period, now, at), now)


def plan_items(
    renderer: Renderer, rules: RuleSet, watchlist: Watchlist, leads: Iterable[Lead], now: datetime
) -> list[Plan]:
    """What the rules would send if every one of these leads were new: for previews; nothing is recorded."""
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for lead in leads:
        entry = watchlist.get(lead.entry_id)
        for rule in rules.matching(lead):
            for address in rule.to:
                recipient = rules.recipient(address)
                by_kind["immediate" if rule.delivery == "immediate" else f"digest:{rule.period}"].append(
                    Item(
                        key=item_key(lead.lead_id, rule.id, address, "new"),
                        lead_id=lead.lead_id,
                        rule_id=rule.id,
                        recipient=address.lower(),
                        event="new",
                        delivery=rule.delivery,
                        period=rule.period,
                        at_time=rule.at,
                        language=recipient.language,
                        hourly_cap=recipient.hourly_cap,
                        label=entry.label if entry else lead.entry_id,
                        lead=lead,
                    )  # fmt: skip
                )
    plans = []
    for kind, items in sorted(by_kind.items()):
        plan = Plan()
        _plan_messages(renderer, kind, items, now, plan)
        plans.append(plan)
    return plans
