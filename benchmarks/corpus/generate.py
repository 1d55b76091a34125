"""The match-quality corpus: labelled listings generated, with a fixed seed, for the marks of one part (dev or test).

Marks come from benchmarks/corpus/marks_<part>.yaml (tools/build_corpus.py: real marks, split by mark), titles from
templates and from real titles (benchmarks/corpus/real_titles.tsv) with a mark put in. The wording pools that the
matchers' own word lists could have been tuned on (new slang, accessory, repair and resale phrases, shop marketing
phrases) are split by position between the parts too, so test wording is as unseen as test marks.

Each case: kind, label (counterfeit | plain | resale | negative), title, price, seller, expect (the entry that must be
a lead) and reject (the entry, or `*` for any, that must not be).
"""

from __future__ import annotations

import csv
import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc
import yaml
from pypinyin import lazy_pinyin
from pypinyin.phrases_dict import phrases_dict

HERE = Path(__file__).resolve().parent
SEED = 20261130
DISGUISES_PER_MARK = 6
Case = dict[str, Any]

# ---- goods, by Nice class: (Chinese goods words, English goods words) -----------------------------------------
GOODS: dict[int, tuple[list[str], list[str]]] = {
    3: (
        ["口红", "香水", "面霜", "精华液", "洗发水", "沐浴露", "身体乳", "洗衣液", "爽肤水", "护手霜", "卸妆油"],
        ["lipstick", "perfume", "face cream", "shampoo", "body lotion"],
    ),
    4: (["机油", "全合成机油", "润滑油"], ["engine oil", "motor oil"]),
    5: (["卫生巾", "护垫", "夜用卫生巾"], ["sanitary pads"]),
    9: (
        [
            "手机",
            "蓝牙耳机",
            "头戴式耳机",
            "音箱",
            "微单相机",
            "镜头",
            "U盘",
            "内存卡",
            "固态硬盘",
            "显卡",
            "机械键盘",
            "鼠标",
            "路由器",
            "平板电脑",
            "笔记本电脑",
            "监控摄像头",
            "无人机",
            "游戏手柄",
        ],
        ["headphones", "earbuds", "speaker", "camera", "lens", "ssd", "keyboard", "mouse", "router", "laptop"],
    ),
    11: (["微波炉", "空调", "电饭煲", "空气炸锅"], ["microwave", "air fryer"]),
    12: (
        ["轮毂", "脚垫", "座套", "刹车片", "机油滤芯", "雨刮器", "尾灯总成", "前大灯", "方向盘"],
        ["wheel rims", "floor mats", "brake pads", "headlight"],
    ),
    14: (["手表", "腕表", "机械表", "项链", "手链", "戒指", "耳环"], ["watch", "necklace", "bracelet", "ring"]),
    16: (["打印纸", "笔记本", "签字笔"], ["notebook", "pen"]),
    18: (
        ["手提包", "单肩包", "钱包", "双肩包", "斜挎包", "行李箱", "托特包"],
        ["handbag", "wallet", "backpack", "tote"],
    ),
    20: (["沙发", "餐椅", "书架", "床头柜"], ["sofa", "chair"]),
    21: (["奶瓶", "保温杯", "水杯"], ["baby bottle", "tumbler"]),
    25: (
        [
            "运动鞋",
            "跑步鞋",
            "篮球鞋",
            "板鞋",
            "帆布鞋",
            "卫衣",
            "T恤",
            "牛仔裤",
            "外套",
            "羽绒服",
            "棒球帽",
            "老爹鞋",
            "休闲裤",
            "冲锋衣",
        ],
        ["sneakers", "trainers", "hoodie", "t-shirt", "jeans", "jacket", "cap"],
    ),
    28: (["玩具", "积木", "羽毛球拍", "足球", "乒乓球拍", "游戏机"], ["toy", "badminton racket", "football"]),
    29: (["食用油", "花生油", "调和油", "纯牛奶", "酸奶"], ["cooking oil", "milk", "yogurt"]),
    30: (
        ["方便面", "咖啡豆", "速溶咖啡", "巧克力", "饼干", "冰淇淋", "挂耳咖啡"],
        ["instant noodles", "coffee beans", "chocolate", "biscuits"],
    ),
    32: (["啤酒", "果汁", "饮料", "精酿啤酒"], ["beer", "juice"]),
    33: (["白酒", "威士忌", "香槟", "红酒", "酱香型白酒"], ["whisky", "champagne", "wine"]),
}
# what accessories, spare parts and repairs are sold *for* goods of a class
ACCESSORIES: dict[int, list[str]] = {
    9: ["手机壳", "钢化膜", "充电器", "数据线", "耳机套", "保护套", "电池", "屏幕总成", "镜头盖", "遥控器"],
    12: ["车标贴", "钥匙套", "脚垫", "雨刮片", "机油滤芯", "挡泥板", "改装件", "车衣"],
    14: ["表带", "表扣", "表盒", "表蒙", "表冠"],
    11: ["滤网", "遥控器", "配件"],
    18: ["内胆包", "包带", "防尘袋", "包撑"],
    25: ["鞋带", "鞋垫", "鞋撑", "鞋盒"],
    28: ["手柄套", "收纳包", "摇杆帽"],
    3: ["分装瓶", "替换芯", "化妆包"],
}
ACCESSORIES_EN = ["case", "screen protector", "charger", "replacement strap", "dust bag", "replacement battery",
                  "spare part", "repair kit", "filter"]  # fmt: skip
FILLER = ["2024新款", "包邮", "现货", "秒发", "男女同款", "清仓", "限时特价", "新品", "热卖", "顺丰", "爆款", "正品",
          "当天发货", "大码", "百搭", "潮流", "官方", "厂家直销", "ins风", "简约"]  # fmt: skip
FILLER_EN = ["new", "hot sale", "free shipping", "2024", "fashion", "for men", "for women", "high quality"]
# slang in the bundled lexicon (the public list in shared/realdata) and slang that is not
KNOWN_CUES = ["高仿", "精仿", "A货", "原单", "尾单", "复刻", "1:1", "莆田", "纯原", "公司级", "过验", "replica", "AAA",
              "reps", "同厂", "真标"]  # fmt: skip
NEW_CUES = ["一比一", "原厂品质", "顶级复刻", "高版本", "区别正品", "正品级", "超A", "纯原版", "顶级版", "原版开模",
            "专柜品质", "原单品质", "出口尾货", "过验版", "货号同步", "原装代工", "top quality copy", "mirror quality",
            "1to1", "super copy", "knockoff", "fake", "clone", "perfect copy", "high copy", "AAA+", "原厂代工",
            "莆田货", "高货", "顶级原单"]  # fmt: skip
EVASION = ["同款", "平替", "风格", "款式", "同版", "类似", "style", "inspired", "dupe", "type"]
SECOND_HAND = ["闲置", "自用", "个人闲置", "二手", "九成新", "95新", "转卖", "出闲置", "搬家出 自用", "用过几次",
               "仅拆封", "全新未拆封 闲置", "二手 成色好", "中古", "used", "pre-owned", "second hand", "like new",
               "gently used", "二手轉讓", "自用閒置", "99新 无磕碰", "成色新", "回血出", "低价出 自用"]  # fmt: skip
MARKETING = ["明星同款", "专柜验货", "官方正品", "品牌直营", "专柜同款", "官方授权", "正品保证", "假一赔十", "网红同款",
             "旗舰店正品", "支持验货", "国行正品", "品牌授权", "专柜正品 可验"]  # fmt: skip
NOMINATIVE = ["适用于{z}", "适用{z}", "兼容{z}", "{z}专用", "适配{z}", "{z}通用", "for {z}", "用于{z}",
              "{z}配件", "{z}维修", "{z}换屏 维修", "{z}副厂", "{z}副廠", "{z}專用", "適用{z}", "{z}原厂配件替换",
              "{z}替换件", "{z}周边"]  # fmt: skip
NOMINATIVE_EN = ["for {l}", "compatible with {l}", "replacement for {l}", "fits {l}", "{l} compatible",
                 "{l} repair", "{l} spare part", "works with {l}"]  # fmt: skip
SEPARATORS = ["_", "·", "/", "✿", " ", ".", "-", "丨", "・", "ー", "—", "|", "♥", "☆", "＊", "丶", "丿", "〡", "~"]
CJK_SEPARATORS = ["·", "❤", " ", "-", "丨", "丿", "/", "★", "＊", "~", "、", "〡", "_"]
CYRILLIC = str.maketrans("AEOCPHKMTXIBaeocpxy", "АЕОСРНКМТХІВаеосрху")
SMALL_CAPS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWYZ", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢ", strict=True))
LEET_END = {"E": "3", "S": "$", "A": "4", "O": "0", "I": "1", "T": "7"}
PEOPLE = ["小王的闲置", "爱生活的猫", "李姐", "阿杰", "不二家的兔子", "旧物新生", "tb8812", "momo"]
SHOPS = ["潮品小店", "数码专营店", "好物集合店", "品质生活馆", "优选百货", "xx精品店"]
# real titles of the goods a class covers, by words they carry (real_titles.tsv)
REAL_GOODS = {25: ("sneaker", "shoes", "羽绒服", "外套", "靴", "夹克", "裤"), 9: ("iphone", "手机"),
              12: ("汽车", "车用", "车载", "方向盘"), 30: ("芝麻", "早餐"), 28: ("乒乓", "球拍"), 3: ("面膜", "洗发水")}  # fmt: skip


def _split(pool: list[str], part: str) -> list[str]:
    """Half of a wording pool for each part, so test wording is unseen while developing."""
    return pool[0::2] if part == "dev" else pool[1::2]


def load_marks(part: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((HERE / f"marks_{part}.yaml").read_text(encoding="utf-8"))
    return list(data["trademarks"])


@lru_cache(maxsize=1)
def real_titles() -> list[dict[str, str]]:
    with (HERE / "real_titles.tsv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))


@lru_cache(maxsize=1)
def _homophones() -> dict[str, list[str]]:
    """Toneless syllable → common characters (GB2312 level 1) that read so."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, list[str]] = {}
    for code, readings in sorted(pinyin_dict.items()):
        char = chr(code)
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7:
            plain = unicodedata.normalize("NFKD", readings.split(",")[0])
            syllable = "".join(c for c in plain if not unicodedata.combining(c))
            out.setdefault(syllable, []).append(char)
    return out


_TO_TRADITIONAL = opencc.OpenCC("s2t")


def _has_han(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _latin_of(tm: dict[str, Any]) -> str:
    return next(
        (f for f in [tm["mark"], *tm.get("variants", [])] if not _has_han(f) and len(re.sub(r"\W", "", f)) >= 2), ""
    )


def _han_of(tm: dict[str, Any]) -> str:
    """The shortest Chinese form: the one sellers write (杰瑞布鲁克海默, not the company's full name)."""
    forms = [f for f in [tm["mark"], *tm.get("variants", [])] if _has_han(f) and not re.search(r"[A-Za-z]", f)]
    return min(forms, key=len) if forms else ""


def _goods(classes: list[int], rng: random.Random, english: bool = False) -> str:
    own = [c for c in classes if c in GOODS]
    if not own:
        return ""
    words = GOODS[rng.choice(own)][1 if english else 0]
    return rng.choice(words)


# goods close enough that a mark there still confuses buyers; anything outside a mark's families is unrelated
FAMILIES = [{9, 28, 14, 16}, {14, 18, 25, 28}, {3, 5, 21}, {29, 30, 32, 33}, {11, 12, 4}, {20, 21, 11}]


def _unrelated_goods(classes: list[int], rng: random.Random) -> str:
    near = set(classes).union(*(f for f in FAMILIES if f & set(classes)))
    return rng.choice(GOODS[rng.choice(sorted(c for c in GOODS if c not in near))][0])


def _price(tm: dict[str, Any], rng: random.Random, low: float, high: float) -> float:
    floor = float(tm.get("msrp", {}).get("min", 0) or 0)
    return round(floor * rng.uniform(low, high), 1) if floor else float(rng.choice([59, 99, 199]))


def _case(kind: str, label: str, title: str, tm: dict[str, Any] | None, price: float | None = None,
          seller: str = "", **extra: Any) -> Case:  # fmt: skip
    entry = tm["id"] if tm else ""
    positive = label in ("counterfeit", "plain")
    return {"kind": kind, "label": label, "title": title, "price": price, "seller": seller,
            "expect": entry if positive else "", "reject": "" if positive else (entry or "*"), **extra}  # fmt: skip


# ---- disguises ------------------------------------------------------------------------------------------------


def latin_disguises(latin: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, disguised form) for a Latin mark."""
    up = re.sub(r"[^A-Za-z0-9&]", "", latin).upper()
    letters = re.sub(r"[^A-Z]", "", up)
    if len(letters) < 3:
        return []
    k = rng.randrange(1, len(up) - 1)
    out = [
        ("separator", rng.choice(SEPARATORS).join(up)),
        ("ideographic_separator", rng.choice(["丨", "丿", "〡", "乀"]).join(up)),
        ("homoglyph", up.translate(CYRILLIC)),
        ("small_caps", "".join(SMALL_CAPS.get(c, c) for c in up)),
        ("squared", "".join(chr(0x1F170 + ord(c) - 65) if c.isalpha() else c for c in up)),
        ("enclosed", "".join(chr(0x1F150 + ord(c) - 65) if c.isalpha() else c for c in up)),
        ("fullwidth", "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in up)),
        ("zero_width", f"{up[:k]}\u200b{up[k:]}"),
        ("glued_model", f"{up}{rng.choice(['ABC123', 'X200', 'Pro3', 'K9', 'GT7', 'S22', 'M1', 'V8'])}"),
    ]
    if len(letters) >= 4:  # one-letter slips of shorter marks are other words (BWM, LGG) as often as disguises
        out.append(("typo_swap", f"{up[:k]}{up[k + 1]}{up[k]}{up[k + 2 :]}" if k + 1 < len(up) else up + up[-1]))
        out.append(("typo_double", f"{up[:k]}{up[k]}{up[k:]}"))
    if up[-1] in LEET_END:
        out.append(("digit_end", up[:-1] + LEET_END[up[-1]]))
    return out


def han_disguises(han: str, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, disguised form) for a Chinese mark."""
    out = [("cjk_separator", rng.choice(CJK_SEPARATORS).join(han)),
           ("ideographic_separator", rng.choice(["丨", "丿", "〡"]).join(han))]  # fmt: skip
    trad = _TO_TRADITIONAL.convert(han)
    if trad != han:
        out.append(("traditional", trad))
    syllables = [lazy_pinyin(c)[0] for c in han]
    if len(han) >= 2:
        k = rng.randrange(1, len(han))
        out.append(("mixed_pinyin", han[:k] + syllables[k] + han[k + 1 :]))
        same = [c for c in _homophones().get(syllables[k], []) if c != han[k]]
        if same:
            out.append(("homophone", han[:k] + rng.choice(same) + han[k + 1 :]))
    if len(han) >= 3:
        out.append(("mixed_initials", han[:2] + "".join(s[0] for s in syllables[2:])))
        k = rng.randrange(1, len(han))
        other = rng.choice("辉星达诺宝丰帝斯凯尔")
        if other != han[k]:
            out.append(("near_mark", han[:k] + other + han[k + 1 :]))
    spelled = "".join(syllables)
    if len(spelled) >= 5:
        out.append(("pinyin", spelled))
    return out


# ---- cases per mark -------------------------------------------------------------------------------------------


def mark_cases(tm: dict[str, Any], part: str, rng: random.Random) -> list[Case]:
    latin, han, classes = _latin_of(tm), _han_of(tm), list(tm.get("classes", []))
    cases: list[Case] = []
    if classes and classes[0] in GOODS and (han or latin):  # a mark whose trade is goods, not services
        cases += _positives(tm, latin, han, part, rng)
        cases += _legitimate(tm, latin, han, part, rng)
    cases += _other_words(tm, latin, han, rng)
    return cases


def _positives(tm: dict[str, Any], latin: str, han: str, part: str, rng: random.Random) -> list[Case]:
    classes = tm["classes"]
    cases: list[Case] = []
    shop = rng.choice(SHOPS)
    forms = [f for f in (han, latin) if f]
    for form in forms:
        goods = _goods(classes, rng, english=not _has_han(form) and rng.random() < 0.5)
        cases.append(
            _case("plain", "plain", f"{rng.choice(FILLER)} {form} {goods}", tm, _price(tm, rng, 1.0, 1.4), shop)
        )
    for _ in range(2):
        form = rng.choice(forms)
        goods = _goods(classes, rng, english=not _has_han(form) and rng.random() < 0.5)
        kind = rng.choice(["cue_known", "cue_new", "evasion", "absurd_price"])
        if kind == "cue_known":
            cases.append(_case("cue_known", "counterfeit", f"{form} {goods} {rng.choice(KNOWN_CUES)} {rng.choice(FILLER)}",
                           tm, _price(tm, rng, 0.5, 1.0), shop))  # fmt: skip
        elif kind == "cue_new":
            cases.append(_case("cue_new", "counterfeit", f"{rng.choice(_split(NEW_CUES, part))} {form} {goods}", tm,
                           _price(tm, rng, 0.5, 1.0), shop))  # fmt: skip
        elif kind == "evasion":
            cases.append(_case("evasion", "counterfeit", f"{form}{rng.choice(EVASION)} {goods} {rng.choice(FILLER)}", tm,
                           _price(tm, rng, 0.3, 0.6), shop))  # fmt: skip
        else:
            cases.append(_case("absurd_price", "counterfeit", f"{form} {goods} {rng.choice(FILLER)}", tm,
                           _price(tm, rng, 0.03, 0.15), shop))  # fmt: skip
    disguised = (latin_disguises(latin, rng) if latin else []) + (han_disguises(han, rng) if han else [])
    for kind, form in rng.sample(disguised, min(DISGUISES_PER_MARK, len(disguised))):
        goods = _goods(classes, rng, english=rng.random() < 0.3 and not _has_han(form))
        title = rng.choice([f"{form} {goods} {rng.choice(FILLER)}", f"{rng.choice(FILLER)} {form}{goods}",
                            f"{form} {rng.choice(FILLER)} {goods}"])  # fmt: skip
        cases.append(_case(kind, "counterfeit", title, tm, _price(tm, rng, 0.3, 1.0), shop))
    if latin:
        word = re.sub(r"[^A-Za-z]", "", latin).lower()
        if len(word) >= 4:
            cases.append(_case("glued_goods", "counterfeit", f"{word}{_goods(classes, rng, english=True).replace(' ', '')} "
                               f"{rng.choice(FILLER_EN)}", tm, _price(tm, rng, 0.3, 0.7), shop))  # fmt: skip
    cases += _real_mutations(tm, latin, han, rng)
    return cases


def _real_mutations(tm: dict[str, Any], latin: str, han: str, rng: random.Random) -> list[Case]:
    """A real title of the mark's goods with the mark put in: plainly, and with slang."""
    pool = [r for c in tm["classes"] for r in real_titles() if c in REAL_GOODS and r.get("label") == "unrelated"
            and r["source"] != "xianyu"  # second-hand listings: a mark put in one is a resale
            and any(w in r["title"].lower() for w in REAL_GOODS[c])]  # fmt: skip
    if not pool:
        return []
    out = []
    for label in ("plain", "counterfeit"):
        row = rng.choice(pool)
        form = rng.choice([f for f in (han, latin) if f])
        words = row["title"].split()
        at = rng.randrange(0, min(3, len(words)) + 1)
        if label == "plain":
            title = " ".join([*words[:at], form, *words[at:]])
            out.append(_case("real_plain", label, title, tm, _price(tm, rng, 1.0, 1.3), rng.choice(SHOPS)))
        else:
            title = " ".join([*words[:at], form, rng.choice(KNOWN_CUES + EVASION[:3]), *words[at:]])
            out.append(_case("real_counterfeit", label, title, tm, _price(tm, rng, 0.1, 0.4), rng.choice(SHOPS)))
    return out


def _legitimate(tm: dict[str, Any], latin: str, han: str, part: str, rng: random.Random) -> list[Case]:
    """Listings that name the mark lawfully: resale, accessories and repairs, authorised stores."""
    classes, cases = tm["classes"], []
    name = han or latin
    goods = _goods(classes, rng)
    for _ in range(3):
        words = rng.choice(_split(SECOND_HAND, part))
        form = rng.choice([f for f in (han, latin) if f])
        cases.append(_case("resale", "resale", f"{words} {form} {goods} {rng.choice(['有票', '配件齐全', '功能完好', ''])}",
                           tm, _price(tm, rng, 0.55, 0.9), rng.choice(PEOPLE)))  # fmt: skip
    accessory_classes = [c for c in classes if c in ACCESSORIES]
    if accessory_classes:
        accessories = ACCESSORIES[rng.choice(accessory_classes)]
        for _ in range(3):
            phrase = rng.choice(_split(NOMINATIVE, part)).format(z=name)
            cases.append(_case("accessory", "negative", f"{phrase} {rng.choice(accessories)} {rng.choice(FILLER)}", tm,
                               float(rng.choice([9.9, 19, 29, 59])), rng.choice(SHOPS)))  # fmt: skip
        if latin:
            phrase = rng.choice(_split(NOMINATIVE_EN, part)).format(l=latin)
            cases.append(_case("accessory", "negative", f"{rng.choice(ACCESSORIES_EN)} {phrase}", tm,
                               float(rng.choice([5, 12, 25])), rng.choice(SHOPS)))  # fmt: skip
    if tm.get("authorized_sellers"):
        phrase = rng.choice(_split(MARKETING, part))
        cases.append(_case("authorised", "negative", f"{name} {goods} {phrase} {rng.choice(FILLER)}", tm,
                           _price(tm, rng, 1.0, 1.3), tm["authorized_sellers"][0]))  # fmt: skip
    return cases


def _other_words(tm: dict[str, Any], latin: str, han: str, rng: random.Random) -> list[Case]:
    """Other words that hold the mark: dictionary phrases, place names, service mentions, books about the brand."""
    classes, cases = tm.get("classes", []), []
    if han and len(han) >= 2:
        # other words holding the mark, not the mark with one more character (茅台酒 is the liquor, 耐克鞋 the shoe)
        phrases = sorted(
            p for p in _phrases_with(han) if len(p) > len(han) + 1 or not (p.startswith(han) or p.endswith(han))
        )
        for phrase in rng.sample(phrases, min(2, len(phrases))):
            goods = _goods(classes, rng) or _unrelated_goods(classes, rng)
            cases.append(_case("other_word", "negative", f"{phrase} {goods} {rng.choice(FILLER)}", tm,
                               _price(tm, rng, 0.8, 1.2)))  # fmt: skip
        cases.append(_case("book", "negative", rng.choice([f"《{han}传》品牌故事 图书 正版", f"{han}的管理之道 企业管理 书籍",
                                                           f"解密{han} 商业案例 平装书"]), tm, float(rng.choice([19.9, 35, 49]))))  # fmt: skip
    service = set(classes) & {35, 36, 38, 39, 41, 42, 43}
    if service and (han or latin):
        name = han or latin
        phrase = rng.choice({36: [f"支持{name}付款", f"{name}信用卡 分期"], 39: [f"默认{name}发货", f"{name}包邮", f"发{name}快递"],
                             35: [f"{name}同款 好物", f"{name}热销", f"{name}物流 次日达"],
                             38: [f"{name}卡 可用", f"支持{name}"], 41: [f"{name}热播 同款", f"{name}周边"],
                             42: [f"{name}会员", f"{name}账号"], 43: [f"{name}优惠券", f"{name}外卖 代金券"]}[rng.choice(sorted(service))])  # fmt: skip
        cases.append(_case("service_mention", "negative", f"{_unrelated_goods(classes, rng)} {phrase} {rng.choice(FILLER)}",
                           tm, float(rng.choice([19, 39, 99]))))  # fmt: skip
    if latin and latin.isalpha() and latin.lower() in english_words():
        goods = rng.choice(GOODS[rng.choice(sorted(GOODS))][1])
        cases.append(
            _case("english_word", "negative", f"{latin.lower()} print {goods}", tm, float(rng.choice([9, 19])))
        )
    return cases


@lru_cache(maxsize=1)
def _phrase_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for phrase in phrases_dict:
        for size in (2, 3, 4):
            for i in range(len(phrase) - size + 1):
                index.setdefault(phrase[i : i + size], []).append(phrase)
    return index


def _phrases_with(han: str) -> list[str]:
    """pypinyin's phrase dictionary words holding the mark (another dictionary than the matcher's segmenter)."""
    return [p for p in _phrase_index().get(han, []) if len(p) <= 6]


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    path = HERE.parent / "data" / "english_words.txt"
    words = {w for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")
             for w in line.split()}  # fmt: skip
    return frozenset(words | {"shell", "dove", "lux", "python", "java", "mercury", "seat", "smart", "brother", "metro",
                              "steam", "sprint", "sharp", "best", "peak", "car", "only", "tide", "galaxy", "lotus",
                              "jaguar", "amazon", "proton", "camel", "monster", "victor", "breeze", "line", "seven",
                              "oracle", "rover", "subway", "columbia", "mexican", "safeguard", "rejoice", "thunder",
                              "cherry", "corsair", "legendary", "summit", "colorful", "pigeon", "sigma", "delta"})  # fmt: skip


def real_unrelated(rng: random.Random) -> list[Case]:
    """Real titles of other goods (labelled unrelated in real_titles.tsv): no lead at all."""
    rows = [r for r in real_titles() if r.get("label") == "unrelated"]
    return [_case("real_unrelated", "negative", r["title"], None, float(r["price"]) if r["price"] else None)
            for r in rng.sample(rows, min(60, len(rows)))]  # fmt: skip


def generate(part: str, seed: int = SEED) -> list[Case]:
    """Every labelled case of one part, the same for the same seed."""
    rng = random.Random(f"{seed}:{part}")
    cases: list[Case] = []
    for tm in load_marks(part):
        cases += mark_cases(tm, part, rng)
    cases += real_unrelated(rng)
    for n, case in enumerate(cases):
        case["id"] = f"{part}-{n}"
    return cases
