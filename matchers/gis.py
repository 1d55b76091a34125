"""Geographical-indication matching: a protected name used by a seller outside the region or not authorised.

Settings: gi_outside_region_score, gi_unauthorized_score, gi_unknown_origin_score, evasion_phrase, cue_word.
"""

from __future__ import annotations

from matchers.context import ListingContext
from matchers.normalize import cjk_stream, find_span, fold
from matchers.settings import MatchSettings
from matchers.vocabulary import PhraseScanner, related_classes
from netsword.models import Hit, Reason
from watchlists.model import GeographicalIndication


class GIMatcher:
    def __init__(self, gis: tuple[GeographicalIndication, ...], settings: MatchSettings) -> None:
        self.s = settings
        self.related = related_classes()
        names: dict[str, list[GeographicalIndication]] = {}
        for gi in gis:
            for name in (gi.name, *gi.variants):
                key = cjk_stream(fold(name)).replace("|", "")
                if len(key) >= 2:
                    names.setdefault(key, []).append(gi)
        self.names = PhraseScanner(dict(names))

    def match(self, ctx: ListingContext) -> list[Hit]:
        hits: dict[str, Hit] = {}
        for start, end, name, owners in self.names.scan(ctx.spaced):
            for gi in owners:  # type: ignore[attr-defined]
                if gi.id not in hits and (hit := self._one(gi, name, ctx, ctx.goods_outside(start, end))):
                    hits[gi.id] = hit
        return list(hits.values())

    def _one(self, gi: GeographicalIndication, name: str, ctx: ListingContext, goods: frozenset[int]) -> Hit | None:
        s = self.s
        if ctx.is_authorised(gi.authorized_sellers):
            return None
        classes = set(gi.classes)
        related = set().union(*(self.related.get(c, frozenset()) for c in classes))
        if goods and classes and not goods & (classes | related):
            return None  # 西湖龙井 on a teacup names the tea it holds, not the goods sold
        origin = fold(" ".join(p for p in (ctx.listing.ships_from, ctx.listing.location) if p))
        in_region = any(fold(r) in origin for r in gi.region)
        reasons = [Reason("gi_name", f"“{name}” is the protected geographical indication {gi.name}")]
        if origin and not in_region:
            score = s.gi_outside_region_score
            reasons.append(Reason("outside_region", f"ships from {origin.strip()}, outside {'/'.join(gi.region)}"))
        elif gi.authorized_sellers and ctx.seller_keys:
            score = s.gi_unauthorized_score
            reasons.append(Reason("unauthorized_producer", f"{ctx.listing.seller_name} is not an authorised producer"))
        elif origin:
            return None  # from the region, and the indication names no producers to check against
        else:
            score = s.gi_unknown_origin_score
            reasons.append(Reason("unknown_origin", "the listing does not say where the goods come from"))
        if ctx.evasions:
            score += s.evasion_phrase
            reasons.append(Reason("evasion_phrase", f"“{ctx.evasions[0][2]}”: a look-alike claim"))
        if ctx.cues:
            score += min(s.cue_word + s.cue_word_extra * (len(ctx.cues) - 1), s.cue_word_cap)
            reasons.append(Reason("cue_word", "counterfeit cue " + ", ".join(f"“{c}”" for c in ctx.cues)))
        matched = find_span(ctx.listing.text, name, ctx.folded) or name
        return Hit(gi.id, "geographical_indication", min(100.0, score), matched, tuple(reasons))
