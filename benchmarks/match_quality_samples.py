"""Match quality on the sample watchlist (the older set, close to the project's own phrasing): precision and recall
at the default threshold, overall and per kind of disguise and of negative, on a labelled set generated
deterministically here (seeded; different templates from tests/matchers/cases.csv). The held-out figures are
benchmarks/match_quality.py's.

Positives: 16 well-known marks in every disguise. Negatives (at least 40 % of cases), derived from the sample
watchlist rather than hand-picked: common English words one or two edits from a Latin mark
(benchmarks/data/english_words.txt), every ordinary-word mark in unrelated goods, nominative/compatibility use,
authorised sellers at a normal price, private resales at a plausible price, short marks inside words and model
codes, and real titles of unrelated goods (demo/data/unrelated_titles.tsv, tests/fixtures/realdata).
Usage: `python benchmarks/match_quality_samples.py [--quick] [--write] [--show N]`; `--write` saves the set to
benchmarks/data/match_quality_set.jsonl so it can be read and reviewed.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers import compile_index  # noqa: E402
from matchers.chinese import pinyin_of  # noqa: E402
from matchers.normalize import has_cjk, latin_key  # noqa: E402
from matchers.vocabulary import goods_terms, ordinary_words, related_classes  # noqa: E402
from netsword.models import Listing  # noqa: E402
from watchlists import load_watchlists  # noqa: E402
from watchlists.configured import sample_watchlists  # noqa: E402
from watchlists.model import Trademark, Watchlist  # noqa: E402

MIN_SCORE = 50
OUT = Path(__file__).parent / "data" / "match_quality_set.jsonl"
ROOT = Path(__file__).resolve().parents[1]
WORDS = Path(__file__).parent / "data" / "english_words.txt"
ANY = "*"  # reject: no lead at all is expected
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
# the issue's own examples, kept verbatim
FIXED_NEGATIVES = [
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
CYRILLIC = str.maketrans("AEOCPHKMTXIaeocpx", "АЕОСРНКМТХІаеосрх")


ACCESSORIES = ["手机壳", "钢化膜", "充电器", "数据线", "表带", "防尘袋", "收纳盒", "替换刷头", "保护套", "贴纸"]
ACCESSORIES_EN = ["case", "screen protector", "charger", "strap", "dust bag", "replacement filter", "cover"]
PEOPLE = ["小王的闲置", "爱生活的猫", "李姐", "阿杰", "不二家的兔子", "旧物新生"]
SECOND_HAND = ["闲置", "自用", "个人闲置", "二手"]
CONDITION = ["九成新", "95新", "有票", "配件齐全", "功能完好"]


def _case(kind: str, title: str, expect: str = "", reject: str = "", **extra: object) -> dict[str, object]:
    return {"kind": kind, "title": title, "expect": expect, "reject": reject, **extra}


def positives(rng: random.Random, per_mark: int) -> list[dict[str, object]]:
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
    return cases


def _goods_by_class() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for term, classes in goods_terms().items():
        if has_cjk(term) and len(term) >= 2:
            for c in classes:
                out.setdefault(c, []).append(term)
    return out


def _unrelated_goods(tm: Trademark, by_class: dict[int, list[str]], rng: random.Random) -> str:
    """A Chinese goods word of a class neither the entry's nor related to it."""
    near = set(tm.classes).union(*(related_classes().get(c, frozenset()) for c in tm.classes))
    choices = sorted(c for c in by_class if c not in near and all(c not in related_classes().get(n, ()) for n in near))
    return rng.choice(by_class[rng.choice(choices)])


def _own_goods(tm: Trademark, by_class: dict[int, list[str]], rng: random.Random) -> str:
    own = [c for c in tm.classes if c in by_class]
    return rng.choice(by_class[rng.choice(own)]) if own else ""


def different_words(watchlist: Watchlist, rng: random.Random) -> list[dict[str, object]]:
    """English words one or two edits from a Latin mark of four letters or more (`canyon` / CANON), each once."""
    from rapidfuzz.distance import Levenshtein

    words = sorted({w for line in WORDS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
                    for w in line.split()})  # fmt: skip
    keys: dict[str, list[Trademark]] = {}
    for tm in watchlist.trademarks:
        for form in tm.forms:
            if not has_cjk(form) and len(latin_key(form)) >= 4:
                keys.setdefault(latin_key(form), []).append(tm)
    by_class, cases = _goods_by_class(), []
    for word in words:
        key = latin_key(word)
        if key in keys:
            continue
        near = [(tm, d) for k, tms in keys.items() for tm in tms
                if abs(len(k) - len(key)) <= 2 and (d := Levenshtein.distance(key, k, score_cutoff=2)) <= 2]  # fmt: skip
        for tm, distance in near[:1]:
            # one edit from the mark in its own goods would be a typo-squat, so those go in unrelated goods; two edits
            # away is another word even in the mark's own goods (`radar` 鼠标 is not RAZER)
            own = _own_goods(tm, by_class, rng)
            goods = own if distance == 2 and own else _unrelated_goods(tm, by_class, rng)
            title = rng.choice(
                [f"{word.capitalize()} {goods} {rng.choice(FILLER)}", f"{rng.choice(FILLER)} {goods} {word}"]
            )
            cases.append(_case("different_word", title, reject=tm.id))
    return cases


def ordinary_and_use(watchlist: Watchlist, rng: random.Random) -> list[dict[str, object]]:
    """Ordinary-word marks in unrelated goods, nominative use, authorised sellers, private resales, short marks."""
    by_class, ordinary, cases = _goods_by_class(), ordinary_words(), []
    words = [w for line in WORDS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
             for w in line.split()]  # fmt: skip
    for tm in watchlist.trademarks:
        zh = next((f for f in tm.forms if has_cjk(f)), "")
        latin = next((f for f in tm.forms if not has_cjk(f)), "")
        for form in tm.forms:
            if form.lower() in ordinary:
                for _ in range(2):
                    cases.append(_case("ordinary_word", f"{form} {_unrelated_goods(tm, by_class, rng)} {rng.choice(FILLER)}",
                                       reject=tm.id))  # fmt: skip
        if set(tm.classes) & {7, 9, 11, 12, 14}:  # goods that accessories are sold for
            name = zh or latin
            cases.append(_case("nominative", f"{rng.choice(['适用于', '兼容', '适配'])}{name} {rng.choice(ACCESSORIES)}",
                               reject=tm.id, price=rng.choice([9.9, 19, 29, 59])))  # fmt: skip
            if latin:
                cases.append(_case("nominative", f"{rng.choice(['compatible with', 'for', 'fits'])} {latin} "
                                   f"{rng.choice(ACCESSORIES_EN)}", reject=tm.id, price=rng.choice([5, 12, 25])))  # fmt: skip
        goods = _own_goods(tm, by_class, rng)
        if tm.msrp and goods:
            msrp = tm.msrp.min * (7.2 if tm.msrp.currency == "USD" else 1)
            if tm.authorized_sellers:
                cases.append(_case("authorised", f"{zh or latin} {goods} {rng.choice(['官方正品', '新品', '专柜正品'])}",
                                   reject=tm.id, seller=rng.choice(tm.authorized_sellers),
                                   price=round(msrp * rng.uniform(1.0, 1.3))))  # fmt: skip
            cases.append(_case("resale", f"{rng.choice(SECOND_HAND)} {zh or latin} {goods} {rng.choice(CONDITION)}",
                               reject=tm.id, seller=rng.choice(PEOPLE), price=round(msrp * rng.uniform(0.55, 0.85))))  # fmt: skip
        key = latin_key(latin) if latin else ""
        if 2 <= len(key) <= 3:
            inside = [w for w in words if key in w and w != key][:2]
            for w in inside:
                cases.append(_case("short_mark", f"{w.capitalize()} {rng.choice(by_class[rng.choice(list(by_class))])}",
                                   reject=tm.id))  # fmt: skip
            cases.append(_case("short_mark", f"{latin.upper()}{rng.randint(1, 9)} 级 {_unrelated_goods(tm, by_class, rng)}",
                               reject=tm.id))  # fmt: skip
    return cases


def real_unrelated_titles() -> list[dict[str, object]]:
    """Real titles of unrelated goods: the demo's borrowed set and the Taobao 芝麻糊 search fixture."""
    titles = [line.split("\t", 1)[1] for line in (ROOT / "demo/data/unrelated_titles.tsv").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#") and "\t" in line]  # fmt: skip
    page = (ROOT / "tests/fixtures/realdata/taobao_g_page_config_xxx.js").read_text(encoding="utf-8")
    titles += re.findall(r'"raw_title":\s*"([^"]+)"', page)
    return [_case("unrelated_real", t, reject=ANY) for t in dict.fromkeys(titles)]


def labelled_set(rng: random.Random, per_mark: int, watchlist: Watchlist) -> list[dict[str, object]]:
    cases = positives(rng, per_mark)
    cases += [_case(kind, title, reject=entry) for kind, entry, title in FIXED_NEGATIVES]
    cases += different_words(watchlist, rng)
    cases += ordinary_and_use(watchlist, rng)
    cases += real_unrelated_titles()
    return cases


def _listing(case: dict[str, object], n: int) -> Listing:
    data = {"id": str(n), "platform": "q", "url": f"https://q/{n}", "title": case["title"], "price": case.get("price")}
    if case.get("seller"):
        data["seller"] = {"name": case["seller"]}
    return Listing.from_dict(data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one positive case per mark and kind instead of three")
    parser.add_argument("--write", action="store_true", help=f"save the labelled set to {OUT}")
    parser.add_argument("--show", type=int, default=30, help="print up to N wrong cases")
    args = parser.parse_args(argv)
    watchlist = load_watchlists(sample_watchlists())
    cases = labelled_set(random.Random(20261128), 1 if args.quick else 3, watchlist)
    if args.write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    index = compile_index(watchlist)
    n_cases, tp, fn, fp, tn = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    wrong: list[str] = []
    for n, case in enumerate(cases):
        leads = {h.entry_id for h in index.match(_listing(case, n)) if h.score >= MIN_SCORE}
        kind = str(case["kind"])
        n_cases[kind] += 1
        if case["expect"]:
            hit = case["expect"] in leads
            (tp if hit else fn)[kind] += 1
            if not hit:
                wrong.append(f"missed   {kind}: {case['title']!r} ({case['expect']})")
        if case["reject"]:
            false = leads if case["reject"] == ANY else leads & {str(case["reject"])}
            fp[kind] += len(false)
            tn[kind] += not false
            if false:
                wrong.append(f"reported {kind}: {case['title']!r} ({', '.join(sorted(false))})")
    negatives = sum(1 for c in cases if not c["expect"])
    total_tp, total_fn, total_fp = sum(tp.values()), sum(fn.values()), sum(fp.values())
    # every lead raised on a negative case counts against precision
    print(
        f"{len(cases)} labelled listings ({negatives} negatives, {negatives / len(cases):.0%}), threshold {MIN_SCORE}"
    )
    print(f"overall: precision {total_tp / max(1, total_tp + total_fp):.3f}  "
          f"recall {total_tp / max(1, total_tp + total_fn):.3f}  (tp {total_tp}, fp {total_fp}, fn {total_fn})")  # fmt: skip
    print(f"  {'kind':<18} {'cases':>5} {'precision':>9} {'recall':>7} {'false leads':>11}")
    for kind in sorted(n_cases, key=lambda k: (bool(tp[k] + fn[k]) is False, k)):
        positive = tp[kind] + fn[kind]
        precision = f"{tp[kind] / (tp[kind] + fp[kind]):.3f}" if positive and tp[kind] + fp[kind] else "—"
        recall = f"{tp[kind] / positive:.3f}" if positive else "—"
        left_alone = f"  ({tn[kind]}/{n_cases[kind]} left alone)" if not positive else ""
        print(f"  {kind:<18} {n_cases[kind]:>5} {precision:>9} {recall:>7} {fp[kind]:>11}{left_alone}")
    for line in wrong[: args.show]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
