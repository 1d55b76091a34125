"""The lead store contract that every backend (SQLite, Elasticsearch) implements and one test suite checks."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from leads.store.aggregations import LeadAggregations
from netsword.models import LEAD_STATUSES, Lead

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
SORTS = ("score", "last_seen", "first_seen")
TAKEN_DOWN = "taken_down"  # listing snapshot `availability` once a re-check finds the listing removed


class StoreError(RuntimeError):
    """The store refused an operation (unknown lead, bad status, backend failure)."""


@dataclass(frozen=True)
class Stored:
    """One sighting as the store now holds it: the merged lead (status, history and all) and what writing it did."""

    lead: Lead
    outcome: str  # created / updated / unchanged


@dataclass
class UpsertReport:
    """What an upsert did: counts, errors, and per sighting (in input order) the stored lead, or None if it failed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    stored: list[Stored | None] = field(default_factory=list)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def merge(self, other: UpsertReport) -> None:
        """Add the other report's counts and errors (not its stored leads: a running total, not a record)."""
        for name in ("created", "updated", "unchanged", "failed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged, "failed": self.failed}


@dataclass(frozen=True)
class LeadQuery:
    """Filters, full-text search, sorting and paging over leads. Empty filters match everything."""

    status: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    platform: tuple[str, ...] = ()
    entry_id: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    assignee: str | None = None
    seller: str | None = None
    min_score: int | None = None
    max_score: int | None = None
    since: str | None = None  # last_seen ≥ since (ISO 8601)
    until: str | None = None  # last_seen < until
    text: str = ""
    exclude_parcels: bool = False  # leave out leads from parcel manifests (roles that may not see parcels)
    sort: str = "score"
    limit: int = 50
    offset: int = 0


def merge_seen(old: Lead, new: Lead) -> tuple[Lead, str]:
    """Merge a fresh sighting into the stored lead: the rules both stores follow.

    Keeps first_seen, status and assignee; bumps last_seen and times_seen; appends a price point only when the
    price changed. The outcome is `updated` when score, match, reasons or the listing changed, else `unchanged`.
    """
    history = list(old.price_history)
    price = new.price
    if price is not None and (not history or history[-1].get("price") != price):
        history.append({"at": new.last_seen, "price": price, "currency": new.listing.get("currency", "CNY")})
    merged = new.with_changes(
        first_seen=old.first_seen or new.first_seen,
        status=old.status,
        assignee=old.assignee,
        times_seen=old.times_seen + 1,
        price_history=tuple(history),
        last_seen=max(old.last_seen, new.last_seen),
    )
    return merged, (UPDATED if content_key(old) != content_key(new) else UNCHANGED)


def first_sighting(lead: Lead) -> Lead:
    price = lead.price
    history = ({"at": lead.last_seen, "price": price, "currency": lead.listing.get("currency", "CNY")},)
    return lead.with_changes(
        first_seen=lead.first_seen or lead.last_seen,
        times_seen=1,
        price_history=history if price is not None else (),
    )


def content_key(lead: Lead) -> tuple[Any, ...]:
    """What counts as a change of a lead: not the crawl time."""
    listing = {k: v for k, v in lead.listing.items() if k != "crawled_at"}
    return (lead.score, lead.matched, lead.reasons, lead.kind, repr(sorted(listing.items())))


def check_status(status: str) -> None:
    if status not in LEAD_STATUSES:
        raise StoreError(f"status must be one of {', '.join(LEAD_STATUSES)}, got {status!r}")


class LeadStore(abc.ABC):
    """Where leads live. Upserts are idempotent by lead_id and keep history.

    Writers do not call `upsert_many` themselves: they go through `leads.sink.LeadSink`, which tells the listeners
    (alerts) what was stored.
    """

    @abc.abstractmethod
    def upsert_many(self, leads: Iterable[Lead]) -> UpsertReport:
        """Merge each sighting into the stored lead (`merge_seen`), reading and writing under one lock or condition
        so that a concurrent triage decision or second writer is never overwritten; `report.stored` holds, per
        sighting in order, the lead as stored after it (or None when it failed)."""

    def mark_taken_down(self, lead_id: str, *, reason: str, at: str) -> Lead:
        """Record that the listing is gone from its platform (what enforcement reports count); kept on later calls.

        The listing snapshot gets `availability: taken_down`, `taken_down_at` and `taken_down_reason`; status,
        history and sightings stay as they are. A later sighting of the listing online replaces the snapshot.
        """
        lead = self.get(lead_id)
        if lead is None:
            raise StoreError(f"no lead {lead_id!r}")
        if lead.listing.get("availability") == TAKEN_DOWN:
            return lead
        listing = {**lead.listing, "availability": TAKEN_DOWN, "taken_down_at": at, "taken_down_reason": reason}
        marked = lead.with_changes(listing=listing)
        self.put_raw([marked])
        return marked

    @abc.abstractmethod
    def get(self, lead_id: str) -> Lead | None: ...

    @abc.abstractmethod
    def search(self, query: LeadQuery) -> list[Lead]: ...

    @abc.abstractmethod
    def count(self, query: LeadQuery) -> int: ...

    @abc.abstractmethod
    def iter_leads(self, query: LeadQuery) -> Iterator[Lead]:
        """Every lead matching the query (ignoring limit/offset), in the query's order, for exports and copies."""

    @abc.abstractmethod
    def aggregate(self, query: LeadQuery, *, top: int = 10) -> LeadAggregations:
        """Leads per day per platform, top entries, sellers and platforms over the leads `query` matches."""

    @abc.abstractmethod
    def set_status(self, lead_id: str, status: str, *, assignee: str | None = None) -> Lead: ...

    @abc.abstractmethod
    def put_raw(self, leads: Iterable[Lead]) -> int:
        """Write leads exactly as given (history, status and all), replacing any with the same id: for copies."""

    def close(self) -> None:  # noqa: B027 - optional for backends with nothing to release
        """Release connections."""

    def __enter__(self) -> LeadStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
