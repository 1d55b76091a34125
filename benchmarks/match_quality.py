"""Match quality: precision and recall at the default threshold, overall, per kind of disguise and per kind of
negative, on a labelled set generated deterministically here (seeded; different templates from tests/matchers).

Usage: `python benchmarks/match_quality.py [--quick] [--write]`; `--write` saves the set to
benchmarks/data/match_quality_set.jsonl so it can be read and reviewed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers import compile_index  # noqa: E402
from matchers.chinese import pinyin_of  # noqa: E402
from netsword.cli.common import sample_watchlists  # noqa: E402
from netsword.models import Listing  # noqa: E402
from watchlists import load_watchlists  # noqa: E402

MIN_SCORE = 50
OUT = Path(__file__).parent / "data" / "match_quality_set.jsonl"
# (entry, Latin form, Chinese form, a homophone of the Chinese form, goods words zh / en)
MARKS = [
    ("tm-nike", "Nike", "耐克", "乃克", ["篮球鞋", "板鞋", "卫衣"], ["trainers", "hoodie", "sneaker"]),
    ("tm-adidas", "Adidas", "阿迪达斯", "阿迪达思", ["运动鞋", "外套", "短裤"], ["jacket", "shorts", "shoes"]),
    ("tm-gucci", "Gucci", "古驰", "古弛", ["挎包", "腰带", "钱包"], ["belt", "wallet", "tote"]),
    ("tm-chanel", "Chanel", "香奈儿", "香奈尔", ["香水", "口红", "包包"], ["lipstick", "perfume", "handbag"]),
    ("tm-rolex", "Rolex", "劳力士", "劳利士", ["腕表", "手表"], ["watch", "watches"]),
    ("tm-cartier", "Cartier", "卡地亚", "卡帝亚", ["戒指", "项链", "手表"], ["ring", "necklace", "bracelet"]),
    ("tm-hermes", "Hermes", "爱马仕", "爱玛仕", ["手提包", "皮带", "围巾"], ["handbag", "scarf", "belt"]),
    ("tm-dior", "Dior", "迪奥", "迪傲", ["口红", "香水", "唇膏"], ["lipstick", "perfume"]),
    ("tm-samsung", "Samsung", "三星", "三行", ["手机", "平板", "耳机"], ["phone", "tablet", "earbuds"]),
    ("tm-sony", "Sony", "索尼", "索妮", ["耳机", "相机", "游戏机"], ["headphones", "camera", "console"]),
    ("tm-canon", "Canon", "佳能", "佳能", ["相机", "镜头", "单反"], ["camera", "lens"]),
    ("tm-lego", "Lego", "乐高", "乐膏", ["积木", "拼图", "玩具"], ["bricks", "blocks", "toys"]),
    ("tm-puma", "Puma", "彪马", "标马", ["运动鞋", "卫衣", "帽子"], ["sneakers", "cap"]),
    ("tm-omega", "Omega", "欧米茄", "欧米伽", ["手表", "腕表"], ["watch"]),
    ("tm-armani", "Armani", "阿玛尼", "阿玛妮", ["手表", "衬衫", "香水"], ["watch", "shirt", "perfume"]),
    ("tm-michelin", "Michelin", "米其林", "米棋林", ["轮胎"], ["tyre", "tires"]),
]
FILLER = ["2024新款", "包邮", "现货", "秒发", "男女同款", "清仓", "限时", "官方", "正品保障", "新品"]
CUES = ["高仿", "精仿", "A货", "原单", "尾单", "复刻", "1:1", "莆田", "纯原", "公司级", "过验", "replica", "AAA"]
NEGATIVES = [
    ("different_word", "tm-nike", "Nikon Coolpix 数码相机"),
    ("different_word", "tm-nike", "Nikon 70-200 lens"),
    ("different_word", "tm-chanel", "8 channel 录像机 监控"),
    ("different_word", "tm-chanel", "Channel 音箱 蓝牙"),
    ("different_word", "tm-prada", "Prado 150 脚垫 专车专用"),
    ("different_word", "tm-prada", "普拉多 Prado 轮毂 轮胎"),
    ("different_word", "tm-omega", "Omega-3 深海鱼油 胶囊"),
    ("different_word", "tm-omega", "omega 3 fish oil 1000mg"),
    ("ordinary_word", "tm-apple", "陕西洛川苹果 新鲜水果"),
    ("ordinary_word", "tm-apple", "苹果 红富士 脆甜 10斤 水果"),
    ("ordinary_word", "tm-apple", "apple cider vinegar drink"),
    ("ordinary_word", "tm-xiaomi", "黄小米 小米粥 杂粮"),
    ("ordinary_word", "tm-xiaomi", "有机小米 大米 组合"),
    ("ordinary_word", "tm-hyundai", "现代 中式 茶杯"),
    ("ordinary_word", "tm-volkswagen", "大众 口味 零食"),
    ("ordinary_word", "tm-chinamobile", "移动电源 充电宝"),
    ("nominative", "tm-apple", "适用于苹果15 钢化膜"),
    ("nominative", "tm-apple", "compatible with Apple iPad case"),
    ("nominative", "tm-samsung", "适用三星 S24 手机壳"),
    ("nominative", "tm-huawei", "兼容华为 充电器 66W"),
    ("nominative", "tm-sony", "适配索尼 PS5 手柄 充电器"),
    ("nominative", "tm-dyson", "fits Dyson V11 filter replacement"),
    ("short_mark", "tm-louisvuitton", "LV 电平 模块"),
    ("short_mark", "tm-louisvuitton", "LV1 级 证书 考试"),
    ("short_mark", "tm-hp", "HP 生命值 药水 游戏"),
    ("short_mark", "tm-bmw", "BMW 模型 手绘 海报"),
]
AUTHORISED = [("tm-nike", "耐克 跑步鞋", "耐克官方旗舰店", 899), ("tm-gucci", "Gucci 腰带", "古驰官方旗舰店", 5000),
              ("tm-samsung", "三星 手机", "三星官方旗舰店", 4999), ("tm-lego", "乐高 积木", "LEGO乐高官方旗舰店", 599),
              ("tm-chanel", "香奈儿 香水", "香奈儿官方旗舰店", 1500), ("tm-rolex", "Rolex 腕表", "劳力士官方旗舰店", 90000)]  # fmt: skip
CYRILLIC = str.maketrans("AEOCPHKMTXIaeocpx", "АЕОСРНКМТХІаеосрх")


def _case(kind: str, title: str, expect: str = "", reject: str = "", **extra: object) -> dict[str, object]:
    return {"kind": kind, "title": title, "expect": expect, "reject": reject, **extra}


def labelled_set(rng: random.Random, per_mark: int) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    for entry, latin, zh, homo, goods_zh, goods_en in MARKS:
        for _ in range(per_mark):
            gz, ge, fill = rng.choice(goods_zh), rng.choice(goods_en), rng.choice(FILLER)
            up = latin.upper()
            k = rng.randrange(1, len(up) - 1)
            cases += [
                _case("plain", f"{fill} {zh} {gz}", entry, price=99999),
                _case("separator", f"{fill} " + rng.choice(["_", "·", "/", "✿", " "]).join(up) + f" {gz}", entry),
                _case("homoglyph", f"{up.translate(CYRILLIC)} {ge} {fill}", entry),
                _case("fullwidth", "".join(chr(ord(c) + 0xFEE0) for c in up) + f" {gz}", entry),
                _case("zero_width", f"{up[:k]}\u200c{up[k:]} {ge}", entry),
                _case("typo_swap", f"{up[:k]}{up[k + 1]}{up[k]}{up[k + 2 :]} {ge} {fill}", entry),
                _case("typo_double", f"{up[:k]}{up[k]}{up[k:]} {gz}", entry),
                _case("glued", f"{latin.lower()}{ge} {fill}", entry),
                _case("chinese_separator", rng.choice(["·", "❤", " ", "-"]).join(zh) + f" {gz} {fill}", entry),
                _case("cue", f"{rng.choice(CUES)} {zh} {gz}", entry),
                _case("evasion", f"{zh}{rng.choice(['同款', '风格'])} {gz} {fill}", entry),
                _case("price", f"{latin} {ge} {fill}", entry, price=rng.choice([9.9, 19, 39])),
            ]
            if homo != zh and pinyin_of(homo) == pinyin_of(zh):
                cases.append(_case("homophone", f"{homo} {gz} {fill}", entry))
            spelled = "".join(pinyin_of(zh))
            if len(spelled) >= 5 and spelled != latin.lower():
                cases.append(_case("pinyin", f"{spelled} {gz} {fill}", entry))
    for kind, entry, title in NEGATIVES:
        cases.append(_case(kind, title, reject=entry))
    for entry, title, seller, price in AUTHORISED:
        cases.append(_case("authorised", title, reject=entry, seller=seller, price=price))
    return cases


def _listing(case: dict[str, object], n: int) -> Listing:
    data = {"id": str(n), "platform": "q", "url": f"https://q/{n}", "title": case["title"], "price": case.get("price")}
    if case.get("seller"):
        data["seller"] = {"name": case["seller"]}
    return Listing.from_dict(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one case per mark and kind instead of four")
    parser.add_argument("--write", action="store_true", help=f"save the labelled set to {OUT}")
    args = parser.parse_args(argv)
    cases = labelled_set(random.Random(20261128), 1 if args.quick else 4)
    if args.write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    index = compile_index(load_watchlists(sample_watchlists()))
    tp, fn, fp, tn = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    misses: list[str] = []
    for n, case in enumerate(cases):
        leads = {h.entry_id for h in index.match(_listing(case, n)) if h.score >= MIN_SCORE}
        kind = str(case["kind"])
        if case["expect"]:
            hit = case["expect"] in leads
            (tp if hit else fn)[kind] += 1
            if not hit:
                misses.append(f"missed   {kind}: {case['title']!r} ({case['expect']})")
        if case["reject"]:
            wrong = case["reject"] in leads
            (fp if wrong else tn)[kind] += 1
            if wrong:
                misses.append(f"reported {kind}: {case['title']!r} ({case['reject']})")
    total_tp, total_fn, total_fp = sum(tp.values()), sum(fn.values()), sum(fp.values())
    # precision counts every lead raised on a negative case as a false positive
    precision = total_tp / max(1, total_tp + total_fp)
    recall = total_tp / max(1, total_tp + total_fn)
    print(f"{len(cases)} labelled listings, threshold {MIN_SCORE}")
    print(f"overall: precision {precision:.3f}  recall {recall:.3f}")
    print("recall per kind of disguise / signal:")
    for kind in sorted(set(tp) | set(fn)):
        print(f"  {kind:<18} {tp[kind] / max(1, tp[kind] + fn[kind]):.3f}  ({tp[kind]}/{tp[kind] + fn[kind]})")
    print("negatives correctly left alone, per kind:")
    for kind in sorted(set(fp) | set(tn)):
        print(f"  {kind:<18} {tn[kind] / max(1, tn[kind] + fp[kind]):.3f}  ({tn[kind]}/{tn[kind] + fp[kind]})")
    for line in misses[:30]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
