"""Regulated goods in the demo marketplace: licence numbers on the watched brands' pesticide, medicine and fertiliser
offers, a showcase of listings with missing, malformed, unregistered, expired and borrowed numbers (and fine ones),
their ground truth, and the synthetic sample registers the demo imports.

Pure data and pure functions (no randomness: the catalogue's random draws are untouched). Numbers come from the
sample registers in demo/data/registers/ (SYNTHETIC: real formats, invented records). docs/regulated-goods.md.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from demo.offers import OfferSpec

SAMPLE_REGISTERS = Path(__file__).resolve().parent / "data" / "registers"
# watched brands whose offers are regulated goods: product word in the title → the number its genuine offers show
BRAND_LICENCES: dict[str, tuple[str, str, dict[str, str]]] = {
    "tm-syngenta": ("pesticide", "农药登记证号", {"福戈": "PD20171122", "阿米妙收": "PD20160888", "翠贝": "PD20130999",
                                               "爱苗": "PD20140777"}),
    "tm-yunnanbaiyao": ("drug", "批准文号", {"气雾剂": "国药准字Z53020798", "胶囊": "国药准字Z53020799"}),
    "tm-stanley": ("fertiliser", "肥料登记证号", {"水溶肥": "农肥（2021）准字5678号"}),
}  # fmt: skip
# 创可贴 and 牙膏 are not medicines, 复合肥 needs no registration: their offers carry no number and need none
# a fertiliser without its number is a lead only with these cues (the rules' fertiliser cues)
FERTILISER_CUES = ("散装", "分装", "自配", "无登记证", "无标签", "三无")

_SELLERS = {
    "pesticide": ("绿野农资店", "河南周口"), "drug": ("康宁大药房", "河北安国"), "veterinary_drug": ("牧康兽药店", "山东临沂"),
    "fertiliser": ("丰收肥业直销", "山东临沭"), "seed": ("金穗种业门市", "安徽合肥"), "food_production": ("乡味小铺", "湖南长沙"),
    "health_food": ("养生优选", "广东广州"), "medical_device": ("明眸视界", "江苏丹阳"), "ccc": ("数码小家电城", "广东深圳"),
}  # fmt: skip


def _truth(regime: str, kind: str | None) -> tuple[tuple[str, str], ...]:
    return ((f"reg:{regime}", kind),) if kind else ()


# (regime, the lead kind a careful inspector raises or None for a fine listing, title, description, category, price)
SHOWCASE: tuple[tuple[str, str | None, str, str, str, float], ...] = (
    ("pesticide", "licence_mismatch", "绿盾 嘧菌酯 悬浮剂 杀菌剂 水稻纹枯病 1000ml", "农药登记证号：PD20081234，厂家直销。", "农药", 48.0),
    ("pesticide", "licence_expired", "吡虫啉 杀虫剂 10% 可湿性粉剂 稻飞虱 登记证号LS20150123", "老包装清仓。", "农药", 12.5),
    ("pesticide", "licence_expired", "苯醚甲环唑 水分散粒剂 梨树黑星病 PD20120567", "量大从优。", "农药", 26.0),
    ("pesticide", "licence_unregistered", "草铵膦 除草剂 果园 5kg PD20199999", "效果好，见效快。", "农药", 88.0),
    ("pesticide", "licence_malformed", "阿维菌素 乳油 杀虫剂 小菜蛾 登记证号PD2018345", "大桶装。", "农药", 35.0),
    ("pesticide", None, "阿维菌素 乳油 1.8% 杀虫剂 甘蓝小菜蛾", "农药登记证号：PD20183456，正规厂家。", "农药", 22.0),
    ("pesticide", None, "电动喷雾器 农用 16L 锂电池 打药机", "农用喷雾器，送配件。", "农机", 159.0),
    ("drug", "licence_missing", "头孢克肟分散片 消炎 处方药 无需处方 直接发货", "效果好，量大优惠。", "药品", 19.9),
    ("drug", "licence_malformed", "板蓝根颗粒 10袋 清热解毒 国药准字Z4402194", "家庭常备。", "药品", 15.8),
    ("drug", "licence_mismatch", "布洛芬缓释胶囊 0.3g 止痛 退烧", "批准文号：国药准字H13023964。", "药品", 9.9),
    ("drug", "licence_expired", "双黄连口服液 10支 国药准字Z20025678", "清热解毒。", "药品", 12.0),
    ("drug", None, "板蓝根颗粒 10g*20袋 国药准字Z44021940", "家庭常备，正规药房。", "药品", 18.5),
    ("veterinary_drug", "licence_missing", "兽用 阿莫西林 可溶性粉 鸡用 原粉 500g", "养殖场专用。", "兽药", 45.0),
    ("veterinary_drug", "licence_expired", "阿莫西林可溶性粉 兽用 禽用 兽药字(2019)150042058", "鸡鸭鹅通用。", "兽药", 38.0),
    ("veterinary_drug", None, "伊维菌素注射液 兽用 牛羊用 兽药字(2021)110013025", "正规兽药。", "兽药", 28.0),
    ("fertiliser", "licence_unregistered", "含腐植酸水溶肥 冲施肥 20kg", "肥料登记证号：农肥（2016）准字9999号。", "化肥", 120.0),
    ("fertiliser", "licence_expired", "大量元素水溶肥 高钾型 番茄膨果", "登记证号：农肥（2019）准字1234号。", "化肥", 65.0),
    ("fertiliser", None, "尿素 46% 50kg 农用 氮肥", "正规厂家，颗粒均匀。", "化肥", 135.0),
    ("seed", "licence_mismatch", "杂交水稻种子 高产 抗倒伏 国审玉20180034", "新品种，产量高。", "种子", 58.0),
    ("seed", "licence_expired", "示例两优8号 杂交水稻种子 国审稻20150099", "老品种，口碑好。", "种子", 45.0),
    ("seed", None, "示例优1号 水稻种子 国审稻20170012 5斤装", "正规种业公司。", "种子", 68.0),
    ("food_production", "licence_missing", "家庭自制 牛肉干 麻辣 500g 手工", "自己家做的，无添加。", "食品", 59.0),
    ("food_production", "licence_expired", "老字号 苏式月饼 礼盒 QS320624010123", "传统工艺。", "食品", 88.0),
    ("food_production", "licence_malformed", "农家 古法红糖 块 500g", "生产许可证编号：SC1213205000123。", "食品", 19.9),
    ("food_production", "licence_mismatch", "黄油曲奇 饼干 礼盒装 SC12432050012345", "酥脆可口。", "食品", 39.0),
    ("food_production", None, "苏式月饼 礼盒 SC12432050012345", "中秋送礼。", "食品", 98.0),
    ("health_food", "licence_missing", "增强免疫力 蛋白粉 保健品 中老年 营养品", "提高免疫力，送长辈。", "保健品", 168.0),
    ("health_food", "licence_unregistered", "蓝帽子 深海鱼油软胶囊 辅助降血脂 国食健注G20190999", "买二送一。", "保健品", 99.0),
    ("health_food", None, "示例牌 鱼油软胶囊 国食健注G20190123", "正规保健食品。", "保健品", 128.0),
    ("medical_device", "licence_missing", "美瞳 年抛 大直径 14.5mm 彩色隐形眼镜 1片", "混血大眼，自然款。", "隐形眼镜", 39.0),
    ("medical_device", "licence_malformed", "电子血压计 家用 上臂式 医疗器械 国械注准20192070456", "精准测量。", "医疗器械", 129.0),
    ("medical_device", None, "电子血压计 上臂式 粤械注准20192070456", "家用精准。", "医疗器械", 139.0),
    ("ccc", "licence_missing", "大功率 吹风机 负离子 无3C 外贸尾单", "出口剩余，国内没有认证。", "家电", 49.0),
    ("ccc", "licence_expired", "充电宝 移动电源 20000mAh 快充", "3C证书编号：2019010911223344。", "数码", 59.0),
    ("ccc", "licence_mismatch", "充电宝 移动电源 10000mAh 超薄", "CCC证书编号：2021011606123456。", "数码", 45.0),
    ("ccc", None, "电源适配器 充电器 65W", "CCC证书编号：2022010902345678。", "数码", 69.0),
)  # fmt: skip


def showcase_offers() -> list[OfferSpec]:
    """The showcase as offers: none names a watched mark, so for the watchlist they are `unrelated`; their
    `regulated` truth says which licence lead each should raise."""
    out = []
    for regime, kind, title, description, category, price in SHOWCASE:
        seller = _SELLERS[regime]
        out.append(OfferSpec(title, description, price, category, seller, seller[1], (category,), (), None,
                             "unrelated", regulated=_truth(regime, kind)))  # fmt: skip
    return out


def with_licence(spec: OfferSpec) -> OfferSpec:
    """A watched brand's regulated offer: genuine offers and private resales show their number (the resale copies it
    from the box); counterfeits show none, which is a lead (for fertiliser only with bulk or repackaging cues)."""
    if spec.kind != "trademark" or not spec.entry_ids or spec.entry_ids[0] not in BRAND_LICENCES:
        return spec
    regime, label, numbers = BRAND_LICENCES[spec.entry_ids[0]]
    number = next((n for word, n in numbers.items() if word in spec.title), None)
    if number is None:
        return spec
    if spec.label in ("genuine", "resale"):
        return replace(spec, description=f"{spec.description}{label}：{number}。")
    if spec.label != "infringing":
        return spec
    if regime == "fertiliser" and not any(cue in spec.title + spec.description for cue in FERTILISER_CUES):
        return spec
    return replace(spec, regulated=_truth(regime, "licence_missing"))


def place_showcase(specs: list[OfferSpec], platforms: int, platform: int, first: int = 40) -> list[OfferSpec]:
    """Specs with the showcase put in place of unrelated filler offers that land on one platform (index % platforms
    == platform, from index `first` on), so every other offer keeps its place, id and price."""
    out = list(specs)
    showcase = iter(showcase_offers())
    for i in range(first, len(out)):
        if i % platforms == platform and out[i].label == "unrelated" and not out[i].entry_ids:
            nxt = next(showcase, None)
            if nxt is None:
                break
            out[i] = nxt
    return out


def regulated_truth(spec: OfferSpec) -> list[dict[str, Any]]:
    """The `regulated` column of the ground truth: the licence leads the listing should raise."""
    return [{"entry_id": entry_id, "kind": kind} for entry_id, kind in spec.regulated]


def sample_register_files() -> dict[str, Path]:
    """regime → its synthetic sample register export."""
    return {p.stem: p for p in sorted(SAMPLE_REGISTERS.glob("*.csv"))}


def seed_sample_registers(directory: str | Path) -> list[str]:
    """Import the sample register of every regime that has none in `directory` (never replacing a real one);
    returns the regimes imported."""
    from matchers.regulated.register_files import import_export, registers_dir_file

    imported = []
    for regime, path in sample_register_files().items():
        if not registers_dir_file(directory, regime).exists():
            import_export(path, regime, directory)
            imported.append(regime)
    return imported
