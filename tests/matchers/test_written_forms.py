"""Marks written with the form's own separators, and words glued onto marks, on a watchlist of its own."""

from __future__ import annotations

import pytest

from matchers import MatchIndex, compile_index
from netsword.models import Listing
from watchlists.model import Trademark, Watchlist


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    marks = (
        Trademark(id="tm-85c", mark="85°C", variants=("85度C",), classes=(30, 43)),
        Trademark(id="tm-kx", mark="KXO", classes=(9,)),
        Trademark(id="tm-camel", mark="Camel", classes=(25,)),
    )
    return compile_index(Watchlist(trademarks=marks))


def _codes(index: MatchIndex, title: str, entry: str) -> set[str]:
    listing = Listing.from_dict({"id": "1", "platform": "t", "url": "u", "title": title})
    return {r.code for h in index.match(listing) if h.entry_id == entry and h.score >= 50 for r in h.reasons}


def test_a_short_mark_split_where_its_registered_form_is_split(index: MatchIndex) -> None:
    assert "exact_mark" in _codes(index, "85°C 咖啡豆 现货", "tm-85c")
    assert not _codes(index, "85 C 等级 手机", "tm-85c")  # not its goods


def test_a_short_mark_needs_a_digit_in_the_code_glued_to_it(index: MatchIndex) -> None:
    assert "glued" in _codes(index, "KXOM2 耳机", "tm-kx")
    assert not _codes(index, "KXOMAX 耳机", "tm-kx")


def test_a_model_code_then_goods_glued_onto_a_short_mark_names_the_goods(index: MatchIndex) -> None:
    assert "class_match" in _codes(index, "KXOS22headphones", "tm-kx")
