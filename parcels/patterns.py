"""Ant-moving (蚂蚁搬家) detection: many low-value watched-mark parcels, as `parcel_pattern` leads that grow.

Two shapes: fan-out (one resolved shipper, possibly under several written forms, to many receivers) and
consolidation (many shippers to one receiving address). A group qualifies when some `parcels.window_days` window
holds `min_parcels` of its low-value (≤ `low_value`) parcels of one watched entry and `min_receivers` receivers
(fan-out) or `min_senders` shippers (consolidation); its lead then covers ALL the group's parcels of that entry,
with their span and rate, so a ring that keeps sending is one lead that grows, not a window that drops the rest.
Parcels of authorised shippers (parcels.authorised) for the entries they may ship are left out. Leads go through the
one LeadSink (so alert rules hear of them); an unchanged pattern is not written again.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from leads.sink import LeadSink
from leads.store.base import UpsertReport, content_key
from netsword.models import Lead, Reason, make_lead_id, utc_now
from parcels.authorised import ShipperRegister
from parcels.db import ParcelDB
from parcels.shippers import links_of
from watchlists import Watchlist

MAX_WAYBILLS_IN_LEAD = 500
MAX_LINKS_IN_LEAD = 50


@dataclass(frozen=True)
class PatternSettings:
    window_days: float = 7.0
    low_value: float = 300.0
    min_parcels: int = 12
    min_receivers: int = 8
    min_senders: int = 5


@dataclass(frozen=True)
class Shipment:
    courier: str
    waybill: str
    at: datetime
    value: float
    contents: str
    sender_key: str
    shipper_id: str
    receiver_key: str
    receiver_addr_key: str
    authorised: tuple[str, ...] = ()  # shipper register records the sender is (parcel_shippers.authorised)


@dataclass
class Pattern:
    kind: str  # fanout | consolidation
    cluster_key: str
    entry_id: str
    shipments: list[Shipment]  # every parcel of the group, oldest first
    peak: list[Shipment] = field(default_factory=list)  # the densest qualifying window
    score: int = 0
    reasons: list[Reason] = field(default_factory=list)

    @property
    def waybills(self) -> list[str]:
        return sorted(s.waybill for s in self.shipments)


def load_shipments(db: ParcelDB, low_value: float) -> dict[str, list[Shipment]]:
    """Low-value parcels with a watched mark, by entry id, with each sender's resolved shipper, oldest first."""
    sql = """
        SELECT p.courier, p.waybill, p.shipped_at, p.declared_value, p.declared_contents, p.sender_key,
               coalesce(s.shipper_id, 'sh-' || substr(p.sender_key, 1, 16)), p.receiver_key, p.receiver_addr_key,
               p.entries, coalesce(s.authorised, '')
        FROM parcels p LEFT JOIN parcel_shippers s ON s.sender_key = p.sender_key
        WHERE p.entries != '' AND p.declared_value IS NOT NULL AND p.declared_value <= ?
    """
    by_entry: dict[str, list[Shipment]] = defaultdict(list)
    with db.lock:
        rows = db.conn.execute(sql, (low_value,)).fetchall()
    for courier, waybill, at, value, contents, sender, shipper, receiver, receiver_addr, entries, authorised in rows:
        shipment = Shipment(courier, waybill, datetime.fromisoformat(at), float(value), contents, sender, shipper,
                            receiver, receiver_addr, tuple(a for a in authorised.split(",") if a))  # fmt: skip
        for entry in entries.split(","):
            by_entry[entry].append(shipment)
    for shipments in by_entry.values():
        shipments.sort(key=lambda s: (s.at, s.waybill))
    return by_entry


def peak_window(
    ordered: list[Shipment], window: timedelta, min_parcels: int, who: Callable[[Shipment], str], min_distinct: int
) -> list[Shipment]:
    """The densest run of shipments within `window` that has `min_parcels` parcels and `min_distinct` distinct
    `who` (receivers or shippers); [] when no window qualifies. `ordered` is sorted by time."""
    best: tuple[int, int] = (0, 0)
    counts: Counter[str] = Counter()
    start = 0
    for end, shipment in enumerate(ordered):
        counts[who(shipment)] += 1
        while shipment.at - ordered[start].at > window:
            gone = who(ordered[start])
            counts[gone] -= 1
            if not counts[gone]:
                del counts[gone]
            start += 1
        size = end - start + 1
        if size >= min_parcels and len(counts) >= min_distinct and size > best[1] - best[0]:
            best = (start, end + 1)
    return ordered[best[0] : best[1]]


def find_patterns(
    by_entry: dict[str, list[Shipment]],
    settings: PatternSettings,
    authorised_for: Callable[[Shipment, str], bool] | None = None,
) -> list[Pattern]:
    """Every qualifying group with all its parcels; `authorised_for(shipment, entry_id)` leaves a parcel out."""
    window = timedelta(days=settings.window_days)
    found: list[Pattern] = []
    for entry_id, every in sorted(by_entry.items()):
        shipments = [s for s in every if not (authorised_for and s.authorised and authorised_for(s, entry_id))]
        by_shipper: dict[str, list[Shipment]] = defaultdict(list)
        by_address: dict[str, list[Shipment]] = defaultdict(list)
        for s in shipments:
            by_shipper[s.shipper_id].append(s)
            if s.receiver_addr_key:
                by_address[s.receiver_addr_key].append(s)
        for shipper_id, group in sorted(by_shipper.items()):
            if len(group) < settings.min_parcels:
                continue
            peak = peak_window(group, window, settings.min_parcels, lambda s: s.receiver_key, settings.min_receivers)
            if peak:
                found.append(Pattern("fanout", f"fanout:{shipper_id}", entry_id, group, peak))
        for address_key, group in sorted(by_address.items()):
            if len(group) < settings.min_parcels:
                continue
            peak = peak_window(group, window, settings.min_parcels, lambda s: s.shipper_id, settings.min_senders)
            if peak:
                found.append(Pattern("consolidation", f"consolidation:{address_key[:16]}", entry_id, group, peak))
    return found


def activity(shipments: list[Shipment]) -> tuple[float, float]:
    """(span in days from the first parcel to the last, parcels per week over that span, at least one day)."""
    first, last = shipments[0].at, shipments[-1].at
    span = (last - first).total_seconds() / 86400
    return span, len(shipments) / max(span, 1.0) * 7


def score_pattern(p: Pattern, settings: PatternSettings, mark: str) -> None:
    """Score 0–100 and plain-language reasons; more parcels, receivers or disguises mean more urgency."""
    n = len(p.shipments)
    total = sum(s.value for s in p.shipments)
    first, last = p.shipments[0].at, p.shipments[-1].at
    days, per_week = activity(p.shipments)
    span = (f"over {days:.0f} days ({first:%Y-%m-%d} – {last:%Y-%m-%d}, about {per_week:.1f} a week; "
            f"{len(p.peak)} within {settings.window_days:g} days at the peak)")  # fmt: skip
    values = f"each ≤ {settings.low_value:g} CNY declared (total {total:.2f})"
    if p.kind == "fanout":
        receivers = len({s.receiver_key for s in p.shipments})
        forms = len({s.sender_key for s in p.shipments})
        score = 55 + min(20, n - settings.min_parcels) + min(10, receivers - settings.min_receivers)
        p.reasons.append(Reason("ant_moving_fanout", f"{n} parcels declared as {mark}, {values}, from one shipper to "
                                                     f"{receivers} receivers {span}"))  # fmt: skip
        if forms > 1:
            score += 10
            p.reasons.append(Reason("shipper_disguised", f"the shipper wrote its name, phone or address {forms} "
                                                         "different ways; no single form passes the thresholds"))  # fmt: skip
    else:
        shippers = len({s.shipper_id for s in p.shipments})
        score = 55 + min(20, n - settings.min_parcels) + min(15, 2 * (shippers - settings.min_senders))
        p.reasons.append(Reason("ant_moving_consolidation", f"{n} parcels declared as {mark}, {values}, from "
                                                            f"{shippers} shippers to one address {span}"))  # fmt: skip
    p.score = max(0, min(100, score))


def pattern_lead(p: Pattern, db: ParcelDB, mark: str, owner: str, now: str) -> Lead:
    shipments = p.shipments
    links = sorted(links_of(db, {s.sender_key for s in shipments}), key=lambda lk: (lk.a, lk.b))
    relevant = {s.sender_key for s in shipments}
    links = [lk for lk in links if lk.a in relevant and lk.b in relevant]
    reasons = list(p.reasons)
    if links:
        reasons.append(Reason("shipper_links", "; ".join(f"{lk.a[:8]}↔{lk.b[:8]}: {lk.explain()}"
                                                         for lk in links[:5])))  # fmt: skip
    contents = Counter(s.contents for s in shipments).most_common(1)[0][0]
    url = f"parcels://pattern/{p.cluster_key}"
    days, per_week = activity(shipments)
    snapshot: dict[str, Any] = {
        "id": p.cluster_key, "platform": "parcels", "url": url,
        "title": f"蚂蚁搬家 ant moving · {mark} · {len(shipments)} parcels ({p.kind})",
        "pattern": p.kind, "currency": "CNY",
        "parcel_count": len(shipments),
        "total_value": round(sum(s.value for s in shipments), 2),
        "receivers": len({s.receiver_key for s in shipments}),
        "sender_forms": len({s.sender_key for s in shipments}),
        "shippers": sorted({s.shipper_id for s in shipments}),
        "window": {"from": shipments[0].at.isoformat(), "to": shipments[-1].at.isoformat()},
        "span_days": round(days, 1),
        "per_week": round(per_week, 2),
        "peak": {"from": p.peak[0].at.isoformat(), "to": p.peak[-1].at.isoformat(), "parcels": len(p.peak)},
        # the latest parcels: a lead that grows keeps showing what the ring sends now
        "waybills": [{"courier": s.courier, "waybill": s.waybill, "shipped_at": s.at.isoformat(),
                      "declared_value": s.value, "declared_contents": s.contents}
                     for s in shipments[-MAX_WAYBILLS_IN_LEAD:]],
        "waybills_omitted": max(0, len(shipments) - MAX_WAYBILLS_IN_LEAD),
        "links": [{"a": lk.a, "b": lk.b, "score": lk.score, "evidence": lk.evidence, "explain": lk.explain()}
                  for lk in links[:MAX_LINKS_IN_LEAD]],
    }  # fmt: skip
    # stores hand the snapshot back with keys sorted; build it the same way so a re-run compares equal
    snapshot = json.loads(json.dumps(snapshot, ensure_ascii=False, sort_keys=True))
    return Lead(
        lead_id=make_lead_id("parcels", p.cluster_key, p.entry_id),
        listing_id=p.cluster_key,
        platform="parcels",
        url=url,
        entry_id=p.entry_id,
        kind="parcel_pattern",
        score=p.score,
        matched=contents,
        reasons=tuple(reasons),
        listing=snapshot,
        first_seen=now,
        last_seen=now,
        owner=owner,
    )


@dataclass
class DetectReport:
    patterns: list[Pattern] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    stored: UpsertReport = field(default_factory=UpsertReport)
    authorised_parcels: int = 0  # watched low-value parcels left out as authorised shippers'


def detect_patterns(
    db: ParcelDB,
    settings: PatternSettings,
    *,
    watchlist: Watchlist | None = None,
    sink: LeadSink | None = None,
    now: str = "",
    register: ShipperRegister | None = None,
) -> DetectReport:
    """Find the patterns, turn them into leads and (when a sink is given) store the changed ones through it.

    With a shipper `register`, parcels of senders resolved as its authorised shippers for an entry are left out.
    """
    now = now or utc_now()
    by_entry = load_shipments(db, settings.low_value)
    authorised_for = None
    if register is not None and len(register):

        def authorised_for(shipment: Shipment, entry_id: str) -> bool:
            return register.covers(shipment.authorised, entry_id, watchlist.owner_of(entry_id) if watchlist else "")

    report = DetectReport(patterns=find_patterns(by_entry, settings, authorised_for))
    report.authorised_parcels = len({
        s.waybill for entry_id, shipments in by_entry.items() for s in shipments
        if authorised_for is not None and s.authorised and authorised_for(s, entry_id)
    })  # fmt: skip
    for p in report.patterns:
        entry = watchlist.get(p.entry_id) if watchlist else None
        mark = str(getattr(entry, "mark", "") or getattr(entry, "name", "") or p.entry_id)
        score_pattern(p, settings, mark)
        lead = pattern_lead(p, db, mark, watchlist.owner_of(p.entry_id) if watchlist else "", now)
        report.leads.append(lead)
    if sink is not None:
        changed: list[Lead] = []
        for lead in report.leads:
            old = sink.store.get(lead.lead_id)
            if old is not None and content_key(old) == content_key(lead):
                report.stored.add("unchanged")  # a re-run over the same parcels must not re-sight the lead
            else:
                changed.append(lead)
        report.stored.merge(sink.write(changed))
    report.leads.sort(key=lambda lead: (-lead.score, lead.lead_id))
    return report
