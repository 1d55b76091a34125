"""Chinese word segmentation for matching: jieba's dictionary and algorithm, through rjieba (the Rust jieba-rs).

Goods words are read as words (`跑步鞋`, `尾灯总成`), and a mark that sits inside a longer dictionary word is told
apart from a mark used as a word (`红旗` inside `五星红旗`, `成功` inside `成功率`). One segmenter per process: the
dictionary is built once (about a quarter of a second) with the bundled goods vocabulary added as words.
Why rjieba rather than jieba itself: the same dictionary and the same maximum-probability path, maintained, and about
five microseconds a title instead of tens, which the 5,000 listings/s budget needs; see docs/matching.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

import rjieba

from matchers.vocabulary import goods_terms

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
Word = tuple[str, int, int]  # the word, its start and end offsets in the text


class Segmenter:
    """Splits text into words (no HMM guessing of new words: a word here is one the dictionary knows)."""

    def __init__(self, extra_words: tuple[str, ...] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self._added = frozenset(w for w in extra_words if _CJK.search(w) and not self._jieba.has_word(w))
        for word in sorted(self._added):
            self._jieba.add_word(word, None, None)

    def words(self, text: str) -> list[Word]:
        """Every word of `text` with its offsets (spaces and Latin runs come back as words of their own)."""
        return self._jieba.tokenize(text, "default", False)

    def is_dictionary_word(self, word: str) -> bool:
        """A word of jieba's own dictionary (not one of the goods words added here)."""
        return word not in self._added and self._jieba.has_word(word)


@lru_cache(maxsize=1)
def segmenter() -> Segmenter:
    """The process's segmenter, with the bundled goods vocabulary as extra words."""
    return Segmenter(tuple(goods_terms()))
