"""Trademark scoring: turns a mark's best candidate in a listing into a Hit with a score and its reasons.

Settings: every weight of MatchSettings (docs/matching.md explains the formula). Rules for legitimate use live
here too: unrelated goods, nominative use, authorised sellers at a normal price, short and ordinary-word marks.
"""

from __future__ import annotations

import re
import unicodedata

from matchers.context import ListingContext
from matchers.daigou import daigou_signals
from matchers.mark_index import GLUE_EVASIONS, Candidate, glued_goods_classes
from matchers.normalize import IDEOGRAPHIC_SEPARATORS, LETTER_LIKE, TRADITIONAL, ZERO_WIDTH, find_span
from matchers.price import to_cny
from matchers.segment import segmenter
from matchers.settings import MatchSettings
from matchers.vocabulary import common_words, english_words, goods_terms, ordinary_words, related_classes
from netsword.models import Hit, Reason
from watchlists.model import Trademark

# how a candidate was found → (settings field of its base score, reason code)
_BASE = {"exact": "exact_score", "glued": "exact_score", "mixed": "exact_score", "typo": "typo_score", "pinyin": "pinyin_score",
         "homophone": "homophone_score", "near_mark": "near_mark_score", "codeword": "codeword_score"}  # fmt: skip
# on equal base scores the more certain reading wins: `amani` is 阿玛尼's pinyin before it is a typo of ARMANI
_PREFERENCE = {
    "exact": 8,
    "glued": 7,
    "mixed": 6,
    "pinyin": 5,
    "homophone": 4,
    "near_mark": 3,
    "codeword": 2,
    "typo": 1,
}
_CONTEXT_CHARS = 14
BRAND_LIST = 3  # a listing naming this many marks plainly lists what its goods fit (车标 大众 奥迪 宝马 …)
# a mark used as a way to reach the seller: 加微信, 微信号, 联系微信, add wechat
_CONTACT_BEFORE = ("加", "联系", "私信", "私聊", "add", "contact")
_CONTACT_AFTER = ("号", "联系", "咨询", "同号", "id")
_PLACE_SUFFIXES = frozenset("镇乡村县市区街路")  # a Chinese mark followed by one of these names a place
# what may follow a mark inside one dictionary word and leave it the mark (耐克鞋, 李宁牌, 华为款)
_MARK_SUFFIXES = frozenset("牌家款版系店的")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


# an account written after a mark (`支付宝：shop@163.com`, `微信: abc12345`, `QQ：2850012345`): a payment or contact channel
_ACCOUNT_AFTER = re.compile(r"\s*[:=]\s*[a-z0-9][\w.@+-]{4,}")


def _account_use(folded: str, found: str) -> bool:
    """Every mention of the mark is followed by a colon and an account: it says where to pay or write, not what is sold."""
    if not found:
        return False
    at = folded.find(found)
    if at < 0:
        return False
    while at >= 0:  # every mention, left to right, not overlapping (str.find: no regex compiled per mark)
        end = at + len(found)
        if not _ACCOUNT_AFTER.match(folded, end):
            return False
        at = folded.find(found, end)
    return True


def _contact_use(text: str, start: int, end: int) -> bool:
    before, after = text[max(0, start - 8) : start].rstrip(), text[end : end + 4].lstrip()
    if any(before.endswith(w) and (w[0] > "~" or len(before) == len(w) or not before[-len(w) - 1].isalnum())
           for w in _CONTACT_BEFORE):  # fmt: skip
        return True
    return any(after.startswith(w) and (w[-1] > "~" or len(after) == len(w) or not after[len(w)].isalnum())
               for w in _CONTACT_AFTER)  # fmt: skip


def disguises(span: str, key: str, registered: tuple[str, ...]) -> list[Reason]:
    """How the text as written hides a registered form: look-alikes, digits, separators, width, traditional script."""
    if not span or any(span.casefold() == form.casefold() for form in registered):
        return []
    found: list[Reason] = []
    if any(c in ZERO_WIDTH for c in span):
        found.append(Reason("zero_width", f"invisible characters inside “{span}”"))
    letters = [c for c in span if c.isalnum() and c not in IDEOGRAPHIC_SEPARATORS]
    shapes = sorted({c for c in span if c in LETTER_LIKE})
    if shapes:
        found.append(Reason("letterlike", f"letter-like symbols {' '.join(shapes)} in “{span}” read as “{key}”"))
    if unicodedata.normalize("NFKC", span) != span and any("\uff01" <= c <= "\uff5e" for c in span):
        found.append(Reason("full_width", f"full-width letters in “{span}”"))
    if key.isascii():
        odd = sorted(
            {c for c in letters if not c.isascii() and not ("\uff01" <= c <= "\uff5e") and c not in LETTER_LIKE}
        )
        if odd:
            found.append(Reason("homoglyph", f"look-alike letters {' '.join(odd)} in “{span}” read as “{key}”"))
        if any(c.isdigit() or c in "$@!" for c in span) and not any(c.isdigit() for c in key):
            found.append(Reason("digit_substitution", f"digits or symbols stand for letters in “{span}”"))
    else:
        trad = sorted({c for c in span if c in TRADITIONAL})
        if trad:
            found.append(Reason("traditional_script", f"traditional characters {''.join(trad)} in “{span}”"))
    form_marks = {c for f in registered for c in f if not c.isalnum()}
    inner = {c for c in span.strip()
             if (not c.isalnum() or c in IDEOGRAPHIC_SEPARATORS) and c not in ZERO_WIDTH and c not in LETTER_LIKE
             and not (c in "$@!" and key.isascii())}  # fmt: skip
    if inner - form_marks:
        found.append(Reason("separator", f"separators or symbols between the letters of “{span}”"))
    return found


class TrademarkScorer:
    """Scores candidates of one entry; holds the per-index tables the rules need."""

    def __init__(self, settings: MatchSettings) -> None:
        self.s = settings
        self.related = related_classes()
        self.ordinary = ordinary_words()
        self.other_words = common_words()
        self.english = english_words()
        self.goods = goods_terms()

    def score(
        self, tm: Trademark, keys: tuple[str, ...], found: list[Candidate], ctx: ListingContext, brands: int = 1
    ) -> Hit | None:
        """The hit for one entry from its candidates, or None; `brands`: how many marks are listed together with this
        one (1 when it is not in such a list)."""
        s = self.s
        best = max(found, key=lambda c: (getattr(s, _BASE[c.how]), _PREFERENCE[c.how], len(c.key)))
        short = self._is_short(best)
        # a mark that is also an ordinary word (苹果, or an English word such as SMART or METRO) needs its own goods
        ordinary = best.key in self.ordinary or (best.script == "latin" and best.key in self.english)
        start, end = ctx.span_of(best.script, best.position, len(best.found))
        if best.how in ("homophone", "near_mark") and not self._stands_alone(best, ctx, start, end):
            return None
        if _contact_use(ctx.spaced, start, end) or _account_use(ctx.folded, best.found):
            return None  # 加微信 / 微信号 / 支付宝：account: the mark names a way to reach or pay the seller, not the goods
        if ordinary and not ctx.cues and any(end <= a <= end + 1 for a, _ in ctx.patterns):
            return None  # `camel print`, 熊猫图案: an ordinary-word mark followed by print / pattern names a motif
        if best.script == "cjk" and ctx.spaced[end : end + 1] in _PLACE_SUFFIXES and not ctx.cues:
            return None  # 茅台镇 is the town the liquor comes from; without slang it names a place, not the mark
        if best.script == "cjk" and self._inside_other_word(keys, ctx, start, end):
            return None  # 红旗 inside 五星红旗, 成功 inside 成功率: another word that holds the mark's characters
        # goods first: most candidates of a large watchlist end here, before any text is built
        goods = self._goods(tm, best, ctx, short, ordinary)
        if goods is None:
            return None
        score, goods_reason = goods
        score += getattr(s, _BASE[best.how])
        reasons: list[Reason] = []
        span = find_span(ctx.listing.text, best.found, ctx.folded) or best.found
        if best.how in ("exact", "glued"):
            # a glued mark is read on its own letters (`ОРЕLwheel`: look-alikes; `GALANZV8`: no digit disguise)
            own = span if best.how == "exact" else find_span(ctx.listing.text, best.key, ctx.folded)
            hidden = disguises(own, best.key, tm.forms) if own else []
            if hidden:
                score += s.disguise_score - s.exact_score
                reasons.extend(hidden)
            code = "exact_mark" if best.key == keys[0] else "variant_mark"
            reasons.insert(0, Reason(code, f"“{span}” is a registered form of {tm.mark} ({tm.owner or tm.id})"))
            if best.how == "glued":
                reasons.append(Reason("glued", f"“{tm.mark}” is glued to other words in “{span}”"))
        else:
            reasons.append(self._fuzzy_reason(best, span, tm))
            if goods_reason and goods_reason.code == "class_match":
                score += (
                    s.disguise_score - s.exact_score
                )  # a misspelt or sound-alike mark on its own goods is a disguise
        if goods_reason:
            reasons.append(goods_reason)
        nominative = (
            any(b >= start - _CONTEXT_CHARS and a < start for a, b in ctx.nominatives)
            or any(end <= a <= end + 1 for a, _ in ctx.fits_after)
            or bool(ctx.accessories or ctx.subjects)
        )
        rest = best.glued or (best.found.replace(best.key, "", 1) if best.how == "glued" else "")
        # the price of an accessory, or of goods that fit a list of makes, says nothing about the branded product
        counterfeit, price_ok = self._counterfeit(
            tm, ctx, start, end, nominative or brands >= BRAND_LIST, reasons, rest
        )
        if ordinary and best.script == "cjk" and not counterfeit and not self._confirmed(tm, keys, best, ctx, end):
            return None
        # legitimate use
        if tm.authorized_sellers and ctx.is_authorised(tm.authorized_sellers):
            if not counterfeit or (price_ok and ctx.cue_weight < 1):
                return None  # an authorised store: only a price no genuine item has, or outright slang, casts doubt
            reasons.append(Reason("authorized_seller", f"{ctx.listing.seller_name} is an authorised seller"))
        elif tm.authorized_sellers and ctx.seller_keys:
            score += s.unauthorized_seller
            reasons.append(Reason("unauthorized_seller", f"{ctx.listing.seller_name or 'the seller'} is not among "
                                                         f"{tm.mark}'s authorised sellers"))  # fmt: skip
        if nominative:
            score -= s.nominative_penalty
            if ctx.subjects:
                why = f"“{ctx.subjects[0]}”: the goods are about {tm.mark}, not sold under it"
            elif ctx.accessories:
                why = f"“{ctx.accessories[0]}”: parts, repairs or add-ons for {tm.mark}"
            else:
                why = f"the listing names {tm.mark} to say what its goods fit"
            reasons.append(Reason("nominative_use", why))
        elif brands >= BRAND_LIST and not counterfeit:
            score -= s.nominative_penalty
            reasons.append(Reason("brand_list", f"the listing names {brands} marks: a list of what its goods fit"))
        if ctx.second_hand and not counterfeit and price_ok:
            score -= s.resale_penalty
            reasons.append(Reason("private_resale", f"“{ctx.second_hand[0]}”: a private second-hand sale at a "
                                                    "plausible price, no counterfeit signal"))  # fmt: skip
        total = max(0.0, min(100.0, score + counterfeit))
        return Hit(tm.id, "trademark", round(total, 1), span, tuple(reasons))

    def _goods(
        self, tm: Trademark, best: Candidate, ctx: ListingContext, short: bool, ordinary: bool
    ) -> tuple[float, Reason | None] | None:
        """Points and reason for the goods: the mark must be used for goods in (or related to) the entry's classes.
        None drops the candidate."""
        s = self.s
        classes = set(tm.classes)
        goods = ctx.goods
        if best.how == "glued" or best.glued:  # `nikeshoes`, `niekjacket`: the glued word names the goods
            goods = goods | frozenset(glued_goods_classes(best.glued or best.found.replace(best.key, "", 1)))
        if not (goods and classes):
            if short or best.how in ("homophone", "codeword") or (ordinary and best.script == "cjk"):
                return None  # short, ordinary-word, sound-alike and code-word marks need the goods to confirm them
            if not ordinary and best.how in ("exact", "glued"):
                return s.distinctive_bonus, None
            return 0.0, None
        if best.how == "typo" and best.found in self.english and not goods & classes:
            return None  # an English word one letter from a mark (`canoe`) is that mark only in the mark's own goods
        if goods & classes:
            return s.class_match, Reason("class_match", f"goods in class {self._show(goods & classes)} of {tm.mark}")
        related = set().union(*(self.related.get(c, frozenset()) for c in classes)) - classes
        if goods & related:
            if short or ordinary or best.how in ("homophone", "codeword"):
                return None
            return s.related_class, Reason("related_class", f"goods in class {self._show(goods & related)}, related "
                                                            f"to {tm.mark}'s classes")  # fmt: skip
        if short or ordinary or best.how != "exact" or not ctx.cues:
            return None  # unrelated goods keep only an exact hit that carries counterfeit cues
        return -s.class_mismatch_penalty, Reason("class_mismatch", f"goods in class {self._show(goods)}, unrelated "
                                                                   f"to {tm.mark}'s classes {self._show(classes)}")  # fmt: skip

    def _counterfeit(
        self,
        tm: Trademark,
        ctx: ListingContext,
        start: int,
        end: int,
        nominative: bool,
        reasons: list[Reason],
        glued_rest: str = "",
    ) -> tuple[float, bool]:
        """Points for counterfeit signals (reasons appended), and whether the price is plausible for genuine goods."""
        s = self.s
        points = 0.0
        if ctx.cues:
            points += min(s.cue_word * ctx.cue_weight + s.cue_word_extra * (len(ctx.cues) - 1), s.cue_word_cap)
            reasons.append(Reason("cue_word", "counterfeit cue " + ", ".join(f"“{c}”" for c in ctx.cues)))
        near = [t for a, b, t in ctx.evasions if b >= start - _CONTEXT_CHARS and a <= end + _CONTEXT_CHARS]
        if glued_rest in GLUE_EVASIONS:  # `MUJItype`, `Oreostyle`
            near.append(glued_rest)
        if near:
            points += s.evasion_phrase
            reasons.append(Reason("evasion_phrase", f"“{near[0]}” next to the mark: a look-alike claim"))
        floor = to_cny(tm.msrp.min, tm.msrp.currency) if tm.msrp else None
        price_ok = True
        # an accessory's price says nothing about the branded product it fits
        if floor and ctx.price_cny is not None and ctx.price_cny > 0 and not nominative:
            ratio = ctx.price_cny / floor
            price = f"{ctx.listing.price:g} {ctx.listing.currency}"
            lowest = f"{tm.msrp.min:g} {tm.msrp.currency}"  # type: ignore[union-attr]
            if ratio < s.absurd_price_ratio:
                points += s.absurd_price
                reasons.append(Reason("price_anomaly", f"{price} is under {s.absurd_price_ratio:.0%} of the lowest "
                                                       f"genuine price {lowest}"))  # fmt: skip
            elif ratio < s.price_ratio:
                points += s.price_anomaly
                reasons.append(Reason("price_anomaly", f"{price} is under {s.price_ratio:.0%} of the lowest genuine "
                                                       f"price {lowest}"))  # fmt: skip
            price_ok = ratio >= s.price_ratio
        for reason, extra in daigou_signals(ctx.listing, floor):
            points += extra
            reasons.append(reason)
        return points, price_ok

    def _stands_alone(self, best: Candidate, ctx: ListingContext, start: int, end: int) -> bool:
        """A sound-alike or one-character-changed span is a mark only as a word of its own: not another name
        (普拉多 is the Prado car), not a piece of a goods word (创意汽车 holds 意汽), and a two-character one not
        wedged between other characters (防伪芯片 holds 伪芯)."""
        if best.found in self.other_words or best.found in self.goods:
            return False  # 衣架 reads like 宜家 but is a clothes hanger: a goods word is no disguise
        if any(a < end and b > start and (a < start or b > end) for a, b, _ in ctx.goods_spans):
            return False
        if len(best.found) > 2:
            return True
        text = ctx.spaced
        return not (start > 0 and _is_cjk(text[start - 1]) and end < len(text) and _is_cjk(text[end]))

    def _inside_other_word(self, keys: tuple[str, ...], ctx: ListingContext, start: int, end: int) -> bool:
        """The span lies inside a longer word of the dictionary that is neither one of the entry's forms nor the mark
        followed by goods or a brand suffix (耐克鞋 and 李宁牌 stay the mark; 五星红旗 and 大众化 do not)."""
        for word, a, b in ctx.words:
            if b <= start:
                continue
            if a > start:
                return False
            if b < end or b - a <= end - start:
                return False  # the span is a word, or spans several: a mark, not a piece of one
            if word in keys:
                return False
            tail = word[end - a :]
            if a == start and (tail in _MARK_SUFFIXES or tail in self.goods or tail[-1:] in self.goods):
                return False
            return segmenter().is_dictionary_word(word)
        return False

    def _is_short(self, c: Candidate) -> bool:
        return len(c.key) <= (self.s.short_latin_max if c.script == "latin" else 2)

    def _confirmed(self, tm: Trademark, keys: tuple[str, ...], best: Candidate, ctx: ListingContext, end: int) -> bool:
        """An ordinary-word mark counts when another form of the entry is present or a goods word of the entry's
        classes follows it directly (`小米手机`, not `小米粥`)."""
        if any(k != best.key and (k in ctx.stream or k in ctx.tokens) for k in keys):
            return True
        return any(end <= a <= end + 1 and set(classes) & set(tm.classes) for a, _, classes in ctx.goods_spans)

    @staticmethod
    def _show(classes: set[int] | frozenset[int]) -> str:
        return "/".join(str(c) for c in sorted(classes))

    @staticmethod
    def _fuzzy_reason(c: Candidate, span: str, tm: Trademark) -> Reason:
        if c.how == "typo":
            return Reason("typo", f"“{span}” is one letter from “{tm.mark}”")
        if c.how == "pinyin":
            return Reason("pinyin", f"“{span}” spells out the pinyin of {tm.mark}'s Chinese name")
        if c.how == "homophone":
            return Reason("homophone", f"“{span}” sounds like “{c.key}” ({tm.mark})")
        if c.how == "mixed":
            return Reason("mixed_script", f"“{span}” writes {tm.mark}'s Chinese name “{c.key}” partly in pinyin")
        if c.how == "codeword":
            return Reason("code_word", f"“{span}” is sellers' code for {tm.mark}")
        return Reason("near_mark", f"“{span}” differs from “{c.key}” ({tm.mark}) in one character")
