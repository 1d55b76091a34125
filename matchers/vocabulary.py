"""The matchers' bundled word lists (matchers/data/): cue lexicon, goods → Nice classes, related classes, ordinary
and common words. Read once at compile time; `matching.cue_lexicon` adds a user TSV of cue terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import ahocorasick

from matchers.normalize import fold

DATA_DIR = Path(__file__).parent / "data"
# kinds of use_lexicon.tsv terms: lawful uses of a mark; every other kind is a counterfeit cue (evasion apart)
USE_KINDS = ("nominative", "fits_after", "pattern", "accessory", "subject", "resale", "marketing")
# cue kinds that hint rather than claim (a factory overrun, a batch photo): half a cue's points, and never enough to
# doubt an authorised seller
WEAK_CUE_KINDS = frozenset({"factory-overrun-claim", "factory-claim", "grey-import", "grey/smuggled", "grey/stolen",
                            "passing claim", "passing/auth-tag claim", "passes authentication", "unauthorized authentic",
                            "factory run", "general pictures (seller photos)", "quality-check photos", "legit check",
                            "where to cop", "catalogue host used by rep sellers", "storefront used by rep sellers",
                            "batch name"})  # fmt: skip


class VocabularyError(ValueError):
    """A malformed line in a word list; the message names file:line."""


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            rows.append((number, line.rstrip("\n").split("\t")))
    return rows


@dataclass(frozen=True)
class CueTerm:
    """A term of the cue or use lexicon: its kind, and the weight that scales the points of its rule."""

    term: str
    kind: str
    weight: float = 1.0


def _term(cols: list[str]) -> CueTerm:
    """term, lang, kind, then an optional numeric weight (else one by kind), then free text (the source)."""
    kind = cols[2].strip() if len(cols) > 2 and cols[2].strip() else "cue"
    try:
        weight = float(cols[3])
    except (IndexError, ValueError):
        weight = 0.5 if kind in WEAK_CUE_KINDS else 1.0
    return CueTerm(cols[0].strip(), kind, weight)


def load_cue_terms(extra: str | Path | None = None) -> tuple[list[CueTerm], list[str]]:
    """Bundled cue and use terms plus those of `extra`; (terms, one-line errors for bad lines of `extra`)."""
    terms = [_term(cols) for name in ("cue_lexicon.tsv", "use_lexicon.tsv") for _, cols in _rows(DATA_DIR / name)]
    errors: list[str] = []
    if extra:
        path = Path(extra)
        try:
            rows = _rows(path)
        except OSError as exc:
            raise VocabularyError(f"{path}: cannot read cue lexicon: {exc.strerror or exc}") from None
        for number, cols in rows:
            if not cols[0].strip():
                errors.append(f"{path}:{number}: term: is empty")
                continue
            if len(cols) > 3 and cols[3].strip() and not _is_number(cols[3]) and len(cols) > 4:
                errors.append(f"{path}:{number}: weight: must be a number, got {cols[3].strip()!r}")
                continue
            terms.append(_term(cols))
    return terms, errors


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def goods_terms() -> dict[str, tuple[int, ...]]:
    out: dict[str, tuple[int, ...]] = {}
    for number, cols in _rows(DATA_DIR / "goods_classes.tsv"):
        if len(cols) < 2:
            raise VocabularyError(f"goods_classes.tsv:{number}: classes: missing")
        out[fold(cols[0].strip())] = tuple(int(c) for c in cols[1].split())
    return out


@lru_cache(maxsize=1)
def related_classes() -> dict[int, frozenset[int]]:
    out: dict[int, set[int]] = {}
    for _, cols in _rows(DATA_DIR / "related_classes.tsv"):
        cls, related = int(cols[0]), {int(c) for c in cols[1].split()}
        out.setdefault(cls, set()).update(related)
        for other in related:  # relatedness is symmetric
            out.setdefault(other, set()).add(cls)
    return {k: frozenset(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def code_words() -> tuple[tuple[str, str], ...]:
    """(code word, the mark it stands for) pairs of data/code_words.tsv: seller slang such as 驴牌 for Louis Vuitton."""
    out = []
    for number, cols in _rows(DATA_DIR / "code_words.tsv"):
        if len(cols) < 2 or not cols[0].strip() or not cols[1].strip():
            raise VocabularyError(f"code_words.tsv:{number}: mark: missing")
        out.append((cols[0].strip(), cols[1].strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def ordinary_words() -> frozenset[str]:
    return frozenset(fold(cols[0].strip()) for _, cols in _rows(DATA_DIR / "ordinary_words.txt"))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    return frozenset(fold(cols[0].strip()) for _, cols in _rows(DATA_DIR / "common_words.txt"))


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Ordinary English words of four letters or more, folded: the English Wikipedia and US film and TV frequency
    lists that zxcvbn ships (about 45,000 words). A token that is one of them is a word, not a mistyped or glued
    mark (`canyon` is no CANON typo, `smartphone` no SMART glued to `phone`)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = (*FREQUENCY_LISTS["english_wikipedia"], *FREQUENCY_LISTS["us_tv_and_film"])
    return frozenset(fold(w) for w in words if len(w) >= 4 and w.isalpha())


class MultiScanner:
    """One automaton for several vocabularies (`{kind: {term: payload}}`), so a listing is scanned once for all."""

    def __init__(self, vocabularies: dict[str, dict[str, object]]) -> None:
        self._kinds = tuple(vocabularies)
        merged: dict[str, list[tuple[str, object]]] = {}
        for kind, terms in vocabularies.items():
            for term, payload in terms.items():
                if term:
                    merged.setdefault(term, []).append((kind, payload))
        self._scanner = PhraseScanner(merged, nested=True)  # type: ignore[arg-type]

    def scan(self, text: str) -> dict[str, list[tuple[int, int, str, object]]]:
        """{kind: [(start, end, term, payload)]}; within one kind, terms inside a longer found term are dropped."""
        out: dict[str, list[tuple[int, int, str, object]]] = {kind: [] for kind in self._kinds}
        for start, end, term, owners in self._scanner.scan(text):
            for kind, payload in owners:  # type: ignore[attr-defined]
                out[kind].append((start, end, term, payload))
        for kind, found in out.items():
            if len(found) > 1:
                out[kind] = _outermost(found)
        return out


def _outermost(found: list[tuple[int, int, str, object]]) -> list[tuple[int, int, str, object]]:
    """Drop terms inside a longer found term (手机 inside 手机壳)."""
    out = []
    for f in found:  # loops, not any() over a generator: this runs for most listings
        start, end = f[0], f[1]
        for o in found:
            if o[0] <= start and end <= o[1] and o != f:
                break
        else:
            out.append(f)
    return out


class PhraseScanner:
    """Finds folded terms in folded text; Latin terms only as whole words, longer terms hiding shorter ones inside."""

    def __init__(self, terms: dict[str, object], nested: bool = False) -> None:
        self._nested = nested  # keep terms inside longer ones (the caller sorts them out)
        self._automaton = ahocorasick.Automaton()
        for term, payload in terms.items():
            if term:  # with its length and whether it starts and ends with a Latin letter (a word boundary needed)
                self._automaton.add_word(term, (term, payload, len(term), term[0].isascii(), term[-1].isascii()))
        self._empty = not terms
        if terms:
            self._automaton.make_automaton()

    def scan(self, text: str) -> list[tuple[int, int, str, object]]:
        if self._empty:
            return []
        found = []
        last = len(text) - 1
        for end, (term, payload, size, ascii_first, ascii_last) in self._automaton.iter(text):
            start = end - size + 1
            if ascii_first and start > 0 and (c := text[start - 1]).isascii() and c.isalnum():
                continue
            if ascii_last and end < last and (c := text[end + 1]).isascii() and c.isalnum():
                continue
            found.append((start, end + 1, term, payload))
        if len(found) > 1 and not self._nested:
            found = _outermost(found)
        return found
