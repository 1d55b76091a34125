"""Works scoring: a watched work's title in a listing, with its piracy cues, price and lawful-use words, becomes a
`copyright` Hit with a score and coded reasons — the same explainable formula and MatchSettings weights as the marks
(docs/matching.md#works):

    score = exact_score 45 (disguise_score 55 when the title is disguised: matchers.trademark_scoring.disguises)
          + piracy cues: cue_word 20 × the strongest cue's weight + cue_word_extra 5 per further cue (≤ cue_word_cap 30)
          + price: price_anomaly 20 below price_ratio × the work's lowest genuine price, absurd_price 30 below
            absurd_price_ratio (licence keys sold that cheaply are the 激活码 / 序列号 cue)
          + unauthorized_seller 5 when the work names its sellers, this one is not among them and piracy is signalled
          − nominative_penalty 45 for merchandise or a guide / review about the work (its price says nothing)
          − resale_penalty 20 for a physical copy or a second-hand sale with no piracy cue

A plain mention of a title scores 45, below the lead threshold: a bookshop selling the book, a store selling the game
at its price, a key at a normal price. An authorised seller's listing is a hit only with outright piracy wording or a
price no genuine copy has.
"""

from __future__ import annotations

from dataclasses import dataclass

from matchers.context import ListingContext
from matchers.price import to_cny
from matchers.settings import MatchSettings
from matchers.trademark_scoring import disguises
from netsword.models import Hit, Reason
from watchlists.model import Work

# piracy cue kinds → (reason code, what the words say)
PIRACY_KINDS = {
    "crack": ("cracked_copy", "a cracked or activation-free copy"),
    "pirated": ("pirated_copy", "a pirated or camcorded copy"),
    "share": ("cloud_share", "delivered as a cloud-drive or download link"),
    "account": ("shared_account", "a shared, rented or 'lifetime' account"),
    "copy": ("digital_copy", "an unlicensed digital copy (PDF, screen recording, lossless files)"),
    "bundle": ("resource_bundle", "a 'resources' bundle or complete set"),
    "key": ("licence_key", "licence keys or activation codes"),
}
LAWFUL_KINDS = ("physical", "merch", "about", "official")
COPYRIGHT_BASIS = (
    "《中华人民共和国著作权法》（2020年修正）第十条、第五十二条、第五十三条：未经著作权人许可复制、发行、通过信息网络向公众"
    "传播其作品，或故意避开、破坏技术措施的，承担民事责任，损害公共利益的由著作权主管部门处罚（软件另见《计算机软件保护"
    "条例》第二十四条）*条款未核实* / Copyright Law of the PRC (2020) arts. 10, 52, 53: copying, distributing or "
    "making a work available online without the owner's licence, or circumventing technical measures; software also "
    "Computer Software Protection Regulations art. 24 (articles not verified against the published text)"
)


@dataclass(frozen=True)
class PiracyTerm:
    """A term of the piracy lexicon: its kind and the weight that scales a cue's points (0 for lawful words)."""

    term: str
    kind: str
    weight: float = 1.0
    types: frozenset[str] = frozenset()  # the work types it applies to; empty: every type


class WorkScorer:
    """Scores one work found in one listing."""

    def __init__(self, settings: MatchSettings) -> None:
        self.s = settings

    def score(
        self, work: Work, form: str, span: str, key: str, ctx: ListingContext, terms: list[PiracyTerm]
    ) -> Hit | None:
        """The hit for `work`, found as `form` (written `span`, indexed as `key`), given the lexicon terms the
        listing holds; None when it is no use of the work at all."""
        s = self.s
        terms = [t for t in terms if not t.types or work.work_type in t.types]
        lawful = {t.kind: t.term for t in terms if t.kind in LAWFUL_KINDS}
        cues = [t for t in terms if t.kind in PIRACY_KINDS and t.kind != "key"]
        if lawful.keys() & {"physical", "merch", "about", "official"}:
            cues = [t for t in cues if t.weight >= 1]  # a hint (全套, 资源) on a boxed set or a figure is no claim
        reasons = [Reason("work_title" if form in (work.title, *work.titles) else "work_alias",
                          f"“{span}” names {work.title} ({work.owner or work.id})")]  # fmt: skip
        score = s.exact_score
        hidden = disguises(span, key, work.forms)
        if hidden:
            score += s.disguise_score - s.exact_score
            reasons.extend(hidden)
        points = 0.0
        if cues:
            strongest = max(t.weight for t in cues)
            kinds = list(dict.fromkeys(t.kind for t in cues))
            points += min(s.cue_word * strongest + s.cue_word_extra * (len(cues) - 1), s.cue_word_cap)
            for kind in kinds:
                code, says = PIRACY_KINDS[kind]
                words = ", ".join(f"“{t.term}”" for t in cues if t.kind == kind)
                reasons.append(Reason(code, f"{words}: {says}"))
        nominative = "merch" in lawful or "about" in lawful
        price_points, cheap = (0.0, False) if nominative else self._price(work, ctx, terms, reasons)
        points += price_points
        signal = bool(cues) or cheap
        if work.authorized_sellers and ctx.is_authorised(work.authorized_sellers):
            if not (any(t.weight >= 1 for t in cues) or price_points >= s.absurd_price):
                return None  # an authorised store: only outright piracy wording or an impossible price casts doubt
            reasons.append(Reason("authorized_seller", f"{ctx.listing.seller_name} is an authorised seller"))
        elif work.authorized_sellers and ctx.seller_keys and signal:
            score += s.unauthorized_seller
            reasons.append(Reason("unauthorized_seller", f"{ctx.listing.seller_name or 'the seller'} is not among "
                                                         f"{work.title}'s authorised sellers"))  # fmt: skip
        if nominative:
            score -= s.nominative_penalty
            what = lawful.get("merch") or lawful.get("about")
            reasons.append(Reason("work_merchandise" if "merch" in lawful else "work_about",
                                  f"“{what}”: goods about {work.title}, not copies of it"))  # fmt: skip
        elif "physical" in lawful and not signal:
            score -= s.resale_penalty
            reasons.append(Reason("physical_copy", f"“{lawful['physical']}”: a physical or second-hand copy with no "
                                                   "piracy cue"))  # fmt: skip
        total = round(max(0.0, min(100.0, score + points)), 1)
        if total >= 50:
            reasons.append(Reason("legal_basis", COPYRIGHT_BASIS))
        return Hit(work.id, "copyright", total, span, tuple(reasons))

    def _price(
        self, work: Work, ctx: ListingContext, terms: list[PiracyTerm], reasons: list[Reason]
    ) -> tuple[float, bool]:
        """Points for a price far below the work's lowest genuine price; a physical or second-hand copy may be cheap."""
        s = self.s
        if not work.msrp or ctx.price_cny is None or ctx.price_cny <= 0:
            return 0.0, False
        kinds = {t.kind for t in terms}
        keys = [t.term for t in terms if t.kind == "key"]
        if "physical" in kinds and not keys:
            return 0.0, False
        floor = to_cny(work.msrp.min, work.msrp.currency)
        if not floor:
            return 0.0, False
        ratio = ctx.price_cny / floor
        price = f"{ctx.listing.price:g} {ctx.listing.currency}"
        lowest = f"{work.msrp.min:g} {work.msrp.currency}"
        what = f"“{keys[0]}” at {price}" if keys else price
        if ratio < s.absurd_price_ratio:
            reasons.append(Reason("price_anomaly", f"{what} is under {s.absurd_price_ratio:.0%} of the lowest genuine "
                                                   f"price {lowest}"))  # fmt: skip
            return s.absurd_price, True
        if ratio < s.price_ratio:
            reasons.append(Reason("price_anomaly", f"{what} is under {s.price_ratio:.0%} of the lowest genuine price "
                                                   f"{lowest}"))  # fmt: skip
            return s.price_anomaly, True
        return 0.0, False
