"""Offer specs for the demo catalogue: genuine, counterfeit (plain and disguised), daigou, resale, fixed, unrelated.

Each spec carries its ground truth (which entry, which label, which disguise), so the catalogue can score a crawl.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from demo import goods as g
from demo.disguise import LATIN_DISGUISES

UNRELATED_TITLES = Path(__file__).resolve().parent / "data" / "unrelated_titles.tsv"


@dataclass(frozen=True)
class OfferSpec:
    """One offer before it is given a platform, an id and a seller id."""

    title: str
    description: str
    price: float | None
    category: str
    seller: tuple[str, str]  # (name, location)
    ships_from: str
    search_terms: tuple[str, ...]
    entry_ids: tuple[str, ...]
    kind: str | None
    label: str
    disguise: str | None = None
    signals: tuple[str, ...] = ()
    cited_number: str = ""
    hostile: bool = False
    regulated: tuple[tuple[str, str], ...] = ()  # licence leads to raise: (reg:<regime>, kind), demo/regulated.py


def _price(rng: random.Random, bounds: tuple[float, float]) -> float:
    low, high = bounds
    value = rng.uniform(low, high)
    # real prices end in 9, 8 or .00 more often than not
    return round(value) - rng.choice((0.0, 0.1, 1.0)) if value > 20 else round(value, 1)


def _brand_terms(goods: g.Goods) -> tuple[str, ...]:
    return (goods.brand_zh, goods.brand_en, *goods.aliases, goods.category)


def genuine_offer(goods: g.Goods, rng: random.Random) -> OfferSpec:
    seller = rng.choice(goods.genuine_sellers)
    if goods.products_en and rng.random() < 0.25:
        title = f"{goods.brand_en} {rng.choice(goods.products_en)} Official Genuine"
    else:
        tail = rng.choice(("官方正品", "正品 国行", "官方旗舰 新品", "专柜正品 全国联保"))
        brand = goods.brand_zh if goods.brand_zh == goods.brand_en else f"{goods.brand_zh} {goods.brand_en}"
        title = f"{brand} {rng.choice(goods.products)} {tail}"
    desc = f"{seller[0]}，品牌官方授权，正品保障，支持七天无理由退货，提供正规发票。"
    return OfferSpec(title, desc, _price(rng, goods.genuine_price), goods.category, seller, seller[1],
                     _brand_terms(goods), (goods.entry_id,), "trademark", "genuine")  # fmt: skip


def _disguised_form(goods: g.Goods, kind: str, rng: random.Random) -> str:
    if kind in goods.disguises:
        return rng.choice(goods.disguises[kind])
    if kind == "spacing" and not goods.brand_zh.isascii() and rng.random() < 0.5:
        return LATIN_DISGUISES[kind](goods.brand_zh, rng)
    return LATIN_DISGUISES[kind](goods.brand_en.upper() if kind != "typo" else goods.brand_en, rng)


def disguise_kinds(goods: g.Goods) -> tuple[str, ...]:
    """The disguises that make sense for these goods: its own Chinese ones plus the Latin ones for a Latin mark."""
    latin = ("homoglyph", "spacing", "typo") if goods.brand_en.replace("-", "").replace(" ", "").isascii() else ()
    return tuple(dict.fromkeys((*goods.disguises, *latin)))


def counterfeit_offer(goods: g.Goods, rng: random.Random, disguise: str | None = None) -> OfferSpec:
    seller = rng.choice(g.FAKE_SELLERS.get(goods.category, g.FAKE_SELLERS["手机"]))
    if disguise:
        brand = _disguised_form(goods, disguise, rng)
    else:
        both = goods.brand_zh if goods.brand_zh == goods.brand_en else f"{goods.brand_zh} {goods.brand_en}"
        brand = rng.choice((goods.brand_zh, goods.brand_en, both))
    english = goods.products_en and rng.random() < 0.2
    if english:
        cues = rng.sample(g.GENERAL_SLANG_EN, k=2)
        title = f"{brand} {rng.choice(goods.products_en)} {cues[0]} {cues[1]}"
        desc = (
            f"Top quality {cues[0]}, same factory as retail, {rng.choice(('GP', 'QC'))} photos on request. Fast ship."
        )
    else:
        pool = goods.slang + g.GENERAL_SLANG_ZH
        cues = rng.sample(pool, k=rng.choice((1, 2)))
        parts = [brand, rng.choice(goods.products), *cues]
        if rng.random() < 0.3:
            parts.append(rng.choice(("现货", "男女同款", "2024新款", "包邮", "清仓")))
        title = " ".join(parts)
        desc = (f"{rng.choice(cues)}版本，{rng.choice(g.PASSING_CLAIMS)}，做工细节一比一还原。"
                f"{rng.choice(('不退不换，懂的来。', '加微信看实拍。', '数量有限，先到先得。'))}")  # fmt: skip
    signals: tuple[str, ...] = ("slang", "low_price")
    if any(term in title for term in ("莆田", "莆田鞋")):
        signals += ("putian",)
    return OfferSpec(title, desc, _price(rng, goods.fake_price), goods.category, seller, seller[1],
                     _brand_terms(goods), (goods.entry_id,), "trademark", "infringing", disguise, signals)  # fmt: skip


def daigou_offer(goods: g.Goods, rng: random.Random) -> OfferSpec:
    seller = rng.choice(g.FAKE_SELLERS.get(goods.category, g.FAKE_SELLERS["手机"]))
    claim = rng.choice(g.DAIGOU_CLAIMS)
    title = f"{claim} {goods.brand_zh} {rng.choice(goods.products)} 正品 专柜同款"
    desc = f"{claim}，全球购正品，假一罚十。国内现货 24小时发货。"
    price = _price(rng, (goods.fake_price[1], goods.fake_price[1] * 1.6))
    ships_from = "福建莆田" if goods.category == "运动鞋" else seller[1]
    return OfferSpec(title, desc, price, goods.category, (seller[0], "香港"), ships_from, _brand_terms(goods),
                     (goods.entry_id,), "trademark", "infringing", None, ("daigou", "low_price"))  # fmt: skip


def resale_offer(goods: g.Goods, rng: random.Random) -> OfferSpec:
    """A private second-hand sale at a plausible price: not something an investigator would raise."""
    seller = (
        rng.choice(("小仙女的衣橱", "闲置小铺", "断舍离ing", "数码控老张", "搬家清仓")),
        rng.choice(g.PLACES_GENUINE_RESALE),
    )
    title = f"{rng.choice(('自用', '闲置', '个人闲置'))} {goods.brand_zh} {rng.choice(goods.products)} 九成新 有票"
    desc = "个人闲置，专柜购入，有购物小票，功能完好，介意勿拍。"
    price = _price(rng, (goods.genuine_price[0] * 0.55, goods.genuine_price[0] * 0.85))
    return OfferSpec(title, desc, price, goods.category, seller, seller[1], _brand_terms(goods),
                     (goods.entry_id,), "trademark", "resale")  # fmt: skip


_FIXED_DESC = {
    "genuine": "官方授权，正品保障，产地直发，支持七天无理由退货。",
    "infringing": "厂家直销，量大从优，全国包邮，假一赔十。",
    "nominative": "通用配件，非原厂产品，请认准型号购买。",
    "lookalike": "品质保证，欢迎选购，量大从优。",
}


def fixed_offer(offer: g.FixedOffer, rng: random.Random) -> OfferSpec:
    claimed = (g.GI_NAMES[offer.entry_id],) if offer.entry_id in g.GI_NAMES and offer.label != "lookalike" else ()
    terms = (*offer.search_terms, *claimed, offer.category)
    return OfferSpec(offer.title, _FIXED_DESC[offer.label], _price(rng, offer.price), offer.category, offer.seller,
                     offer.ships_from or offer.seller[1], terms, (offer.entry_id,),
                     offer.kind, offer.label, None, offer.signals, offer.cited_number)  # fmt: skip


def load_unrelated_titles(path: Path = UNRELATED_TITLES) -> list[str]:
    titles = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#") and "\t" in line:
            titles.append(line.split("\t", 1)[1].strip())
    return titles


def unrelated_offer(rng: random.Random, real_titles: list[str]) -> OfferSpec:
    seller = rng.choice(g.UNRELATED_SELLERS)
    if real_titles and rng.random() < 0.5:
        title, category = rng.choice(real_titles), "其他"
        if rng.random() < 0.5:
            title = f"{rng.choice(g.UNRELATED_MODIFIERS)} {title}"
    else:
        _, nouns, category = rng.choice(g.UNRELATED_WORDS)
        mods = rng.sample(g.UNRELATED_MODIFIERS, k=2)
        title = f"{mods[0]} {rng.choice(nouns)} {mods[1]}"
    desc = "品质保证，支持七天无理由退货，欢迎咨询客服。"
    return OfferSpec(title, desc, _price(rng, (6, 299)), category, seller, seller[1], (category,), (), None,
                     "unrelated")  # fmt: skip


def hostile_offers() -> list[OfferSpec]:
    """Titles and descriptions carrying markup: static pages must escape them, JSON carries them raw."""
    nike = next(goods for goods in g.GOODS if goods.entry_id == "tm-nike")
    titles = (
        '<script>alert("xss")</script> 耐克 AJ1 高仿 莆田 纯原',
        "耐克 Dunk <img src=x onerror=alert(1)> 1:1 复刻",
    )
    desc = '<iframe src="javascript:alert(2)"></iframe>纯原版本，支持专柜验。</div></body>'
    seller = g.FAKE_SELLERS["运动鞋"][0]
    return [OfferSpec(title, desc, 188.0 + i, "运动鞋", seller, seller[1], _brand_terms(nike), ("tm-nike",),
                      "trademark", "infringing", None, ("slang", "low_price"), hostile=True)
            for i, title in enumerate(titles * 4)]  # fmt: skip
