"""The compiled watchlist index: trademark, patent and geographical-indication matchers over one listing reading.

`compile_index(watchlist, settings)` reads the bundled word lists and `settings.cue_lexicon` once; `match` then
does no I/O. Settings: MatchSettings (matchers/settings.py, docs/matching.md).
"""

from __future__ import annotations

from matchers.adjustments import Adjustments
from matchers.context import ListingContext, ListingScanners
from matchers.gis import GIMatcher
from matchers.learned import LearnedScorer
from matchers.mark_index import Candidate, MarkIndex
from matchers.patents import PatentMatcher
from matchers.regulated import RegisterSnapshot, RegulatedChecks
from matchers.settings import MatchSettings
from matchers.trademark_scoring import TrademarkScorer
from matchers.vocabulary import load_cue_terms
from matchers.works import WorksMatcher
from netsword.models import Hit, Listing
from watchlists.model import Watchlist

__all__ = ["MatchIndex", "MatchSettings", "compile_index"]
MIN_HIT_SCORE = 20  # hits below this are noise even for a low configured threshold
FUZZY_CODES = frozenset({"typo", "homophone", "near_mark", "pinyin", "code_word", "mixed_script"})


class MatchIndex:
    """Every entry of a watchlist compiled for matching; shared by every listing, safe to reuse."""

    def __init__(
        self,
        watchlist: Watchlist,
        settings: MatchSettings,
        cue_lexicon: str = "",
        registers: RegisterSnapshot | None = None,
        learned: LearnedScorer | None = None,
        adjustments: Adjustments | None = None,
    ) -> None:
        self.watchlist = watchlist
        self.learned = learned  # trained from decisions (matchers/learned.py); None: the rules' scores
        self.adjustments = adjustments or Adjustments()  # learned from dismissals (matchers/adjustments.py)
        self.settings = settings
        terms, self.warnings = load_cue_terms(cue_lexicon or None)
        self.scanners = ListingScanners(terms)
        self.marks = MarkIndex.for_trademarks(watchlist.trademarks, settings.min_typo_length, settings.short_latin_max)
        self._trademark = {tm.id: tm for tm in watchlist.trademarks}
        self.scorer = TrademarkScorer(settings)
        self.patents = PatentMatcher(watchlist.patents, settings)
        self.gis = GIMatcher(watchlist.geographical_indications, settings)
        self.works = WorksMatcher(watchlist.works, settings)  # copyright works and piracy cues: matchers/works.py
        self.regulated = RegulatedChecks(registers)  # licence numbers of regulated goods: docs/regulated-goods.md

    def match(self, listing: Listing) -> list[Hit]:
        """The hits for one listing, best first."""
        ctx = ListingContext.read(listing, self.scanners)
        hits = self._trademarks(ctx)
        if self.learned is not None:  # the rules decided which hits exist; the model re-weighs them
            hits = [self.learned.rescore(h) for h in hits]
        if self.adjustments:  # per entry, seller and term, from investigators' dismissals
            hits = self.adjustments.apply(hits, listing)
        if self.watchlist.patents:
            hits.extend(self.patents.match(ctx))
        if self.watchlist.geographical_indications:
            hits.extend(self.gis.match(ctx))
        if self.watchlist.works:
            hits.extend(self.works.match(ctx))
        # regulated goods' licence numbers (matchers/regulated/), whatever the watchlist
        hits.extend(self.regulated.match(listing))
        return sorted((h for h in hits if h.score >= MIN_HIT_SCORE), key=lambda h: (-h.score, h.entry_id))

    def _drop_service_mentions(self, hits: list[Hit]) -> list[Hit]:
        """A mark whose trade is a service (a carrier, a courier, a bank), named beside another brand's goods, says
        which network the goods work on, how they ship or how to pay (Apple iPhone … Unlocked T-Mobile Verizon); so
        do two or more services of one trade named together (移动 电信 老人手机, 申通 圆通 包邮)."""

        def service(hit: Hit) -> bool:
            tm = self._trademark.get(hit.entry_id)
            return bool(tm and tm.classes and tm.classes[0] in SERVICE_CLASSES)

        if all(service(h) for h in hits) and len({self._trademark[h.entry_id].classes[0] for h in hits}) != 1:
            return hits
        return [h for h in hits if not service(h) or SIGNAL_CODES & {r.code for r in h.reasons}]

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
        listed = _listed_marks(found, ctx)
        hits = []
        for entry, candidates in found.items():
            hit = self.scorer.score(
                self.marks.marks[entry], self.marks.forms_of[entry], candidates, ctx, listed.get(entry, 1)
            )
            if hit:
                hits.append(hit)
        if len(hits) < 2:
            return hits
        hits = self._drop_service_mentions(hits)
        # one misspelt or sound-alike word names one mark: `Carteir` is Cartier's typo, not also CARTELO's
        best: dict[str, float] = {}
        for hit in hits:
            best[hit.matched] = max(best.get(hit.matched, 0.0), hit.score)
        return [h for h in hits if h.score >= best[h.matched] or h.reasons[0].code not in FUZZY_CODES]


LIST_GAP = 3  # characters (spaces, commas, slashes) that may separate the marks of one list


def _listed_marks(found: dict[int, list[Candidate]], ctx: ListingContext) -> dict[int, int]:
    """Entry → how many marks its plainly written mark is listed with, run together (宝马奔驰大众奥迪, AT&T T-Mobile
    Verizon): a list of what the goods fit. A mark named apart from the run (Apple iPhone … Verizon) is not in it."""
    spans = sorted(
        (*ctx.span_of(c.script, c.position, len(c.found)), e)
        for e, cs in found.items() for c in cs[:1] if c.how == "exact"
    )  # fmt: skip
    if len(spans) < 3:
        return {}
    out: dict[int, int] = {}
    run = [spans[0]]
    for span in [*spans[1:], (10**9, 10**9, -1)]:
        gap = ctx.spaced[run[-1][1] : span[0]].strip(" ,/、|&+")
        if span[0] >= run[-1][1] and len(gap) <= LIST_GAP and span[2] >= 0:
            run.append(span)
            continue
        if len({e for _, _, e in run}) >= 3:
            out.update({e: len(run) for _, _, e in run})
        run = [span]
    return out


SERVICE_CLASSES = range(35, 46)
SIGNAL_CODES = frozenset({"cue_word", "evasion_phrase"})


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


def compile_index(
    watchlist: Watchlist, settings: MatchSettings | None = None, cue_lexicon: str = "",
    registers: RegisterSnapshot | None = None, learned: LearnedScorer | None = None,
    adjustments: Adjustments | None = None,
) -> MatchIndex:  # fmt: skip
    """Compile the watchlist once; the index is then shared by every listing. `cue_lexicon`: extra cue terms TSV;
    `registers`: imported licence registers (matchers.regulated.configured); `learned`: a model trained from
    decisions that re-weighs trademark hits (matchers.learned); `adjustments`: what dismissals taught per entry, seller
    and term (matchers.adjustments)."""
    return MatchIndex(watchlist, settings or MatchSettings(), cue_lexicon, registers, learned, adjustments)
