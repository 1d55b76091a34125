"""The compiled watchlist index: trademark, patent and geographical-indication matchers over one listing reading.

`compile_index(watchlist, settings)` reads the bundled word lists and `settings.cue_lexicon` once; `match` then
does no I/O. Settings: MatchSettings (matchers/settings.py, docs/matching.md).
"""

from __future__ import annotations

from matchers.context import ListingContext, ListingScanners
from matchers.gis import GIMatcher
from matchers.mark_index import Candidate, MarkIndex
from matchers.patents import PatentMatcher
from matchers.settings import MatchSettings
from matchers.trademark_scoring import TrademarkScorer
from matchers.vocabulary import load_cue_terms
from netsword.models import Hit, Listing
from watchlists.model import Watchlist

__all__ = ["MatchIndex", "MatchSettings", "compile_index"]
MIN_HIT_SCORE = 20  # hits below this are noise even for a low configured threshold
FUZZY_CODES = frozenset({"typo", "homophone", "near_mark", "pinyin", "code_word", "mixed_script"})


class MatchIndex:
    """Every entry of a watchlist compiled for matching; shared by every listing, safe to reuse."""

    def __init__(self, watchlist: Watchlist, settings: MatchSettings, cue_lexicon: str = "") -> None:
        self.watchlist = watchlist
        self.settings = settings
        terms, self.warnings = load_cue_terms(cue_lexicon or None)
        self.scanners = ListingScanners(terms)
        self.marks = MarkIndex(watchlist.trademarks, settings.min_typo_length, settings.short_latin_max)
        self.scorer = TrademarkScorer(settings)
        self.patents = PatentMatcher(watchlist.patents, settings)
        self.gis = GIMatcher(watchlist.geographical_indications, settings)

    def match(self, listing: Listing) -> list[Hit]:
        """The hits for one listing, best first."""
        ctx = ListingContext.read(listing, self.scanners)
        hits = self._trademarks(ctx)
        if self.watchlist.patents:
            hits.extend(self.patents.match(ctx))
        if self.watchlist.geographical_indications:
            hits.extend(self.gis.match(ctx))
        return sorted((h for h in hits if h.score >= MIN_HIT_SCORE), key=lambda h: (-h.score, h.entry_id))

    def _trademarks(self, ctx: ListingContext) -> list[Hit]:
        found: dict[int, list[Candidate]] = {}
        for candidate in self.marks.latin_candidates(ctx.tokens, ctx.raw_tokens):
            found.setdefault(candidate.entry, []).append(candidate)
        for candidate in self.marks.cjk_candidates(ctx.stream, ctx.spaced):
            found.setdefault(candidate.entry, []).append(candidate)
        for candidate in self.marks.mixed_candidates(ctx.spaced):
            found.setdefault(candidate.entry, []).append(candidate)
        for candidate in self.marks.code_candidates(ctx.spaced):
            found.setdefault(candidate.entry, []).append(candidate)
        _drop_marks_inside_other_marks(found)
        brands = sum(1 for candidates in found.values() if any(c.how == "exact" for c in candidates))
        hits = []
        for entry, candidates in found.items():
            hit = self.scorer.score(self.marks.marks[entry], self.marks.forms_of[entry], candidates, ctx, brands)
            if hit:
                hits.append(hit)
        if len(hits) < 2:
            return hits
        # one misspelt or sound-alike word names one mark: `Carteir` is Cartier's typo, not also CARTELO's
        best: dict[str, float] = {}
        for hit in hits:
            best[hit.matched] = max(best.get(hit.matched, 0.0), hit.score)
        return [h for h in hits if h.score >= best[h.matched] or h.reasons[0].code not in FUZZY_CODES]


def _drop_marks_inside_other_marks(found: dict[int, list[Candidate]]) -> None:
    """A Chinese mark written inside another watched mark is that other brand (宅急送 inside 必胜宅急送)."""
    spans = [(c.position, c.position + len(c.found), e) for e, cs in found.items() for c in cs
             if c.how == "exact" and c.script == "cjk"]  # fmt: skip
    if len(spans) < 2:
        return
    for entry in list(found):
        kept = [c for c in found[entry] if not (c.how == "exact" and c.script == "cjk" and any(
            e != entry and a <= c.position and c.position + len(c.found) <= b and b - a > len(c.found)
            for a, b, e in spans))]  # fmt: skip
        if kept:
            found[entry] = kept
        else:
            del found[entry]


def compile_index(watchlist: Watchlist, settings: MatchSettings | None = None, cue_lexicon: str = "") -> MatchIndex:
    """Compile the watchlist once; the index is then shared by every listing. `cue_lexicon`: extra cue terms TSV."""
    return MatchIndex(watchlist, settings or MatchSettings(), cue_lexicon)
