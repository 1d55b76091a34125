"""Regulated-goods quality: lead-level precision and recall of the licence checks (matchers/regulated/), per lead kind
and per regime, on generated listings split into a development and a held-out part, plus real titles as negatives.

Each regime gets a synthetic register (numbers in the real format, invented products and holders) and listings that
cite a registered number (fine), a mutated one (malformed), an expired, withdrawn or retired one (expired), an unknown
one (unregistered), another product's or holder's (mismatch), none (missing; for monitored regimes only with a cue),
and goods that need no number (equipment, accessories, exempt goods, look-alike model codes such as PD20W chargers).
The wording the generator uses (title fillers, label spellings, where the number sits, brands, cue phrases) is split
in two: even variants make the development part, odd ones the held-out part, whose figures are the ones reported.
The rules' own vocabulary is shared by both parts (it is what is under test), so the split holds out phrasing and
number placement, not goods words. Real titles (benchmarks/corpus/real_titles.tsv, demo/data/unrelated_titles.tsv)
are all negatives. A lead is a hit of score ≥ 50; it is right when its regime and kind are the expected ones.
Usage: `python benchmarks/regulated_quality.py [--seed S] [--per-kind N] [--show N]`.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers.regulated import RegulatedChecks  # noqa: E402
from matchers.regulated.registers import Register, RegisterRecord, RegisterSnapshot  # noqa: E402
from netsword.models import Listing  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEN = date(2026, 11, 1)
MIN_SCORE = 50
KINDS = ("licence_missing", "licence_malformed", "licence_unregistered", "licence_expired", "licence_mismatch")
HOLDER_PLACES = ("江苏", "山东", "浙江", "河北", "广东", "四川", "湖北", "河南", "安徽", "福建")
HOLDER_WORDS = ("华农", "绿源", "康泰", "丰禾", "瑞达", "恒信", "正德", "百川", "金穗", "安和", "天元", "润生")
HOLDER_KINDS = {"drug": "药业有限公司", "pesticide": "作物科学有限公司", "veterinary_drug": "动物药业有限公司",
                "fertiliser": "肥业有限公司", "seed": "种业有限公司", "food_production": "食品有限公司",
                "health_food": "生物科技有限公司", "medical_device": "医疗器械有限公司", "ccc": "电器有限公司"}  # fmt: skip
# (title word, product dimension group the rules know, or "" when the regime compares registered names)
PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "drug": (("阿莫西林胶囊", "H"), ("布洛芬缓释胶囊", "H"), ("对乙酰氨基酚片剂", "H"), ("奥美拉唑缓释胶囊", "H"),
             ("板蓝根颗粒", "Z"), ("藿香正气口服液", "Z"), ("六味地黄丸剂", "Z"), ("双黄连口服液", "Z"),
             ("氯雷他定片剂", "H"), ("蒙脱石散颗粒", "H")),
    "pesticide": (("吡虫啉可湿性粉剂", ""), ("阿维菌素乳油", ""), ("嘧菌酯悬浮剂", ""), ("草甘膦水剂", ""),
                  ("苯醚甲环唑水分散粒剂", ""), ("高效氯氟氰菊酯微乳剂", ""), ("戊唑醇悬浮剂", ""), ("烯酰吗啉水分散粒剂", "")),
    "veterinary_drug": (("氟苯尼考粉", ""), ("恩诺沙星注射液", ""), ("替米考星预混剂", ""), ("阿苯达唑片", ""),
                        ("伊维菌素浇泼剂", ""), ("盐酸多西环素可溶性粉", "")),
    "fertiliser": (("大量元素水溶肥料", ""), ("含氨基酸水溶肥料", ""), ("微生物菌剂", ""), ("土壤调理剂", ""),
                   ("含腐植酸水溶肥料", "")),
    "seed": (("水稻种子", "稻"), ("玉米种子", "玉"), ("小麦种子", "麦"), ("大豆种子", "豆"), ("棉花种子", "棉")),
    "food_production": (("苏打饼干", "08"), ("牛肉干", "04"), ("月饼", "24"), ("蜂蜜", "26"), ("白酒", "15"),
                        ("辣椒酱", "03"), ("海苔", "22"), ("坚果", "18")),
    "health_food": (("鱼油软胶囊 保健食品", ""), ("蛋白粉 保健食品", ""), ("维生素C咀嚼片 保健食品", ""),
                    ("葡萄籽提取物 保健食品", ""), ("辅酶Q10软胶囊 保健食品", "")),
    "medical_device": (("电子血压计", ""), ("血糖仪", ""), ("隐形眼镜", ""), ("制氧机", ""), ("雾化器", "")),
    "ccc": (("电吹风", ""), ("移动电源", ""), ("电热水壶", ""), ("插线板", ""), ("电暖器", ""), ("电饭煲", "")),
}  # fmt: skip
FOOD_CODE = {"苏打饼干": "08", "牛肉干": "04", "月饼": "24", "蜂蜜": "26", "白酒": "15", "辣椒酱": "03", "海苔": "22",
             "坚果": "18"}  # fmt: skip
LABELS: dict[str, tuple[str, ...]] = {
    "drug": ("批准文号：", "药品批准文号:", "批准文号 ", "【批准文号】"), "pesticide": ("农药登记证号：", "登记证号:", "登记证号 ", "【登记证号】"),
    "veterinary_drug": ("兽药批准文号：", "批准文号:", "产品批准文号 ", "【批准文号】"),
    "fertiliser": ("肥料登记证号：", "登记证号:", "肥料登记证 ", "【登记证号】"),
    "seed": ("审定编号：", "品种审定编号:", "审定编号 ", "【审定编号】"),
    "food_production": ("生产许可证编号：", "食品生产许可证编号:", "SC编号 ", "【生产许可证编号】"),
    "health_food": ("保健食品注册号：", "注册号:", "保健食品批准文号 ", "【注册号】"),
    "medical_device": ("医疗器械注册证编号：", "注册证编号:", "医疗器械注册证号 ", "【注册证编号】"),
    "ccc": ("CCC证书编号：", "3C证书编号:", "CCC认证证书编号 ", "【3C证书编号】"),
}  # fmt: skip
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "drug": ("批准文号", "approval_number"), "pesticide": ("农药登记证号", "登记证号"),
    "veterinary_drug": ("兽药批准文号", "批准文号"), "fertiliser": ("肥料登记证号", "登记证号"),
    "seed": ("审定编号", "品种审定编号"), "food_production": ("生产许可证编号", "食品生产许可证编号"),
    "health_food": ("保健食品注册号", "注册号"), "medical_device": ("注册证编号", "医疗器械注册证编号"),
    "ccc": ("3C证书编号", "CCC证书编号"),
}  # fmt: skip
FILLERS = ("正品", "包邮", "现货速发", "量大优惠", "厂家直发", "新货", "家庭常备", "优选", "热卖", "新品上市", "老客户回购",
           "实体店发货")  # fmt: skip
PLACES = ("title", "description", "field", "image")
HIGH_RISK = {"隐形眼镜"}  # the rules' high-risk device goods: no number is a lead, not only monitored
# regimes whose missing number alone is a lead; the others need a cue (below) to be one
LEAD_WHEN_MISSING = {"drug", "pesticide", "veterinary_drug", "seed"}
CUES = {"fertiliser": ("散装", "分装", "自配"), "food_production": ("家庭自制", "农家自制", "作坊"),
        "health_food": ("增强免疫力", "辅助降血脂", "改善睡眠"), "medical_device": ("美瞳", "角膜接触镜", "美瞳"),
        "ccc": ("无3C", "无CCC", "没有3C")}  # fmt: skip
NONE_NEEDED: dict[str, tuple[str, ...]] = {
    "drug": ("七格分药盒 便携 药品收纳", "药箱 家用 大号 多层", "执业药师考试 教材 2025", "中药材 枸杞 宁夏 500g"),
    "pesticide": ("电动喷雾器 农用 20L", "农药残留速测卡 50条", "植保无人机 配件 喷头", "防护服 打药 防水"),
    "veterinary_drug": ("猫砂 豆腐 6L", "宠物窝 冬季 保暖", "狗粮 成犬 10kg", "喂药器 宠物 硅胶"),
    "fertiliser": ("尿素 46% 40kg 农用", "复合肥 15-15-15 50kg", "撒肥机 手摇", "磷酸二氢钾 1kg 叶面"),
    "seed": ("育苗盘 105孔 10个", "甜玉米 新鲜 10根 现摘", "播种机 手推 玉米", "大豆 东北 黄豆 5斤 可打豆浆"),
    "food_production": ("月饼模具 手压 50g", "保鲜盒 玻璃 饭盒", "酒杯 水晶 一对", "茶具套装 功夫 陶瓷"),
    "health_food": ("保健枕 颈椎 荞麦", "保健锤 按摩 木质", "足浴盆 保健 加热", "保健鞋 老人 软底"),
    "medical_device": ("美瞳盒 便携 双联", "非医用口罩 一次性 50只", "隐形眼镜盒 镊子套装", "口罩挂绳 珍珠"),
    "ccc": ("手机壳 硅胶 防摔", "吹风机支架 免打孔", "钢化膜 高清 全屏", "表带 硅胶 运动"),
}  # fmt: skip
LOOKALIKE_CODES = ("PD20W 快充头 Type-C", "SC-1205 螺丝刀 套装", "型号 PD2019 蓝牙耳机", "LS2020 音箱 便携",
                   "WP2021 手表 防水", "GB/T 2828 检验 手册", "QS-300 切割机 配件", "国审 论文 查重 服务")  # fmt: skip


@dataclass
class Case:
    part: str
    regime: str
    expect: str | None  # the lead kind, or None: no lead
    listing: Listing
    note: str


@dataclass
class RegimeData:
    regime: str
    records: dict[str, RegisterRecord] = field(default_factory=dict)
    by_product: dict[str, list[str]] = field(default_factory=dict)


def _holder(rng: random.Random, regime: str) -> str:
    return f"{rng.choice(HOLDER_PLACES)}{rng.choice(HOLDER_WORDS)}{rng.choice(HOLDER_WORDS)}{HOLDER_KINDS[regime]}"


def _number(rng: random.Random, regime: str, product: str, group: str, year: int) -> str:
    """A number in the regime's real format, for a product."""
    prov = rng.choice(("11", "32", "33", "37", "44", "51", "53", "42"))
    if regime == "drug":
        return f"国药准字{group}{year}{rng.randrange(10000):04d}"
    if regime == "pesticide":
        return f"PD{year}{rng.randrange(10000):04d}"
    if regime == "veterinary_drug":
        return f"兽药字({year}){rng.randrange(1, 32):02d}{rng.randrange(1000):03d}{rng.randrange(10000):04d}"
    if regime == "fertiliser":
        return f"农肥({year})准字{rng.randrange(1000, 10000)}" if rng.random() < 0.7 else \
            f"鲁农肥({year})准字{rng.randrange(1000, 10000)}"  # fmt: skip
    if regime == "seed":
        return f"国审{group}{year}{rng.randrange(10000):04d}"
    if regime == "food_production":
        return f"SC1{FOOD_CODE[product]}{prov}{rng.randrange(1, 20):02d}{rng.randrange(1, 30):02d}{rng.randrange(10000):04d}" \
               f"{rng.randrange(10)}"  # fmt: skip
    if regime == "health_food":
        return f"国食健注G{max(year, 2016)}{rng.randrange(10000):04d}" if rng.random() < 0.6 else \
            f"食健备G{max(year, 2017)}{prov}{rng.randrange(10**6):06d}"  # fmt: skip
    if regime == "medical_device":
        return f"国械注准{max(year, 2015)}3{rng.randrange(1, 23):02d}{rng.randrange(10000):04d}" if rng.random() < 0.5 else \
            f"粤械注准{max(year, 2015)}2{rng.randrange(1, 23):02d}{rng.randrange(10000):04d}"  # fmt: skip
    return f"{year}01{rng.randrange(1, 22):02d}{rng.randrange(10**8):08d}"


def _register(rng: random.Random, regime: str) -> RegimeData:
    data = RegimeData(regime)
    for product, group in PRODUCTS[regime]:
        for _ in range(4):
            year = rng.randrange(2010, 2024)
            number = _number(rng, regime, product, group, year)
            until = date(rng.randrange(2027, 2031), rng.randrange(1, 13), 1)
            record = RegisterRecord(number, product.split(" ")[0], _holder(rng, regime), None, until, "有效",
                                    "")  # fmt: skip
            data.records[number] = record
            data.by_product.setdefault(product, []).append(number)
    return data


def _mutate(rng: random.Random, number: str, regime: str) -> str:
    """A number that cannot exist: a digit dropped or added, or a year in the future. Fertiliser and seed sequences
    come in several lengths, so a dropped or added digit may still be a well-formed (unregistered) number there."""
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    if regime in ("fertiliser", "seed"):
        how = "future"
    elif regime == "food_production":  # no year in the number
        how = rng.choice(("drop", "add"))
    else:
        how = rng.choice(("drop", "add", "future"))
    if how == "drop":
        i = rng.choice(digits[-4:])
        return number[:i] + number[i + 1 :]
    if how == "add":
        i = digits[-1] + 1
        return number[:i] + str(rng.randrange(10)) + number[i:]
    year = next((number[i : i + 4] for i in digits if number[i : i + 2] == "20" and number[i : i + 4].isdigit()), "")
    return number.replace(year, "2099", 1) if year else number[:-1]


def _listing(rng: random.Random, part: int, regime: str, title: str, number: str, where: str, cue: str = "",
             extra: dict[str, Any] | None = None) -> Listing:  # fmt: skip
    filler = FILLERS[(rng.randrange(len(FILLERS) // 2)) * 2 + part]
    label = LABELS[regime][(rng.randrange(2)) * 2 + part]
    data: dict[str, Any] = {"id": str(rng.randrange(10**9)), "platform": "bench", "url": "u",
                            "title": " ".join(x for x in (cue, title, filler) if x),
                            "crawled_at": SEEN.isoformat() + "T00:00:00Z", **(extra or {})}  # fmt: skip
    if number:
        if where == "title":  # a bare 16-digit CCC number is not read (too many numbers look like one): 3C认证 …
            data["title"] += f" {'3C认证' if regime == 'ccc' else ''}{number}"
        elif where == "description":
            data["description"] = f"{rng.choice(('品质保证。', '欢迎咨询。'))}{label}{number}"
        elif where == "field":
            data.setdefault("params", {})[FIELD_NAMES[regime][part]] = number
        else:
            data["image_alts"] = [f"包装图 {label}{number}"]
    return Listing.from_dict(data)


def generate(seed: int, per_kind: int) -> tuple[list[Case], RegisterSnapshot]:
    rng = random.Random(seed)
    cases: list[Case] = []
    registers: dict[str, Register] = {}
    for regime in PRODUCTS:
        data = _register(rng, regime)
        # a few records past their validity or withdrawn
        numbers = list(data.records)
        expired = set(rng.sample(numbers, 6))
        for n in expired:
            r = data.records[n]
            data.records[n] = RegisterRecord(r.number, r.product, r.holder, None, date(2024, 3, 1),
                                             rng.choice(("有效", "注销")), r.scope)  # fmt: skip
        registers[regime] = Register(regime, MappingProxyType(dict(data.records)), True, "bench", "", "2026-10-01")
        live = [n for n in numbers if n not in expired]
        products = PRODUCTS[regime]
        for part_no, part in enumerate(("dev", "test")):
            for _ in range(per_kind):
                where = PLACES[rng.randrange(2) * 2 + part_no]

                def add(expect: str | None, title: str, number: str, note: str, cue: str = "",
                        extra: dict[str, Any] | None = None) -> None:  # fmt: skip
                    listing = _listing(rng, part_no, regime, title, number, where, cue, extra)  # noqa: B023
                    cases.append(Case(part, regime, expect, listing, note))  # noqa: B023

                product, group = rng.choice(products)
                own = [n for n in data.by_product[product] if n in live]
                if own:  # fine: its own registered, valid number
                    add(None, product, rng.choice(own), "valid")
                add("licence_malformed", product, _mutate(rng, rng.choice(data.by_product[product]), regime), "mutated")
                gone = [n for n in data.by_product[product] if n in expired] or list(expired)
                add("licence_expired", product, rng.choice(gone), "expired or withdrawn")
                fresh = _number(rng, regime, product, group, rng.randrange(2010, 2024))
                if fresh not in data.records:  # the right format, not in the register
                    add("licence_unregistered", product, fresh, "unknown")
                # another product's number (of another group where the rules compare groups)
                other, _ = rng.choice([(p, g) for p, g in products if p != product and (not group or g != group)])
                borrowed = [n for n in data.by_product[other] if n in live]
                if borrowed and own:
                    add("licence_mismatch", product, rng.choice(borrowed), "borrowed")
                if own:  # the producer named is another company (another trade name, 字号)
                    holder, number = _holder(rng, regime), rng.choice(own)
                    theirs = data.records[number].holder
                    if holder[2:4] not in theirs and holder[4:6] not in theirs:
                        add("licence_mismatch", product, number, "other holder", extra={"生产企业": holder})
                if regime in LEAD_WHEN_MISSING:  # no number: a lead where the rules say so, else only with a cue
                    add("licence_missing", product, "", "none")
                else:
                    cues = CUES[regime]
                    cue = cues[rng.randrange(len(cues) // 2 + 1) * 2 % len(cues) if part_no == 0 else 1]
                    add("licence_missing", product, "", f"none, cue {cue}", cue)
                    plain = product if product not in HIGH_RISK else products[0][0]  # high-risk goods: always a lead
                    add(None, plain, "", "monitored")
                needless = NONE_NEEDED[regime]
                add(None, needless[rng.randrange(2) * 2 + part_no], "", "needs none")
        for part_no, part in enumerate(("dev", "test")):
            for title in LOOKALIKE_CODES[part_no::2]:
                cases.append(Case(part, "-", None, _listing(rng, part_no, "ccc", title, "", "title"), "model code"))
    return cases, RegisterSnapshot(MappingProxyType(registers))


def _variant(rng: random.Random, number: str) -> tuple[str, str]:
    """The number as sellers also write it: full-width characters, a space inside, lower-case letters."""
    how = rng.choice(("full-width", "space", "lower-case"))
    if how == "full-width":
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in number), how
    if how == "space":
        i = next((i for i, c in enumerate(number) if c.isdigit()), 0)
        return number[:i] + " " + number[i:], how
    return number.lower(), how


def variants(seed: int, registers: RegisterSnapshot) -> list[Case]:
    """Registered numbers written in spellings the generator's other parts never use (never tuned on): fine when
    the record is valid, expired when it is not."""
    rng = random.Random(seed + 1)
    cases = []
    for regime, register in registers.registers.items():
        for record in rng.sample(list(register.records.values()), 12):
            written, how = _variant(rng, record.number)
            expired = record.valid_until is not None and record.valid_until < SEEN or record.status == "注销"
            product = next(p for p, _ in PRODUCTS[regime] if p.split(" ")[0] == record.product)
            listing = _listing(rng, 1, regime, product, written, rng.choice(("description", "image")))
            cases.append(Case("variants", regime, "licence_expired" if expired else None, listing, how))
    return cases


def real_titles() -> list[Case]:
    cases = []
    for path in (ROOT / "benchmarks" / "corpus" / "real_titles.tsv", ROOT / "demo" / "data" / "unrelated_titles.tsv"):
        if not path.exists():
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            cols = line.split("\t")
            if line.startswith("#") or len(cols) < 2 or cols[1] == "title":
                continue
            listing = Listing.from_dict({"id": f"real-{n}", "platform": "real", "url": "u", "title": cols[1],
                                         "crawled_at": SEEN.isoformat() + "T00:00:00Z"})  # fmt: skip
            cases.append(Case("real", "-", None, listing, path.name))
    return cases


def score(cases: list[Case], checks: RegulatedChecks) -> dict[str, Any]:
    tp = fp = fn = 0
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    by_regime: dict[str, Counter[str]] = defaultdict(Counter)
    wrong: list[str] = []
    for case in cases:
        leads = [h for h in checks.match(case.listing) if h.score >= MIN_SCORE]
        want = (f"reg:{case.regime}", case.expect) if case.expect else None
        got = {(h.entry_id, h.kind) for h in leads}
        hit = want in got if want else False
        if want:
            tp, fn = tp + hit, fn + (not hit)
            by_kind[case.expect or ""]["expected"] += 1
            by_kind[case.expect or ""]["found"] += hit
            by_regime[case.regime]["expected"] += 1
            by_regime[case.regime]["found"] += hit
        false = got - {want}
        fp += len(false)
        for entry, kind in false:
            by_kind[kind]["false"] += 1
            by_regime[entry[4:]]["false"] += 1
        if (want and not hit) or false:
            shown = ", ".join(f"{k} {e}" for e, k in sorted(got)) or "nothing"
            wrong.append(f"{case.regime:<16} want {case.expect or 'none':<21} got {shown}: {case.listing.title!r} "
                         f"{case.listing.description!r} {dict(case.listing.extra) or ''} ({case.note})")  # fmt: skip
    return {"tp": tp, "fp": fp, "fn": fn, "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn),
            "by_kind": by_kind, "by_regime": by_regime, "wrong": wrong, "cases": len(cases)}  # fmt: skip


def report(name: str, m: dict[str, Any], show: int) -> None:
    print(f"{name}: {m['cases']} listings — precision {m['precision']:.3f}  recall {m['recall']:.3f}  "
          f"(right {m['tp']}, false {m['fp']}, missed {m['fn']})")  # fmt: skip
    for title, table in (("kind", m["by_kind"]), ("regime", m["by_regime"])):
        if not any(v["expected"] or v["false"] for v in table.values()):
            continue
        print(f"  {title:<21} {'expected':>8} {'found':>6} {'recall':>7} {'false leads':>11}")
        for key in sorted(table):
            v = table[key]
            rate = f"{v['found'] / v['expected']:.3f}" if v["expected"] else "  –"
            print(f"  {key:<21} {v['expected']:>8} {v['found']:>6} {rate:>7} {v['false']:>11}")
    for line in m["wrong"][:show]:
        print("   " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261101)
    parser.add_argument("--per-kind", type=int, default=12, help="listings of each sort per regime and part")
    parser.add_argument("--show", type=int, default=15, help="print up to N wrong results per part")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    cases, registers = generate(args.seed, args.per_kind)
    checks = RegulatedChecks(registers)
    built = time.perf_counter() - started
    parts = {part: [c for c in cases if c.part == part] for part in ("dev", "test")}
    parts["variants"] = variants(args.seed, registers)
    parts["real"] = real_titles()
    cpu = time.process_time()
    results = {part: score(items, checks) for part, items in parts.items()}
    cpu = time.process_time() - cpu
    listings = sum(len(v) for v in parts.values())
    print(f"seed {args.seed}; {listings} listings; registers of {sum(len(r.records) for r in registers.registers.values())} "
          f"numbers; set up in {built:.1f} s; checked in {cpu:.2f} s CPU ({listings / max(cpu, 1e-9):,.0f} listings/s)")  # fmt: skip
    report("held-out part (reported)", results["test"], args.show)
    report("development part", results["dev"], args.show)
    report("number spellings never tuned on (full-width, a space inside, lower case)", results["variants"], args.show)
    real = results["real"]
    print(f"real titles: {real['cases']} listings, {real['fp']} licence leads (all would be false)")
    for line in real["wrong"][: args.show]:
        print("   " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
