"""Core records shared by every part of NetSword: Listing, Seller, Reason, Hit and Lead.

They are frozen dataclasses with conversion to and from the JSON shapes of docs/formats.md.
Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

LEAD_KINDS = ("trademark", "patent", "false_patent_marking", "geographical_indication", "parcel_pattern",
              "licence_missing", "licence_malformed", "licence_unregistered", "licence_expired", "licence_mismatch",
              "copyright")  # fmt: skip
LEAD_STATUSES = ("new", "triaged", "confirmed", "dismissed", "referred")
OPEN_STATUSES = ("new", "triaged", "confirmed", "referred")  # not dismissed: re-checked, evidence kept
# Score bands, lowest first: (floor, name). Alerts treat a rise into a higher band as news; summaries count by band.
SCORE_BANDS = ((50, "low"), (65, "medium"), (80, "high"))
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_LISTING_KEYS = (
    "id", "platform", "url", "title", "description", "price", "currency", "seller", "category",
    "images", "ships_from", "location", "sales", "crawled_at",
)  # fmt: skip
_LISTING_KEY_SET = frozenset(_LISTING_KEYS)
_SELLER_KEYS = ("id", "name", "url", "contact")


class ListingError(ValueError):
    """A listing that does not follow the Listing format; `field` names the offending key."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def utc_now() -> str:
    """The current time as ISO 8601 UTC with a trailing Z, to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(data: Mapping[str, Any], key: str, *, required: bool = False, prefix: str = "") -> str:
    value = data.get(key)
    if value.__class__ is str and value:  # the common case first: Listing.from_dict runs once per line read
        return value.strip()  # type: ignore[no-any-return]
    if value is None or value == "":
        if required:
            raise ListingError(prefix + key, "is required")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ListingError(prefix + key, f"must be text, got {type(value).__name__}")
    return str(value).strip()


@dataclass(frozen=True)
class Seller:
    """Who offers a listing on its platform."""

    id: str = ""
    name: str = ""
    url: str = ""
    contact: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> Seller | None:
        if data is None:
            return None
        if isinstance(data, str):
            return cls(name=data.strip())
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise ListingError("seller", f"must be an object, got {type(data).__name__}")
        return cls(**{k: _text(data, k, prefix="seller.") for k in _SELLER_KEYS})

    def to_dict(self) -> dict[str, str]:
        return {k: getattr(self, k) for k in _SELLER_KEYS if getattr(self, k)}


@dataclass(frozen=True)
class Listing:
    """One offer on a marketplace (or one parcel's declared contents), as collected."""

    id: str
    platform: str
    url: str
    title: str
    description: str = ""
    price: float | None = None
    currency: str = "CNY"
    seller: Seller | None = None
    category: str = ""
    images: tuple[str, ...] = ()
    ships_from: str = ""
    location: str = ""
    sales: int | None = None
    crawled_at: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any) -> Listing:
        """Validate a decoded JSON object; raises ListingError naming the first bad field."""
        if data.__class__ is not dict and not isinstance(data, Mapping):
            raise ListingError("listing", f"must be a JSON object, got {type(data).__name__}")
        price = data.get("price")
        if price is not None and price != "":
            if isinstance(price, bool) or not isinstance(price, (int, float, str)):
                raise ListingError("price", f"must be a number, got {type(price).__name__}")
            try:
                price = float(price)
            except ValueError:
                raise ListingError("price", f"must be a number, got {price!r}") from None
            if not math.isfinite(price) or price < 0:
                raise ListingError("price", f"must be a finite number ≥ 0, got {price!r}")
        else:
            price = None
        currency = (_text(data, "currency") or "CNY").upper()
        if not _CURRENCY.match(currency):
            raise ListingError("currency", f"must be an ISO 4217 code such as CNY, got {currency!r}")
        images = data.get("images") or []
        if isinstance(images, str):
            images = [images]
        if not isinstance(images, list) or not all(isinstance(i, str) for i in images):
            raise ListingError("images", "must be a list of URLs")
        sales = data.get("sales")
        if sales is not None and sales != "":
            try:
                sales = int(sales)
            except (TypeError, ValueError):
                raise ListingError("sales", f"must be a whole number, got {sales!r}") from None
        else:
            sales = None
        crawled_at = _text(data, "crawled_at")
        if crawled_at:
            try:
                datetime.fromisoformat(crawled_at.replace("Z", "+00:00"))
            except ValueError:
                raise ListingError("crawled_at", f"must be ISO 8601, got {crawled_at!r}") from None
        return cls(
            id=_text(data, "id", required=True),
            platform=_text(data, "platform", required=True),
            url=_text(data, "url", required=True),
            title=_text(data, "title", required=True),
            description=_text(data, "description"),
            price=price,
            currency=currency,
            seller=Seller.from_dict(data.get("seller")),
            category=_text(data, "category"),
            images=tuple(images),
            ships_from=_text(data, "ships_from"),
            location=_text(data, "location"),
            sales=sales,
            crawled_at=crawled_at,
            extra={k: v for k, v in data.items() if k not in _LISTING_KEY_SET},
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.extra)
        out.update(id=self.id, platform=self.platform, url=self.url, title=self.title)
        optional: dict[str, Any] = {
            "description": self.description,
            "price": self.price,
            "currency": self.currency,
            "seller": self.seller.to_dict() if self.seller else None,
            "category": self.category,
            "images": list(self.images),
            "ships_from": self.ships_from,
            "location": self.location,
            "sales": self.sales,
            "crawled_at": self.crawled_at,
        }
        out.update({k: v for k, v in optional.items() if v not in (None, "", [], {})})
        return out

    @property
    def seller_name(self) -> str:
        return self.seller.name if self.seller else ""

    @property
    def text(self) -> str:
        """Title and description, the text matchers read."""
        return f"{self.title}\n{self.description}" if self.description else self.title


@dataclass(frozen=True)
class Reason:
    """Why a lead was raised, as a stable code and a plain-language detail."""

    code: str
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(code=str(data["code"]), detail=str(data.get("detail", "")))


@dataclass(frozen=True)
class Hit:
    """What a matcher found in one listing for one watchlist entry, before it becomes a lead."""

    entry_id: str
    kind: str
    score: float
    matched: str
    reasons: tuple[Reason, ...]
    cited_number: str = ""


PARCEL_PLATFORM = "parcels"  # platform of parcel_pattern leads; declared-contents leads use "parcel:<courier>"


def is_parcel_platform(platform: str) -> bool:
    """Leads on these platforms come from parcel manifests and carry personal data."""
    return platform == PARCEL_PLATFORM or platform.startswith("parcel:")


def make_lead_id(platform: str, listing_id: str, entry_id: str) -> str:
    """Stable lead id: the same listing and entry always give the same id."""
    digest = hashlib.sha256(f"{platform}\x1f{listing_id}\x1f{entry_id}".encode()).hexdigest()
    return "ld-" + digest[:20]


@dataclass(frozen=True)
class Lead:
    """A scored, explained suspicion that one listing infringes one watchlist entry."""

    lead_id: str
    listing_id: str
    platform: str
    url: str
    entry_id: str
    kind: str
    score: int
    matched: str
    reasons: tuple[Reason, ...]
    listing: Mapping[str, Any]
    first_seen: str = ""
    last_seen: str = ""
    status: str = "new"
    cited_number: str = ""
    times_seen: int = 1
    price_history: tuple[Mapping[str, Any], ...] = ()
    owner: str = ""
    assignee: str = ""
    # The crawl run that last saw the listing (crawler.extensions.crawl_run): a run that restarts after a crash sees
    # listings again, and the store counts a sighting by the same run once (leads.store.base.merge_seen). "": no run.
    last_run: str = ""

    @property
    def title(self) -> str:
        return str(self.listing.get("title", ""))

    @property
    def seller_name(self) -> str:
        seller = self.listing.get("seller") or {}
        return str(seller.get("name", "")) if isinstance(seller, Mapping) else ""

    @property
    def price(self) -> float | None:
        price = self.listing.get("price")
        return float(price) if isinstance(price, (int, float)) else None

    @property
    def from_parcels(self) -> bool:
        return self.kind == "parcel_pattern" or is_parcel_platform(self.platform)

    def with_changes(self, **changes: Any) -> Lead:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lead_id": self.lead_id,
            "listing_id": self.listing_id,
            "platform": self.platform,
            "url": self.url,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "score": self.score,
            "matched": self.matched,
            "reasons": [r.to_dict() for r in self.reasons],
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "status": self.status,
            "times_seen": self.times_seen,
            "price_history": [dict(p) for p in self.price_history],
            "owner": self.owner,
            "assignee": self.assignee,
            "listing": dict(self.listing),
        }
        if self.cited_number:
            out["cited_number"] = self.cited_number
        if self.last_run:
            out["last_run"] = self.last_run
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lead:
        return cls(
            lead_id=str(data["lead_id"]),
            listing_id=str(data["listing_id"]),
            platform=str(data["platform"]),
            url=str(data.get("url", "")),
            entry_id=str(data["entry_id"]),
            kind=str(data["kind"]),
            score=int(data["score"]),
            matched=str(data.get("matched", "")),
            reasons=tuple(Reason.from_dict(r) for r in data.get("reasons", [])),
            listing=dict(data.get("listing") or {}),
            first_seen=str(data.get("first_seen", "")),
            last_seen=str(data.get("last_seen", "")),
            status=str(data.get("status", "new")),
            cited_number=str(data.get("cited_number", "")),
            times_seen=int(data.get("times_seen", 1)),
            price_history=tuple(dict(p) for p in data.get("price_history", [])),
            owner=str(data.get("owner", "")),
            assignee=str(data.get("assignee", "")),
            last_run=str(data.get("last_run", "")),
        )
