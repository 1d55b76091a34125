"""The demo marketplace's catalogue: deterministic from a seed, indexed once for search, with its ground truth.

`build_catalogue(seed, size)` is cached: servers with the same seed share one immutable catalogue; what changes
at run time (takedowns, prices) lives in demo.market_state.
"""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from demo import goods as g
from demo.offers import (
    OfferSpec,
    counterfeit_offer,
    daigou_offer,
    disguise_kinds,
    fixed_offer,
    genuine_offer,
    hostile_offers,
    load_unrelated_titles,
    resale_offer,
    unrelated_offer,
)
from demo.regulated import place_showcase, regulated_truth, with_licence
from demo.rings import plant_rings
from demo.works import place_works

PLATFORMS = ("demo-static", "demo-browser", "demo-api", "demo-feed")
ID_PREFIX = {"demo-static": "st", "demo-browser": "br", "demo-api": "ap", "demo-feed": "fd"}
DEFAULT_SEED = 20240601
DEFAULT_SIZE = 2400
# per watched brand: how many offers of each sort
_GENUINE, _PLAIN, _DISGUISED, _DAIGOU, _RESALE = 8, 14, 14, 3, 3
_FIXED_REPEATS = {"nominative": 3, "lookalike": 3, "patent": 5, "geo": 4}
_MISSING_PRICE_RATE, _BROKEN_MARKUP_RATE = 0.012, 0.012


def normalize_query(text: str) -> str:
    """How the platform's search index folds text: NFKC, then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()


@dataclass(frozen=True)
class Seller:
    id: str
    name: str
    location: str


@dataclass(frozen=True)
class DemoListing:
    """One listing as the platform stores it; `defect` names how its pages are deliberately malformed."""

    id: str
    platform: str
    title: str
    price: float | None
    currency: str
    seller: Seller
    category: str
    location: str
    ships_from: str
    description: str
    image: str
    haystack: str  # normalised title + hidden search terms
    spec: OfferSpec
    defect: str = ""  # "" | missing_price | broken_markup | hostile_text
    ring: str = ""  # the seller ring (demo.rings) its shop belongs to, "" for none
    sales: int | None = None  # sales count shown on its static detail page (ring shops' listings only)

    def truth(self) -> dict[str, Any]:
        spec = self.spec
        row: dict[str, Any] = {
            "platform": self.platform,
            "listing_id": self.id,
            "entry_ids": list(spec.entry_ids),
            "kind": spec.kind,
            "label": spec.label,
            "disguise": spec.disguise,
            "signals": list(spec.signals),
            "title": self.title,
            "defect": self.defect or None,
        }
        if spec.cited_number:
            row["cited_number"] = spec.cited_number
        row["ring"] = self.ring  # actor networks' truth (demo.rings)
        row["regulated"] = regulated_truth(spec)  # licence leads, apart from the watchlist's (docs/regulated-goods.md)
        return row


class Catalogue:
    """Every listing, by id and by platform, with cached keyword search."""

    def __init__(self, seed: int, listings: list[DemoListing]) -> None:
        self.seed = seed
        self.listings = tuple(listings)
        self.by_id = {listing.id: listing for listing in listings}
        self.by_platform: dict[str, tuple[DemoListing, ...]] = {
            p: tuple(listing for listing in listings if listing.platform == p) for p in PLATFORMS
        }
        self.sellers = {listing.seller.id: listing.seller for listing in listings}

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - the catalogue lives as long as the process anyway
    def search(self, platform: str, query: str) -> tuple[str, ...]:
        """Ids of the platform's listings whose title or hidden search terms contain the query; all when empty."""
        needle = normalize_query(query).strip()
        pool = self.by_platform.get(platform, ())
        return tuple(item.id for item in pool if needle in item.haystack)

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def seller_items(self, platform: str, seller_id: str) -> tuple[str, ...]:
        return tuple(item.id for item in self.by_platform.get(platform, ()) if item.seller.id == seller_id)

    def ground_truth(self) -> list[dict[str, Any]]:
        return [listing.truth() for listing in self.listings]


def _specs(rng: random.Random, size: int) -> list[OfferSpec]:
    branded: list[OfferSpec] = []
    for goods in g.GOODS:
        kinds = disguise_kinds(goods)
        branded += [genuine_offer(goods, rng) for _ in range(_GENUINE)]
        branded += [counterfeit_offer(goods, rng) for _ in range(_PLAIN)]
        branded += [counterfeit_offer(goods, rng, kinds[i % len(kinds)]) for i in range(_DISGUISED)]
        branded += [daigou_offer(goods, rng) for _ in range(_DAIGOU)]
        branded += [resale_offer(goods, rng) for _ in range(_RESALE)]
    for offers, repeats in ((g.NOMINATIVE, _FIXED_REPEATS["nominative"]), (g.LOOKALIKES, _FIXED_REPEATS["lookalike"]),
                            (g.PATENTS, _FIXED_REPEATS["patent"]), (g.GEO, _FIXED_REPEATS["geo"])):  # fmt: skip
        branded += [fixed_offer(offer, rng) for offer in offers for _ in range(repeats)]
    hostile = hostile_offers()
    real_titles = load_unrelated_titles()
    unrelated = [unrelated_offer(rng, real_titles) for _ in range(max(0, size - len(branded) - len(hostile)))]
    rest = branded + unrelated
    rng.shuffle(rest)
    # hostile offers first, so that every platform gets two of them on its first result page
    specs = [with_licence(spec) for spec in hostile + rest]
    # regulated-goods showcase in place of unrelated fillers on the feed, which the demo crawls whole
    specs = place_showcase(specs, len(PLATFORMS), PLATFORMS.index("demo-feed"))
    # pirated works and honest listings of them, likewise on the feed (demo/works.py)
    return place_works(specs, len(PLATFORMS), PLATFORMS.index("demo-feed"))


@functools.lru_cache(maxsize=8)
def build_catalogue(seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE) -> Catalogue:
    """The catalogue for a seed: the same seed always gives the same listings, ids, prices and truth."""
    rng = random.Random(seed)
    sellers: dict[str, Seller] = {}
    listings: list[DemoListing] = []
    for i, spec in enumerate(_specs(rng, size)):
        platform = PLATFORMS[i % len(PLATFORMS)]
        listing_id = f"{ID_PREFIX[platform]}{100000 + i}"
        name, location = spec.seller
        seller = sellers.setdefault(name, Seller(f"S{len(sellers) + 1:04d}", name, location))
        roll = rng.random()
        defect = "hostile_text" if spec.hostile else ""
        if not defect and roll < _MISSING_PRICE_RATE:
            defect = "missing_price"
        elif not defect and roll < _MISSING_PRICE_RATE + _BROKEN_MARKUP_RATE:
            defect = "broken_markup"
        haystack = normalize_query("\n".join((spec.title, *spec.search_terms)))
        listings.append(DemoListing(
            id=listing_id, platform=platform, title=spec.title,
            price=None if defect == "missing_price" else spec.price, currency="CNY", seller=seller,
            category=spec.category, location=spec.seller[1], ships_from=spec.ships_from,
            description=spec.description, image=f"/img/{listing_id}.png", haystack=haystack, spec=spec, defect=defect,
        ))  # fmt: skip
    return Catalogue(seed, plant_rings(listings))
