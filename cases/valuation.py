"""A case's illegal business volume (非法经营数额) and sales amount (销售金额) from its listings, with the rule shown
for each item, tested against the thresholds in force (cases.thresholds) to flag a referral candidate.

Rules (the interpretations' valuation article): goods sold count at the actual sale price — here the listed price
stands in for it and must be checked against orders; unsold goods (the stock a listing claims) at the listed price;
without a price, at the genuine goods' market price when the investigator gives one. A listing matched by several
watch entries is one item. Parcel leads carry no price or sales and are left out. Only CNY is summed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cases.thresholds import ThresholdVersion, version_for
from netsword.models import Lead

CAVEATS = (
    "销量可能含刷单（虚假交易）：须以订单记录、资金流水核实，不能直接作为定案依据 — fake orders inflate sales counts",
    "标价不等于实际成交价；已售商品按实际销售价格计算，此处以标价代替，须核实 — listed price stands in for the sale price",
    "库存为商品页面自报数量，不是查获的货物 — stock is what the listing claims, not goods seized",
    "刑法第二百一十三条至第二百一十四条要求在同一种商品上使用相同商标；近似商标只构成行政违法 — identical marks on the "
    "same goods only; similar marks are an administrative matter",
    "“明知”须经调查取证证明 — knowledge must be proven by investigation",
    "平台销量口径不一（月销、累计、多规格合计）— platforms count sales differently (monthly, cumulative, all variants)",
)
UNCHECKED = "门槛数额未经与官方文本核对（cases/data/thresholds.yaml: checked: false）— thresholds not checked against the official text"
COPIES = (
    "数额标准由开发人员（非律师）于 {on} 对照官方文本的第三方副本核对（{n} 份，见数据来源），非官方公报；移送前须由律师对照公报核对"
    " — checked on {on} by developers against {n} third-party copies of the official text, not the gazette;"
    " a lawyer confirms before referral"
)


@dataclass(frozen=True)
class ValuedItem:
    """One listing of the case and how it was valued."""

    lead_ids: tuple[str, ...]
    platform: str
    listing_id: str
    title: str
    url: str
    currency: str
    unit_price: float | None
    price_basis: str  # listed | market | none
    sold: int | None
    stock: int | None
    sold_value: float
    unsold_value: float
    rule: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ThresholdTest:
    offence: str  # art_213 …
    tier: str  # serious, attempt …
    measure: str  # sales, business_volume …
    amount: float | None  # the case's figure (None: not known)
    threshold: float | None  # None: no figure in the version
    met: bool
    counts: bool  # whether meeting it makes a referral candidate (entry tiers), else shown for information
    article: str = ""  # the articles of the version's source giving the offence's figures


@dataclass
class Valuation:
    version: ThresholdVersion
    as_of: str
    items: list[ValuedItem]
    business_volume: float
    sales: float
    unsold_value: float
    gains: float | None
    marks: int
    tests: list[ThresholdTest] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    left_out: int = 0  # parcel leads

    @property
    def referral_candidate(self) -> bool:
        return any(t.met and t.counts for t in self.tests)

    def inputs(self) -> dict[str, Any]:
        return {"business_volume": self.business_volume, "sales": self.sales, "unsold_value": self.unsold_value,
                "gains": self.gains, "marks": self.marks, "items": len(self.items), "as_of": self.as_of,
                "thresholds": self.version.version}  # fmt: skip


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _yuan(amount: float) -> str:
    return f"¥{amount:,.2f}"


def value_item(leads: list[Lead], market_prices: Mapping[str, float]) -> ValuedItem:
    """Value one listing (all its leads share the snapshot; the newest sighting is used)."""
    lead = max(leads, key=lambda x: x.last_seen)
    listing = lead.listing
    currency = str(listing.get("currency") or "CNY").upper()
    sold, stock = _count(listing.get("sales")), _count(listing.get("stock"))
    problems: list[str] = []
    price, basis = lead.price, "listed"
    if price is None:
        market = next((market_prices[x.entry_id] for x in leads if x.entry_id in market_prices), None)
        price, basis = (market, "market") if market is not None else (None, "none")
    if price is None:
        problems.append("无标价且未提供被侵权产品市场中间价格 — no price and no market price given")
    if currency != "CNY":
        problems.append(f"币种 {currency} 未折算，不计入合计 — {currency} not converted, left out of the totals")
    if sold is None:
        problems.append("无销量 — no sales count")
    usable = price is not None and currency == "CNY"
    sold_value = (sold or 0) * price if usable and price is not None else 0.0
    unsold_value = (stock or 0) * price if usable and price is not None else 0.0
    label = "标价" if basis == "listed" else "市场中间价格"
    parts = []
    if usable and price is not None:
        if sold:
            parts.append(f"已售 {sold} 件 × {label} {_yuan(price)} = {_yuan(sold_value)}（已销售：按实际销售价格，以标价代替，须核实）"
                         if basis == "listed" else
                         f"已售 {sold} 件 × {label} {_yuan(price)} = {_yuan(sold_value)}（无标价：按被侵权产品市场中间价格）")  # fmt: skip
        if stock:
            parts.append(f"库存 {stock} 件 × {label} {_yuan(price)} = {_yuan(unsold_value)}（未销售：按标价；查清实际销售平均价格的以其为准）"
                         if basis == "listed" else
                         f"库存 {stock} 件 × {label} {_yuan(price)} = {_yuan(unsold_value)}（未销售，无标价：按市场中间价格）")  # fmt: skip
    rule = "；".join(parts) or "未计价 — not valued"
    return ValuedItem(
        lead_ids=tuple(x.lead_id for x in leads), platform=lead.platform, listing_id=lead.listing_id, title=lead.title,
        url=lead.url, currency=currency, unit_price=price, price_basis=basis, sold=sold, stock=stock,
        sold_value=round(sold_value, 2), unsold_value=round(unsold_value, 2), rule=rule, problems=tuple(problems),
    )  # fmt: skip


def _tests(version: ThresholdVersion, v: Valuation) -> list[ThresholdTest]:
    two = v.marks >= 2
    amounts = {"business_volume": v.business_volume, "sales": v.sales, "unsold_value": v.unsold_value,
               "gains": v.gains, "combined_value": v.sales + v.unsold_value}  # fmt: skip
    plan = [("art_214", "serious", True), ("art_214", "attempt", True), ("art_213", "serious", True),
            ("art_214", "very_serious", False), ("art_213", "very_serious", False)]  # fmt: skip
    out = []
    for offence, tier, counts in plan:
        chosen = tier
        if two and offence == "art_213" and version.offences.get(offence, {}).get(tier + "_two_marks"):
            figures = version.offences[offence][tier + "_two_marks"]
            if any(x is not None for x in figures.values()):
                chosen = tier + "_two_marks"
        for measure, threshold in version.offences.get(offence, {}).get(chosen, {}).items():
            amount = amounts.get(measure)
            if tier == "attempt" and measure == "combined_value" and v.sales >= (
                    version.figure("art_214", "serious", "sales") or float("inf")):  # fmt: skip
                continue  # sold goods alone reach the threshold: no attempt to speak of
            met = amount is not None and threshold is not None and amount >= threshold
            out.append(
                ThresholdTest(
                    offence, chosen, measure, amount, threshold, met, counts, version.articles.get(offence, "")
                )
            )
    return out


def checked_caveat(version: ThresholdVersion) -> str:
    """What the valuation may say of its figures: checked against which copies, or not checked and why."""
    if version.checked:
        return COPIES.format(on=version.checked_on, n=len(version.checked_against))
    return f"{UNCHECKED}: {version.unchecked_reason}" if version.unchecked_reason else UNCHECKED


def value_case(leads: Iterable[Lead], *, as_of: str | None = None, gains: float | None = None,
               market_prices: Mapping[str, float] | None = None) -> Valuation:  # fmt: skip
    """Value a case's leads against the thresholds in force on `as_of` (default today)."""
    version = version_for(as_of)
    by_listing: dict[tuple[str, str], list[Lead]] = {}
    left_out = 0
    for lead in leads:
        if lead.from_parcels:
            left_out += 1
            continue
        by_listing.setdefault((lead.platform, lead.listing_id), []).append(lead)
    items = [value_item(group, market_prices or {}) for group in by_listing.values()]
    items.sort(key=lambda i: -(i.sold_value + i.unsold_value))
    # 两种以上注册商标: marks identifying different sources; several marks of one source count once (法释〔2025〕5号
    # art. 7), so marks are counted by rights holder (a watch entry without one counts as its own source).
    marks = len({lead.owner or lead.entry_id for group in by_listing.values() for lead in group
                 if lead.kind == "trademark"})  # fmt: skip
    sales = round(sum(i.sold_value for i in items), 2)
    unsold = round(sum(i.unsold_value for i in items), 2)
    valuation = Valuation(version=version, as_of=as_of or "", items=items, business_volume=round(sales + unsold, 2),
                          sales=sales, unsold_value=unsold, gains=gains, marks=marks, left_out=left_out)  # fmt: skip
    valuation.tests = _tests(version, valuation)
    valuation.caveats = [*CAVEATS, *version.caveats, checked_caveat(version)]
    return valuation
