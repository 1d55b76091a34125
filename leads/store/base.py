"""The lead store contract that every backend (SQLite, Elasticsearch) implements and one test suite checks."""

from __future__ import annotations

import abc
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from leads.store.aggregations import DashboardFigures, DashboardQuery, LeadAggregations
from leads.store.listings import KeptListing, ListingQuery, ListingReport
from leads.store.scope import UNSCOPED, Scope
from netsword.models import LEAD_STATUSES, Lead

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
SORTS = ("score", "last_seen", "first_seen")
TAKEN_DOWN = "taken_down"  # listing snapshot `availability` once a re-check finds the listing removed
RELATED_LIMIT = 20  # related leads shown on a lead's page


class StoreError(RuntimeError):
    """The store refused an operation (unknown lead, bad status, backend failure)."""


class StatusChange(TypedDict):
    """One entry of a lead's status log: when, the status before and after, and the assignee after the change."""

    at: str  # ISO 8601 UTC
    before: str
    after: str
    assignee: str


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
    listing_id: tuple[str, ...] = ()
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
    # keyset paging: the (sort value, lead_id) of the last lead of the previous page (`page_after`); with it the
    # page starts after that lead whatever its depth (Elasticsearch: search_after), and offset must be 0
    after: tuple[Any, str] | None = None

    @classmethod
    def within(cls, scope: Scope, **filters: Any) -> LeadQuery:
        """A query over the leads `scope` lets its reader see, with the other filters given."""
        return cls(owner=scope.owners, entry_id=scope.entry_ids, exclude_parcels=scope.exclude_parcels, **filters)


def page_after(lead: Lead, sort: str) -> tuple[Any, str]:
    """The `LeadQuery.after` cursor that continues a `sort`-ordered listing after `lead`."""
    value = {"score": lead.score, "last_seen": lead.last_seen, "first_seen": lead.first_seen}.get(sort)
    if value is None:
        raise StoreError(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
    return value, lead.lead_id


def merge_seen(old: Lead, new: Lead) -> tuple[Lead, str]:
    """Merge a fresh sighting into the stored lead: the rules both stores follow.

    Keeps first_seen, status and assignee; bumps last_seen and times_seen; appends a price point only when the
    price changed. The outcome is `updated` when score, match, reasons or the listing changed, else `unchanged`.
    A sighting by the crawl run that already saw the lead (`last_run`, set and equal: a crawl restarted after a
    crash fetches its listings again) does not count as another sighting: times_seen stays.
    """
    same_run = bool(new.last_run) and new.last_run == old.last_run
    history = list(old.price_history)
    price = new.price
    if price is not None and (not history or history[-1].get("price") != price):
        history.append({"at": new.last_seen, "price": price, "currency": new.listing.get("currency", "CNY")})
    merged = new.with_changes(
        first_seen=old.first_seen or new.first_seen,
        status=old.status,
        assignee=old.assignee,
        times_seen=old.times_seen if same_run else old.times_seen + 1,
        price_history=tuple(history),
        last_seen=max(old.last_seen, new.last_seen),
        last_run=new.last_run or old.last_run,
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


def taken_down(lead: Lead, *, reason: str, at: str) -> Lead:
    """The lead with its listing snapshot marked gone from the platform (see LeadStore.mark_taken_down)."""
    listing = {**lead.listing, "availability": TAKEN_DOWN, "taken_down_at": at, "taken_down_reason": reason}
    return lead.with_changes(listing=listing)


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

    @abc.abstractmethod
    def mark_taken_down(self, lead_id: str, *, reason: str, at: str) -> Lead:
        """Record that the listing is gone from its platform (what enforcement reports count); kept on later calls.

        The listing snapshot gets `availability: taken_down`, `taken_down_at` and `taken_down_reason` (`taken_down`);
        status, status log and sightings stay as they are, and a sighting stored at the same moment is not lost.
        A later sighting of the listing online replaces the snapshot. StoreError for an unknown lead.
        """

    @abc.abstractmethod
    def get(self, lead_id: str) -> Lead | None: ...

    @abc.abstractmethod
    def get_many(self, lead_ids: Iterable[str]) -> list[Lead]:
        """The stored leads among `lead_ids`, in the order first asked for, each once; unknown ids are left out."""

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
    def dashboard(self, query: DashboardQuery) -> DashboardFigures:
        """The triage dashboard's figures over the leads in `query.scope` (see DashboardFigures for each one)."""

    @abc.abstractmethod
    def set_status(self, lead_id: str, status: str, *, assignee: str | None = None) -> Lead:
        """Set status (and assignee, when given) and append the change to the lead's status log, in one step that a
        concurrent sighting cannot overwrite; StoreError for an unknown lead or status."""

    @abc.abstractmethod
    def status_history(self, lead_id: str) -> list[StatusChange]:
        """Every `set_status` of the lead, oldest first ([] for a lead never changed, or unknown)."""

    def same_seller(self, lead: Lead, *, scope: Scope = UNSCOPED, limit: int = RELATED_LIMIT) -> list[Lead]:
        """Other leads of the lead's seller (same platform, same seller name) within `scope`, highest score first.

        Seller names are only unique within a platform, so a namesake shop elsewhere is not "the same seller".
        """
        if not lead.seller_name:
            return []
        return self._others(lead, LeadQuery.within(scope, platform=(lead.platform,), seller=lead.seller_name,
                                                   limit=limit + 1), limit)  # fmt: skip

    def same_listing(self, lead: Lead, *, scope: Scope = UNSCOPED, limit: int = RELATED_LIMIT) -> list[Lead]:
        """Other leads on the same listing (platform and listing id: other entries it matched), highest score first."""
        query = LeadQuery.within(scope, platform=(lead.platform,), listing_id=(lead.listing_id,), limit=limit + 1)
        return self._others(lead, query, limit)

    def _others(self, lead: Lead, query: LeadQuery, limit: int) -> list[Lead]:
        return [other for other in self.search(query) if other.lead_id != lead.lead_id][:limit]

    @abc.abstractmethod
    def put_raw(self, leads: Iterable[Lead], *, status_logs: Mapping[str, list[StatusChange]] | None = None) -> int:
        """Write leads exactly as given (history, status and all), replacing any with the same id: for copies.

        The status log is not part of a Lead: a lead in `status_logs` gets that log (replacing its own); otherwise
        a replaced lead keeps its log and a new one starts with none.
        """

    @abc.abstractmethod
    def status_logs(self, lead_ids: Iterable[str]) -> dict[str, list[StatusChange]]:
        """The status logs of many leads at once (`status_history` of each), for copies; leads never changed or
        unknown are left out."""

    # Kept listings (leads.store.listings): every listing seen, matched or not, for `netsword rematch`.

    @abc.abstractmethod
    def keep_listings(self, sightings: Iterable[KeptListing]) -> ListingReport:
        """Merge each sighting into the kept listing of its (platform, listing id) by `merge_listing`, in order,
        under one lock or condition; a sighting not kept is counted in `failed` with its reason, never raised."""

    @abc.abstractmethod
    def put_listings(self, listings: Iterable[KeptListing]) -> int:
        """Write kept listings exactly as given (first/last seen, sightings, last run, content), replacing any with the
        same platform and listing id: for copies, so copying twice is harmless. Returns how many were written;
        StoreError when any was not (after writing the others)."""

    @abc.abstractmethod
    def get_listing(self, platform: str, listing_id: str) -> KeptListing | None: ...

    @abc.abstractmethod
    def iter_listings(self, query: ListingQuery) -> Iterator[KeptListing]:
        """Every kept listing the query selects, by platform and listing id, read in pages (a stable snapshot on
        Elasticsearch)."""

    @abc.abstractmethod
    def count_listings(self, query: ListingQuery) -> int: ...

    @abc.abstractmethod
    def drop_listings(self, *, last_seen_before: str) -> int:
        """Forget the kept listings not seen since `last_seen_before` (retention); returns how many. Leads stay."""

    @abc.abstractmethod
    def integrity_problems(self) -> list[str]:
        """What the backend's own check finds wrong with the stored data, one line each; [] when sound
        (`netsword doctor`). SQLite: PRAGMA quick_check; Elasticsearch: the health of the leads index."""

    def close(self) -> None:  # noqa: B027 - optional for backends with nothing to release
        """Release connections."""

    def __enter__(self) -> LeadStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
