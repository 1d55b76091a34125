"""古奇, a common seller name for Gucci (an older transliteration, not a homophone of 古驰: gu qi / gu chi), is a
code word (matchers/data/code_words.tsv): it finds Gucci on goods of Gucci's classes, and nothing on a book titled
今古奇观."""

from __future__ import annotations

from matchers.index import compile_index
from netsword.config import load_config
from netsword.models import Listing
from watchlists.configured import load_configured


def _hits(index, title: str) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    listing = Listing.from_dict({"id": "1", "platform": "p", "url": "http://x/1", "title": title, "price": 158})
    return [(hit.entry_id, [r.code for r in hit.reasons]) for hit in index.match(listing)]


def test_gu_qi_is_a_code_word_for_gucci_on_its_goods_only() -> None:
    index = compile_index(load_configured(None, load_config(None, {})))
    [(entry, codes)] = _hits(index, "古奇 酒神包 高仿")
    assert entry == "tm-gucci" and "code_word" in codes
    assert _hits(index, "今古奇观 全本 原著 古典小说") == []
