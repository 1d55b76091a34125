"""Patent matching: cited application numbers (check character, expiry, authorised sellers) and listings whose text
names a watched patent's title or keywords in related goods. Settings: false_marking_score, patent_citation_score,
patent_keyword_score, class_match, related_class, cue_word.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from matchers.context import ListingContext, spaced
from matchers.normalize import fold
from matchers.settings import MatchSettings
from matchers.vocabulary import PhraseScanner, related_classes
from netsword.models import Hit, Reason
from watchlists.model import Patent
from watchlists.patent_numbers import PatentNumber, parse_patent_number

_CITED = re.compile(
    r"(?P<prefix>ZL|CN|专利号?|PATENT(?:\s*NO\.?|\s*NUMBER)?)?\s*[:：#]?\s*"
    r"(?P<digits>(?:19|20)\d{2}\s?[12389]\s?\d{3}\s?\d{4}|\d{2}[12389]\d{5})"
    r"(?:\s*(?P<dot>[.．。·])\s*(?P<check>[0-9X]))?(?![0-9])"
)
# protection terms by patent type, to date unwatched citations (a design filed since June 2021 lasts 15 years)
TERM_YEARS = {"invention": 20, "utility_model": 10, "design": 10}


def cited_numbers(text: str) -> list[tuple[str, PatentNumber]]:
    """(number as cited, parsed number) for each patent number the text cites with a prefix or a check character."""
    norm = unicodedata.normalize("NFKC", text).upper()
    same_length = len(norm) == len(text)
    out: dict[str, tuple[str, PatentNumber]] = {}
    for m in _CITED.finditer(norm):
        if not m.group("prefix") and not m.group("dot"):
            continue  # bare digits are order or phone numbers far more often than patents
        digits = re.sub(r"\s", "", m.group("digits"))
        if len(digits) == 8 and not ("85" <= digits[:2] <= "99" or digits[:2] in ("00", "01", "02", "03")):
            continue
        parsed = parse_patent_number(digits + ("." + m.group("check") if m.group("check") else ""))
        if parsed:
            start = m.start("digits") if not m.group("prefix") else m.start("prefix")
            as_cited = (text if same_length else norm)[start : m.end()].strip()
            out.setdefault(parsed.digits, (as_cited, parsed))
    return list(out.values())


def _filing_year(number: PatentNumber) -> int:
    year = int(number.digits[:4]) if len(number.digits) == 12 else int(number.digits[:2])
    return year if len(number.digits) == 12 else (1900 + year if year >= 85 else 2000 + year)


class PatentMatcher:
    def __init__(self, patents: tuple[Patent, ...], settings: MatchSettings) -> None:
        self.s = settings
        self.by_digits = {p.digits: pat for pat in patents if (p := parse_patent_number(pat.number))}
        self.related = related_classes()
        terms: dict[str, list[Patent]] = {}
        for pat in patents:
            for term in (pat.title, *pat.keywords):
                key = spaced(fold(term)).strip()
                if len(key.replace(" ", "")) >= 3:
                    terms.setdefault(key, []).append(pat)
        self.keywords = PhraseScanner(dict(terms))

    def match(self, ctx: ListingContext) -> list[Hit]:
        hits: dict[str, Hit] = {}
        for as_cited, number in cited_numbers(ctx.listing.text):
            hit = self._citation(as_cited, number, ctx)
            if hit and hit.entry_id not in hits:
                hits[hit.entry_id] = hit
        for start, end, term, owners in self.keywords.scan(ctx.spaced):
            for pat in owners:  # type: ignore[attr-defined]
                if pat.id not in hits and (hit := self._keyword(pat, term, ctx, ctx.goods_outside(start, end))):
                    hits[pat.id] = hit
        return list(hits.values())

    def _citation(self, as_cited: str, number: PatentNumber, ctx: ListingContext) -> Hit | None:
        s, watched = self.s, self.by_digits.get(number.digits)
        entry_id = watched.id if watched else f"fpm:{number.digits}"
        if number.check and not number.check_ok:
            why = Reason("invalid_check_character", f"{as_cited} ends in check character {number.check}, but the "
                         f"number's check character is {number.expected_check}: no such patent")  # fmt: skip
            return Hit(entry_id, "false_patent_marking", s.false_marking_score, as_cited, (why,), as_cited)
        expiry = watched.valid_until if watched and watched.valid_until else self._estimated_expiry(number)
        if expiry and expiry < ctx.today:
            why = Reason("patent_expired", f"{number.canonical} expired on {expiry.isoformat()}; citing it as "
                         "a live patent is false marking")  # fmt: skip
            return Hit(entry_id, "false_patent_marking", s.false_marking_score, as_cited, (why,), as_cited)
        if not watched or ctx.is_authorised(watched.authorized_sellers):
            return None
        reasons = [Reason("cited_patent", f"cites {watched.label}, owned by {watched.owner or 'the patentee'}")]
        reasons.append(Reason("unauthorized_seller", f"{ctx.listing.seller_name or 'the seller'} is not licensed"))
        score = s.patent_citation_score + self._cue_points(ctx, reasons)
        return Hit(watched.id, "patent", min(100.0, score), as_cited, tuple(reasons), as_cited)

    def _keyword(self, pat: Patent, term: str, ctx: ListingContext, goods: frozenset[int]) -> Hit | None:
        s = self.s
        if (pat.valid_until and pat.valid_until < ctx.today) or ctx.is_authorised(pat.authorized_sellers):
            return None
        classes = set(pat.classes)
        related = set().union(*(self.related.get(c, frozenset()) for c in classes))
        reasons = [Reason("patent_keyword", f"“{term}” describes the patented {pat.label}")]
        score = s.patent_keyword_score
        if goods and classes:
            if goods & classes:
                score += s.class_match
                reasons.append(Reason("class_match", "goods in the patent's classes"))
            elif goods & related:
                score += s.related_class
                reasons.append(Reason("related_class", "goods related to the patent's classes"))
            else:
                return None
        if pat.authorized_sellers and ctx.seller_keys:
            score += s.unauthorized_seller
            reasons.append(Reason("unauthorized_seller", f"{ctx.listing.seller_name} is not licensed"))
        score += self._cue_points(ctx, reasons)
        return Hit(pat.id, "patent", min(100.0, score), term, tuple(reasons))

    def _cue_points(self, ctx: ListingContext, reasons: list[Reason]) -> float:
        if not ctx.cues:
            return 0.0
        reasons.append(Reason("cue_word", "counterfeit cue " + ", ".join(f"“{c}”" for c in ctx.cues)))
        return min(self.s.cue_word + self.s.cue_word_extra * (len(ctx.cues) - 1), self.s.cue_word_cap)

    @staticmethod
    def _estimated_expiry(number: PatentNumber) -> date | None:
        years = TERM_YEARS.get(number.kind)
        return date(_filing_year(number) + years, 12, 31) if years else None
