"""What one listing says about itself, computed once per listing: normalised text, goods classes, cue, evasion,
nominative and second-hand terms, price in CNY, seller. Every matcher reads it; nothing here depends on an entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from matchers.normalize import fold, skeleton_token, spaced
from matchers.price import to_cny
from matchers.segment import Word, segmenter
from matchers.vocabulary import USE_KINDS, CueTerm, MultiScanner, goods_terms
from netsword.models import Listing

_TOKEN = re.compile(r"[a-z0-9$@]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")


def goods_of_words(words: list[Word]) -> list[tuple[int, int, tuple[int, ...]]]:
    """Goods spans of the Chinese words: a word of the goods vocabulary, or a compound ending in one (跑步鞋 → 鞋);
    of goods words written together the last one names the goods (汽车香水 is perfume, not a car: head-final)."""
    spans: list[tuple[int, int, tuple[int, ...]]] = []
    known = _WORD_GOODS
    for word, start, end in words:
        classes = known.get(word, _UNKNOWN)
        if classes is _UNKNOWN:
            classes = _goods_of_word(word)
            if len(known) >= WORD_CACHE_SIZE:
                known.clear()  # bounded; words repeat across listings (Zipf), so it refills with the common ones
            known[word] = classes
        if classes:
            if spans and spans[-1][1] == start:
                spans.pop()
            spans.append((start, end, classes))  # type: ignore[arg-type]
    return spans


def _goods_of_word(word: str) -> tuple[int, ...] | None:
    if not _CJK.match(word):
        return None
    goods = goods_terms()
    classes = goods.get(word)
    if classes is None:
        classes = next((goods[word[k:]] for k in range(1, len(word)) if word[k:] in goods), None)
    return classes


# each word's goods classes, remembered: the goods vocabulary is the bundled one, fixed for the process
_UNKNOWN = object()
_WORD_GOODS: dict[str, object] = {}
WORD_CACHE_SIZE = 100_000


class ListingScanners:
    """One automaton shared by every listing over the goods vocabulary, cue terms, evasion phrases, nominative cues
    and second-hand words: a listing is scanned once for all of them."""

    def __init__(self, cue_terms: list[CueTerm]) -> None:
        def key(term: str) -> str:
            return spaced(fold(term)).strip()

        def of(kind: str) -> dict[str, object]:
            return {key(t.term): t for t in cue_terms if t.kind == kind}

        self.scanner = MultiScanner({
            "goods": {spaced(k).strip(): v for k, v in goods_terms().items()},
            "cue": {key(t.term): t for t in cue_terms if t.kind != "evasion" and t.kind not in USE_KINDS},
            "evasion": of("evasion"),
            "nominative": of("nominative"),
            "fits_after": of("fits_after"),
            "pattern": of("pattern"),
            "accessory": of("accessory"),
            "subject": of("subject"),
            "second_hand": of("resale"),
            "marketing": of("marketing"),
        })  # fmt: skip


@dataclass
class ListingContext:
    """One listing, read once."""

    listing: Listing
    folded: str
    spaced: str
    words: list[Word]  # the spaced text's words (Chinese segmented; Latin runs and spaces as words of their own)
    tokens: list[str]
    raw_tokens: list[str]  # the Latin tokens as written (digits kept); `tokens` reads digits inside words as letters
    token_spans: list[tuple[int, int]]
    stream: str
    goods: frozenset[int]
    goods_spans: list[tuple[int, int, tuple[int, ...]]]
    cues: list[str]
    cue_weight: float  # the strongest cue's weight (1 a claim, 0.5 a hint); 0 without cues
    evasions: list[tuple[int, int, str]]
    nominatives: list[tuple[int, int]]
    accessories: list[str]  # parts, repairs, add-ons for the branded product (副厂, 维修, replacement)
    subjects: list[str]  # the goods are about the brand (品牌故事, 管理之道, biography)
    second_hand: list[str]
    price_cny: float | None
    seller_keys: frozenset[str]
    fits_after: list[tuple[int, int]] = field(default_factory=list)  # 通用 / 周边 written right after a mark
    patterns: list[tuple[int, int]] = field(default_factory=list)  # print / 图案: an ordinary-word mark as a motif
    _stream_to_spaced: list[int] = field(default_factory=list)

    @classmethod
    def read(cls, listing: Listing, scanners: ListingScanners) -> ListingContext:
        folded = fold(listing.text)
        text = spaced(folded)
        size = len(text)
        found = scanners.scanner.scan(f"{text} {spaced(fold(listing.category))}" if listing.category else text)
        words = segmenter().words(text) if _CJK.search(text) else []
        # Chinese goods come from the words (compound-aware); Latin ones and the category's from the scanner
        goods_spans = [(s, e, p) for s, e, t, p in found["goods"] if s >= size or not _ALL_CJK.match(t)]
        goods_spans += goods_of_words(words)
        raw = _TOKEN.findall(text)
        marketing = [(s, e) for s, e, _, _ in found["marketing"] if s < size]

        def inside(start: int, end: int) -> bool:  # 同款 inside 明星同款 is a shop's phrase, not an evasion
            return any(a <= start and end <= b for a, b in marketing)

        cues = [f for f in found["cue"] if f[0] < size and not inside(f[0], f[1])]
        seller = listing.seller
        seller_keys = (
            frozenset(fold(v).replace(" ", "") for v in (seller.name, seller.id) if v) if seller else frozenset()
        )
        return cls(
            listing=listing,
            folded=folded,
            spaced=text,
            words=words,
            tokens=[t if t.isalpha() else skeleton_token(t) for t in raw],
            raw_tokens=raw,
            token_spans=[m.span() for m in _TOKEN.finditer(text)],
            stream=text.replace(" ", ""),
            goods=frozenset(c for _, _, classes in goods_spans for c in classes),  # type: ignore[attr-defined]
            # category terms sit past the text: outside every mark, so goods_outside() counts them
            goods_spans=goods_spans,  # type: ignore[arg-type]
            cues=sorted({term for _, _, term, _ in cues}),
            cue_weight=max((t.weight for _, _, _, t in cues), default=0.0),  # type: ignore[attr-defined]
            evasions=[(s, e, t) for s, e, t, _ in found["evasion"] if s < size and not inside(s, e)],
            nominatives=[(s, e) for s, e, _, _ in found["nominative"] if s < size],
            accessories=[t for s, _, t, _ in found["accessory"] if s < size],
            subjects=[t for s, _, t, _ in found["subject"] if s < size],
            second_hand=[t for s, _, t, _ in found["second_hand"] if s < size],
            price_cny=to_cny(listing.price, listing.currency),
            seller_keys=seller_keys,
            fits_after=[(s, e) for s, e, _, _ in found["fits_after"] if s < size],
            patterns=[(s, e) for s, e, _, _ in found["pattern"] if s < size],
        )

    def span_of(self, script: str, position: int, length: int) -> tuple[int, int]:
        """Where a candidate sits in `spaced`: from a token index (Latin) or a stream index (Chinese)."""
        if script == "spaced":
            return position, position + length
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
