"""What one listing says about itself, computed once per listing: normalised text, goods classes, cue and evasion
terms, price in CNY, seller. Every matcher reads it; nothing here depends on a watchlist entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from matchers.normalize import fold, latin_tokens
from matchers.price import to_cny
from matchers.vocabulary import NOMINATIVE_CUES, CueTerm, PhraseScanner, goods_terms
from netsword.models import Listing

_SEPARATORS = re.compile(r"[^\w$@]+|_")
_TOKEN = re.compile(r"[a-z0-9$@]+")


def spaced(text: str) -> str:
    """Folded text with every run of separators, symbols and emoji turned into one space."""
    return _SEPARATORS.sub(" ", text)


class ListingScanners:
    """The phrase automata shared by every listing: goods vocabulary, cue terms, evasion phrases, nominative cues."""

    def __init__(self, cue_terms: list[CueTerm]) -> None:
        self.goods = PhraseScanner({spaced(k).strip(): v for k, v in goods_terms().items()})
        cues = {spaced(fold(t.term)).strip(): t for t in cue_terms if t.kind != "evasion"}
        evasions = {spaced(fold(t.term)).strip(): t for t in cue_terms if t.kind == "evasion"}
        self.cues = PhraseScanner(dict(cues))
        self.evasions = PhraseScanner(dict(evasions))
        self.nominative = PhraseScanner({spaced(fold(c)).strip(): c for c in NOMINATIVE_CUES})


@dataclass
class ListingContext:
    """One listing, read once."""

    listing: Listing
    folded: str
    spaced: str
    tokens: list[str]
    token_spans: list[tuple[int, int]]
    stream: str
    goods: frozenset[int]
    goods_spans: list[tuple[int, int, tuple[int, ...]]]
    cues: list[str]
    evasions: list[tuple[int, int, str]]
    nominatives: list[tuple[int, int]]
    price_cny: float | None
    seller_keys: frozenset[str]
    _stream_to_spaced: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, listing: Listing, scanners: ListingScanners) -> ListingContext:
        folded = fold(listing.text)
        text = spaced(folded)
        spans = [m.span() for m in _TOKEN.finditer(text)]
        tokens = latin_tokens(text)
        goods_text = f"{text} {spaced(fold(listing.category))}" if listing.category else text
        goods_found = [(s, e, p) for s, e, _, p in scanners.goods.scan(goods_text)]
        seller = listing.seller
        seller_keys = (
            frozenset(fold(v).replace(" ", "") for v in (seller.name, seller.id) if v) if seller else frozenset()
        )
        return cls(
            listing=listing,
            folded=folded,
            spaced=text,
            tokens=tokens,
            token_spans=spans,
            stream=text.replace(" ", ""),
            goods=frozenset(c for _, _, classes in goods_found for c in classes),  # type: ignore[attr-defined]
            goods_spans=[(s, e, p) for s, e, p in goods_found if s < len(text)],  # type: ignore[misc]
            cues=sorted({term for _, _, term, _ in scanners.cues.scan(text)}),
            evasions=[(s, e, t) for s, e, t, _ in scanners.evasions.scan(text)],
            nominatives=[(s, e) for s, e, _, _ in scanners.nominative.scan(text)],
            price_cny=to_cny(listing.price, listing.currency),
            seller_keys=seller_keys,
        )

    def span_of(self, script: str, position: int, length: int) -> tuple[int, int]:
        """Where a candidate sits in `spaced`: from a token index (Latin) or a stream index (Chinese)."""
        if script == "latin":
            start = self.token_spans[position][0] if position < len(self.token_spans) else 0
            return start, start + length
        if not self._stream_to_spaced:
            self._stream_to_spaced = [i for i, c in enumerate(self.spaced) if c != " "]
        where = self._stream_to_spaced
        start = where[min(position, len(where) - 1)] if where else 0
        end = where[min(position + length - 1, len(where) - 1)] + 1 if where else 0
        return start, end

    @property
    def today(self) -> date:
        return _listing_date(self.listing)

    def goods_outside(self, start: int, end: int) -> frozenset[int]:
        """Goods classes named outside spaced[start:end]: 龙井 inside 西湖龙井 says nothing about the goods sold."""
        return frozenset(c for a, b, classes in self.goods_spans if b <= start or a >= end for c in classes)

    def is_authorised(self, sellers: tuple[str, ...]) -> bool:
        return bool(self.seller_keys) and any(fold(s).replace(" ", "") in self.seller_keys for s in sellers)


def _listing_date(listing: Listing) -> date:
    """The day the listing was seen (its crawl date), so expiry checks do not depend on when matching runs."""
    if listing.crawled_at[:10]:
        try:
            return date.fromisoformat(listing.crawled_at[:10])
        except ValueError:
            pass
    return date.today()
