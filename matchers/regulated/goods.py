"""What a listing sells, for the regulated-goods checks: each regime's goods words, the words that say the listing
sells something else (a sprayer, a pill box), cue and claim words, product words by dimension, and the trigger words
that make reading numbers worthwhile. One Aho-Corasick automaton for the words, one for the triggers; leftmost-longest
matches, so 生物有机肥 is not also 有机肥.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

import ahocorasick

from matchers.regulated.numbers import TextSource, joined, key_of
from matchers.regulated.rules import Regime

# detail fields whose value says what the goods are (产品类别: 杀菌剂; 品名: 嘧菌酯悬浮剂)
_GOODS_FIELD_WORDS = (
    "类别",
    "品类",
    "分类",
    "类目",
    "品名",
    "名称",
    "通用名",
    "剂型",
    "CATEGORY",
    "TYPE",
    "PRODUCT",
    "NAME",
)
# detail fields that name the producer, to compare with a register's holder
_PRODUCER_FIELD_WORDS = ("生产企业", "生产厂家", "生产商", "厂家", "厂名", "持有人", "注册人", "备案人", "制造商",
                         "MANUFACTURER", "PRODUCER", "MAKER")  # fmt: skip
# what each place says: (names the goods, may hold cue and claim words, names the product); fields: by their name
_ROLES = {"title": (True, True, True), "category": (True, False, False), "description": (False, True, False),
          "image": (False, True, False)}  # fmt: skip
_PRODUCER_SAID = re.compile(r"(?:生产企业|生产厂家|生产商|厂家|厂名|登记证持有人|上市许可持有人|注册人)\s*[:：]\s*"
                            r"(?P<v>[^\s,，;；。]{2,40})")  # fmt: skip


@dataclass(frozen=True)
class Term:
    regime: str
    role: str  # goods | not | high_risk | cue | claim | product
    dimension: str = ""
    group: str = ""


def _is_word(text: str, start: int, end: int, term: str) -> bool:
    """Latin terms (OTC, LED灯) must not sit inside a Latin word; Chinese terms need no boundary."""
    if not term[:1].isascii() or not term[:1].isalnum():
        return True
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (
        term[-1:].isascii() and after.isascii() and after.isalnum()
    )


class TermScanner:
    """Leftmost-longest matches of many words in normalised text; each word carries one or more payloads."""

    def __init__(self, terms: dict[str, list[Term]], *, boundaries: bool = True, longest: bool = True) -> None:
        self.boundaries, self.longest = boundaries, longest
        self._automaton = ahocorasick.Automaton()
        for word, payload in terms.items():
            self._automaton.add_word(word, (word, tuple(payload)))
        self._empty = not terms
        if not self._empty:
            self._automaton.make_automaton()

    def scan(self, text: str) -> list[tuple[str, tuple[Term, ...]]]:
        return [(word, payload) for _, word, payload in self.scan_at(text)]

    def scan_at(self, text: str) -> list[tuple[int, str, tuple[Term, ...]]]:
        """(start, word, payload) of each leftmost-longest match."""
        if self._empty or not text:
            return []
        out = []
        found = self._automaton.iter_long(text) if self.longest else self._automaton.iter(text)
        for end, (word, payload) in found:
            start = end - len(word) + 1
            if not self.boundaries or _is_word(text, start, end + 1, word):
                out.append((start, word, payload))
        return out


@dataclass
class GoodsReading:
    """One listing's words, by regime."""

    sources: list[TextSource]
    goods: dict[str, list[str]] = field(default_factory=dict)
    excluded: dict[str, list[str]] = field(default_factory=dict)
    high_risk: dict[str, list[str]] = field(default_factory=dict)
    cues: dict[str, list[str]] = field(default_factory=dict)
    claims: dict[str, list[str]] = field(default_factory=dict)
    products: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    product_words: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    triggered: set[str] = field(default_factory=set)
    text: str = ""  # title and detail fields, joined: where register product names are looked for
    _producer: str | None = None

    def on_goods(self, regime: str) -> bool:
        return bool(self.goods.get(regime)) and not self.excluded.get(regime)

    def regimes(self) -> set[str]:
        """The regimes worth checking: those whose goods the listing sells or whose numbers it may state."""
        return {r for r in self.goods if self.on_goods(r)} | self.triggered

    @property
    def producer(self) -> str:
        """The producer the listing names (a 生产企业 detail field, else 生产企业：… in its text); read when needed."""
        if self._producer is None:
            said = ""
            for source in self.sources:
                if source.where == "field" and any(w in key_of(source.name) for w in _PRODUCER_FIELD_WORDS):
                    self._producer = source.text.strip()
                    return self._producer
                if source.where in ("title", "description") and not said and (m := _PRODUCER_SAID.search(source.text)):
                    said = m.group("v")
            self._producer = said
        return self._producer


class GoodsVocabulary:
    """Every regime's words compiled once."""

    def __init__(self, regimes: Iterable[Regime]) -> None:
        terms: dict[str, list[Term]] = defaultdict(list)
        triggers: dict[str, list[Term]] = defaultdict(list)

        def add(word: str, term: Term) -> None:
            key = joined(word).replace(" ", "") if not word.isascii() else joined(word)
            if key and term not in terms[key]:
                terms[key].append(term)

        self.dimensions: dict[str, dict[str, set[str]]] = {}
        for regime in regimes:
            for word in regime.goods:
                add(word, Term(regime.id, "goods"))
            for word in regime.not_goods:
                add(word, Term(regime.id, "not"))
            for word in regime.high_risk:
                add(word, Term(regime.id, "high_risk"))
            for word in regime.cues:
                add(word, Term(regime.id, "cue"))
            for word in regime.claims:
                add(word, Term(regime.id, "claim"))
            self.dimensions[regime.id] = {}
            for dim in regime.products:
                self.dimensions[regime.id][dim.name] = set(dim.terms.values())
                for word, group in dim.terms.items():
                    add(word, Term(regime.id, "product", dim.name, group))
                    if dim.goods:
                        add(word, Term(regime.id, "goods"))
            for word in (*regime.triggers, *regime.labels, *regime.generic_labels):
                triggers[key_of(word)].append(Term(regime.id, "trigger"))
        products = TermScanner({w: [t for t in ts if t.role == "product"] for w, ts in terms.items()
                                if any(t.role == "product" for t in ts)})  # fmt: skip
        for word, payload in terms.items():
            for inner, inner_terms in products.scan(word):
                if inner != word:
                    payload.extend(t for t in inner_terms if t not in payload)
        self.words = TermScanner(dict(terms))
        # every occurrence, overlapping too: PD in PD20171234, and in 5KGPD… beside the seed trigger GPD
        self.triggers = TermScanner(dict(triggers), boundaries=False, longest=False)

    def read(self, sources: list[TextSource]) -> GoodsReading:
        """The listing's goods words (title, category, goods-naming fields), its cue and claim words (all text),
        product words (title and fields) and triggers (all text, field names too). One scan of each automaton."""
        reading = GoodsReading(sources)
        texts = [joined(source.text, normalised=True) for source in sources]
        starts = list(accumulate((len(t) + 1 for t in texts[:-1]), initial=0))
        roles = [_ROLES.get(s.where) or (any(w in key_of(s.name) for w in _GOODS_FIELD_WORDS), True, True)
                 for s in sources]  # fmt: skip
        for start, word, payload in self.words.scan_at("\n".join(texts)):
            says_goods, says_cues, says_product = roles[bisect_right(starts, start) - 1]
            for term in payload:
                role = term.role
                if role == "product":
                    if says_product:
                        reading.products.setdefault((term.regime, term.dimension), set()).add(term.group)
                        reading.product_words.setdefault((term.regime, term.dimension), []).append(word)
                elif role in ("cue", "claim"):
                    if says_cues:
                        (reading.cues if role == "cue" else reading.claims).setdefault(term.regime, []).append(word)
                elif says_goods:
                    table = (
                        reading.goods if role == "goods" else reading.excluded if role == "not" else reading.high_risk
                    )
                    table.setdefault(term.regime, []).append(word)
        said = "\n".join(f"{key_of(s.name)} {s.text}" if s.where == "field" else s.text for s in sources)
        for _, _word, payload in self.triggers.scan_at(said.replace(" ", "")):
            reading.triggered.update(t.regime for t in payload)
        reading.text = "\n".join(t for t, (_, _, product) in zip(texts, roles, strict=True) if product)
        return reading

    def product_groups(self, regime: str, text: str) -> dict[str, set[str]]:
        """Product groups by dimension named in a text (a register record's product and scope)."""
        out: dict[str, set[str]] = defaultdict(set)
        for _, payload in self.words.scan(joined(text)):
            for term in payload:
                if term.regime == regime and term.role == "product":
                    out[term.dimension].add(term.group)
        return out
