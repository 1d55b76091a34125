"""What changes while the demo marketplace runs: takedowns and price changes, undone by reset.

Everything here runs on the server's event loop thread, so plain dicts and sets need no lock.
"""

from __future__ import annotations

from demo.catalogue import Catalogue, DemoListing

PAGE_SIZE = 20
# Every REPEAT_EVERY results the platform shows again one it already showed REPEAT_BACK places earlier,
# as real result lists do when rankings shift between page loads: crawlers must de-duplicate.
REPEAT_EVERY, REPEAT_BACK = 30, 24


def with_repeats(ids: tuple[str, ...] | list[str]) -> list[str]:
    """The result sequence as pages show it: every id once, plus a few repeats across page boundaries."""
    out: list[str] = []
    for k, listing_id in enumerate(ids):
        out.append(listing_id)
        if (k + 1) % REPEAT_EVERY == 0:
            out.append(ids[k - REPEAT_BACK])
    return out


class MarketState:
    """Takedowns and price overrides on top of the immutable catalogue."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.removed: set[str] = set()
        self.prices: dict[str, float] = {}
        self.epoch = 0  # bumped by reset so caches keyed on it go stale
        self.revision: dict[str, int] = {}
        self._results: dict[tuple[str, ...], tuple[list[str], int]] = {}

    def reset(self) -> None:
        self.removed.clear()
        self.prices.clear()
        self.revision.clear()
        self.epoch += 1

    def find(self, platform: str, listing_id: str) -> DemoListing | None:
        """The listing if it exists on this platform (taken down or not)."""
        listing = self.catalogue.by_id.get(listing_id)
        return listing if listing is not None and listing.platform == platform else None

    def is_live(self, listing_id: str) -> bool:
        return listing_id not in self.removed

    def price_of(self, listing: DemoListing) -> float | None:
        return self.prices.get(listing.id, listing.price)

    def cache_key(self, listing_id: str) -> tuple[str, int, int]:
        return (listing_id, self.epoch, self.revision.get(listing_id, 0))

    def take_down(self, listing: DemoListing) -> None:
        self.removed.add(listing.id)
        self.revision[listing.id] = self.revision.get(listing.id, 0) + 1

    def set_price(self, listing: DemoListing, price: float) -> None:
        self.prices[listing.id] = price
        self.revision[listing.id] = self.revision.get(listing.id, 0) + 1

    def _cached(self, key: tuple[str, ...], ids: tuple[str, ...]) -> tuple[list[str], int]:
        # removed only grows between resets, so its size (with the epoch) dates the cached sequence
        full_key = (*key, str(self.epoch), str(len(self.removed)))
        hit = self._results.get(full_key)
        if hit is None:
            if len(self._results) > 8192:
                self._results.clear()
            live = [i for i in ids if i not in self.removed]
            hit = self._results[full_key] = (with_repeats(live), len(live))
        return hit

    def results(self, platform: str, query: str) -> tuple[list[str], int]:
        """The live result sequence (with repeats; do not modify) of a keyword search, and how many distinct."""
        return self._cached(("q", platform, query), self.catalogue.search(platform, query))

    def seller_results(self, platform: str, seller_id: str) -> tuple[list[str], int]:
        return self._cached(("s", platform, seller_id), self.catalogue.seller_items(platform, seller_id))
