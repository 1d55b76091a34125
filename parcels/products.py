"""Product-line names and nicknames (a trademark entry's `products:`) read as the mark in parcel declarations.

Senders declare tersely: `飞天 53度 酱香型` names Moutai's product line and its flavour type, `神仙水 SK2` a skincare
line's nickname and a short brand form, and neither names the goods. For parcels only, a product name found in
the declared contents stands for its entry's mark, used for goods in the entry's first class: the listing matched
gets the mark in its description (`飞天 → moutai`) and a goods word of that class as its category, so the same
matchers and scoring decide as for any listing. Product names match whole words in Latin script and anywhere in
Chinese text, after the matchers' folding (full-width, traditional characters, look-alikes).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from matchers.normalize import fold, has_cjk
from matchers.vocabulary import goods_terms
from watchlists import Watchlist


@dataclass(frozen=True)
class ProductMention:
    product: str  # the product name as the watchlist writes it
    entry_id: str
    mark: str
    goods_word: str  # a goods term of the entry's first class ('' when the entry names no class)


class ProductNames:
    """Every product name of a watchlist's trademarks, compiled into one pattern; empty when none has products."""

    def __init__(self, watchlist: Watchlist) -> None:
        self._by_form: dict[str, list[ProductMention]] = {}  # by the folded form without spaces
        forms: set[str] = set()
        goods = _goods_word_by_class()
        for tm in watchlist.trademarks:
            word = next((goods[c] for c in tm.classes if c in goods), "")
            for product in tm.products:
                form = _form(product)
                if form:
                    mention = ProductMention(product, tm.id, tm.mark, word)
                    self._by_form.setdefault(form.replace(" ", ""), []).append(mention)
                    forms.add(form)
        alternatives = sorted(forms, key=len, reverse=True)  # the longest name wins where names overlap
        self._pattern = re.compile("|".join(_regex(form) for form in alternatives)) if alternatives else None
        self._goods = _goods_pattern() if alternatives else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def find(self, declared: str) -> list[ProductMention]:
        """The product names in declared contents, each entry once, in the order found. A declaration that names
        goods of its own keeps them: its mentions carry no goods word, and the matchers weigh the goods named."""
        if self._pattern is None:
            return []
        folded = fold(declared)
        found: dict[str, ProductMention] = {}
        for match in self._pattern.finditer(folded):
            for mention in self._by_form.get(re.sub(r"\s+", "", match.group(0)), ()):
                found.setdefault(mention.entry_id, mention)
        if found and self._goods is not None and self._goods.search(folded):
            return [dataclasses.replace(m, goods_word="") for m in found.values()]
        return list(found.values())


def expansion(mentions: list[ProductMention]) -> tuple[str, str]:
    """(description, category) for a listing: `飞天 → moutai` for each mention, and the goods words."""
    description = "; ".join(f"{m.product} → {m.mark}" for m in mentions)
    category = " ".join(dict.fromkeys(m.goods_word for m in mentions if m.goods_word))
    return description, category


def _form(product: str) -> str:
    return re.sub(r"\s+", " ", fold(product)).strip()


def _regex(form: str) -> str:
    body = r"\s*".join(re.escape(part) for part in form.split(" "))
    if has_cjk(form):
        return body
    # Latin names are whole words: `air jordan` in `air jordan 1`, never in `fair jordans`
    return rf"(?<![a-z0-9]){body}(?![a-z])"


def _goods_pattern() -> re.Pattern[str]:
    """Any goods term of the matchers' vocabulary: Chinese anywhere, Latin as whole words."""
    return re.compile("|".join(_regex(term) for term in sorted(goods_terms(), key=len, reverse=True)))


def _goods_word_by_class() -> dict[int, str]:
    """For each Nice class the first Chinese goods term of the matchers' vocabulary that names that class alone."""
    words: dict[int, str] = {}
    for term, classes in goods_terms().items():
        if len(classes) == 1 and has_cjk(term):
            words.setdefault(classes[0], term)
    return words
