"""Works (copyright): finds a watched work's titles and aliases in a listing, and the piracy cues and lawful-use
words around them (matchers/data/piracy_lexicon.tsv). Scoring is matchers/works_scoring.py; docs/matching.md#works.

Compiled once per index; `match` does no I/O. A work's Chinese forms are found in the listing's character stream
(spaces and separators removed: 黑神话：悟空 = 黑神话悟空), its Latin forms as whole words, also written with digits
or look-alikes for letters (Ph0toshop).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from matchers.context import ListingContext
from matchers.normalize import find_span, fold, has_cjk, skeleton_token, spaced
from matchers.segment import segmenter
from matchers.settings import MatchSettings
from matchers.vocabulary import DATA_DIR, PhraseScanner, VocabularyError
from matchers.works_scoring import LAWFUL_KINDS, PIRACY_KINDS, PiracyTerm, WorkScorer
from netsword.models import Hit
from watchlists.model import WORK_TYPES, Work

_TOKEN = re.compile(r"[a-z0-9$@]+")
_WITH_NUMBER = re.compile(r"([a-z]{4,})(\d{2,4}[a-z]?)")  # a title glued to a year or version: office2021, cad2024
LEXICON = DATA_DIR / "piracy_lexicon.tsv"
MIN_LATIN = 4  # a Latin title or alias shorter than this (PS, CAD) is too ambiguous to read on its own
MIN_CJK = 2


@lru_cache(maxsize=4)
def piracy_terms(path: Path = LEXICON) -> tuple[PiracyTerm, ...]:
    """The piracy lexicon: term, lang, kind, weight, types, note; a bad line is `file:line: field: what`."""
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        where = f"{path.name}:{number}"
        if len(cols) < 4 or not cols[0].strip():
            raise VocabularyError(f"{where}: term: expected term, lang, kind, weight")
        kind = cols[2].strip()
        if kind not in PIRACY_KINDS and kind not in LAWFUL_KINDS:
            raise VocabularyError(f"{where}: kind: unknown {kind!r}")
        try:
            weight = float(cols[3])
        except ValueError:
            raise VocabularyError(f"{where}: weight: must be a number, got {cols[3]!r}") from None
        types = frozenset(t.strip() for t in cols[4].split(",") if t.strip()) if len(cols) > 4 else frozenset()
        if types - set(WORK_TYPES):
            raise VocabularyError(f"{where}: types: unknown {sorted(types - set(WORK_TYPES))[0]!r}")
        out.append(PiracyTerm(cols[0].strip(), kind, weight, types))
    return tuple(out)


@dataclass(frozen=True)
class Found:
    """Where one form of a work was found: the span as written, the form's key, and where it sits in `spaced`."""

    work: int
    form: str
    key: str
    span: str
    start: int
    end: int


def _latin_key(form: str) -> str:
    """A Latin form as the listing's tokens read it: folded words, digits inside words read as letters."""
    return " ".join(t if t.isalpha() else skeleton_token(t) for t in _TOKEN.findall(spaced(fold(form))))


class WorksMatcher:
    """Every work of a watchlist compiled for matching."""

    def __init__(self, works: tuple[Work, ...], settings: MatchSettings) -> None:
        self.works = works
        cjk: dict[str, object] = {}
        cjk_spaced: dict[str, object] = {}
        latin: dict[str, object] = {}
        for number, work in enumerate(works):
            for form in work.forms:
                if has_cjk(form):
                    key = spaced(fold(form)).replace(" ", "")
                    if len(key) >= MIN_CJK:
                        cjk.setdefault(key, {})[number] = form  # type: ignore[index]
                        cjk_spaced.setdefault(spaced(fold(form)).strip(), {})[number] = form  # type: ignore[index]
                else:
                    key = _latin_key(form)
                    if len(key.replace(" ", "")) >= MIN_LATIN:
                        latin.setdefault(key, {})[number] = form  # type: ignore[index]
                        # written together as one token: Office2021, BlackMythWukong
                        latin.setdefault(key.replace(" ", ""), {})[number] = form  # type: ignore[index]
        self._cjk = PhraseScanner(cjk)
        # a form ending in a digit or letter (流浪地球2) needs a word boundary the stream has lost (流浪地球2 4K)
        self._cjk_spaced = PhraseScanner(cjk_spaced)
        self._latin = PhraseScanner(latin)
        self._glued = {k: v for k, v in latin.items() if " " not in k}
        self._forms = frozenset(cjk) | frozenset(cjk_spaced)
        self._cues = PhraseScanner({spaced(fold(t.term)).strip(): t for t in piracy_terms()}, nested=True)
        self.scorer = WorkScorer(settings)

    def match(self, ctx: ListingContext) -> list[Hit]:
        found = self._find(ctx)
        if not found:
            return []
        size = len(ctx.spaced)
        text = f"{ctx.spaced} {spaced(fold(ctx.listing.category))}" if ctx.listing.category else ctx.spaced
        terms = [(start, end, term) for start, end, _, term in self._cues.scan(text)]
        # a term inside a longer one is that longer one (网盘 inside 百度网盘, 激活 inside 永久激活)
        terms = [t for t in terms if not any(o[0] <= t[0] and t[1] <= o[1] and o != t for o in terms)]
        # a cue inside the title itself is part of the title (《破解》 as a film's name)
        terms = [t for t in terms if not any(f.start <= t[0] and t[1] <= f.end for f in found) or t[0] >= size]
        hits = []
        for work_number in sorted({f.work for f in found}):
            best = max((f for f in found if f.work == work_number), key=lambda f: len(f.key))
            cues: list[PiracyTerm] = [t for _, _, t in terms]  # type: ignore[misc]
            hit = self.scorer.score(self.works[work_number], best.form, best.span, best.key, ctx, cues)
            if hit:
                hits.append(hit)
        return hits

    def _inside_other_word(self, ctx: ListingContext, span: str, a: int, b: int) -> bool:
        """A Chinese title inside a longer dictionary word is that word (三体 in 三体问题, the physics problem), unless
        the listing writes it as a title, in book-title marks (《三体》)."""
        if f"《{span}》" in ctx.listing.text:
            return False
        return any(x <= a and b <= y and y - x > b - a and word not in self._forms
                   and segmenter().is_dictionary_word(word) for word, x, y in ctx.words)  # fmt: skip

    def _find(self, ctx: ListingContext) -> list[Found]:
        out: list[Found] = []
        for start, end, key, works in self._cjk.scan(ctx.stream):
            a, b = ctx.span_of("cjk", start, end - start)
            span = find_span(ctx.listing.text, ctx.spaced[a:b].replace(" ", ""), ctx.folded) or key
            if not self._inside_other_word(ctx, span, a, b):
                out.extend(Found(w, form, key, span, a, b) for w, form in works.items())  # type: ignore[attr-defined]
        for a, b, key, works in self._cjk_spaced.scan(ctx.spaced):
            span = find_span(ctx.listing.text, key.replace(" ", ""), ctx.folded) or key
            if not self._inside_other_word(ctx, span, a, b):
                out.extend(Found(w, form, key, span, a, b) for w, form in works.items())  # type: ignore[attr-defined]
        if ctx.tokens:
            joined = " ".join(ctx.tokens)
            for start, _end, key, works in self._latin.scan(joined):
                first = joined.count(" ", 0, start)
                last = first + key.count(" ")
                if last >= len(ctx.token_spans):
                    continue
                a, b = ctx.token_spans[first][0], ctx.token_spans[last][1]
                span = find_span(ctx.listing.text, ctx.spaced[a:b].replace(" ", ""), ctx.folded) or ctx.spaced[a:b]
                out.extend(Found(w, form, key, span, a, b) for w, form in works.items())  # type: ignore[attr-defined]
            for token, (a, b) in zip(ctx.tokens, ctx.token_spans, strict=False):
                glued = _WITH_NUMBER.fullmatch(token)
                works = self._glued.get(glued.group(1)) if glued else None
                if works and not any(f.start <= a and b <= f.end for f in out):
                    span = find_span(ctx.listing.text, ctx.spaced[a:b], ctx.folded) or ctx.spaced[a:b]
                    out.extend(Found(w, form, glued.group(1), span, a, b) for w, form in works.items())  # type: ignore[attr-defined, union-attr]
        return out
