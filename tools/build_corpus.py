"""Build the match-quality corpus's sources from ../shared/realdata: the marks (split by mark) and the real titles.

Writes, under benchmarks/corpus/:
- `marks_dev.yaml`, `marks_test.yaml` — watchlists of real marks: every row of the Brand7 brand list with a Chinese
  and a Latin (or only one) name, the three Chinese trademark records and the two USPTO records. Nice classes, a
  lowest genuine price and an authorised store are assigned here from the brand's category and description (the
  sources give none). A mark the project was tuned on (a form in watchlists/samples/trademarks.yaml) is always
  development; the others go to one part or the other by a CRC-32 of the mark, so no test mark is ever seen while
  developing.
- `real_titles.tsv` — every listing title in the real pages and API responses, with its price; the label columns
  (`expect`, `label`, `note`) are filled in by hand and kept when the file is rebuilt.
Usage: `python tools/build_corpus.py [--realdata ../shared/realdata]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import zlib
from pathlib import Path
from typing import Any

import yaml
from pypinyin import lazy_pinyin

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "corpus"
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Brand7 category → Nice classes, refined by words of the brand's description (`Tip`) below
CATEGORY_CLASSES = {"Fashion": [25, 18], "Tech": [9], "Car": [12], "Cater": [30, 43], "Lifestyle": [3],
                    "AV": [41, 9], "Walking": [39]}  # fmt: skip
# (words in the description or name, classes): the first rule that matches wins
TIP_RULES: list[tuple[tuple[str, ...], list[int]]] = [
    (("银行", "信用卡", "支付", "金融", "运通"), [36]),
    (("快递", "速运", "速递", "物流", "航空", "快运", "租车", "单车", "火车票"), [39]),
    (("酒店", "旅馆", "旅游"), [43, 39]),
    (("电视台", "电视网", "影业", "电影", "影片", "视频", "动画", "剧", "弹幕", "广播", "视效"), [41, 9]),
    (("运营商", "电话", "电信"), [38, 9]),
    (("超市", "零售", "电商", "量贩", "购物", "外卖", "订餐", "团购", "房产", "商店", "连锁店"), [35]),
    (("软件", "网站", "搜索", "社交", "百科", "平台", "播客"), [9, 42]),
    (("游戏", "玩具", "主机"), [9, 28]),
    (("手表", "腕表", "制表", "饰品"), [14, 18]),
    (("奢侈", "皮革", "高级定制"), [18, 25, 14]),
    (("跑鞋", "运动", "足球", "羽网", "鞋"), [25, 28]),
    (("服装", "时装", "时尚", "设计师", "成衣"), [25, 18]),
    (("汽车", "跑车", "轿车", "豪车", "摩托车", "车", "改装"), [12]),
    (("耳机", "音响", "扬声器", "声乐"), [9]),
    (("相机", "镜头", "打印", "复印", "缝纫机"), [9, 16]),
    (("微波炉", "空调", "电器"), [11, 9]),
    (("家具", "家居"), [20, 21]),
    (("洗衣", "洗涤", "清洁", "洗发", "护肤", "化妆", "美容", "日用"), [3]),
    (("卫生巾", "母婴"), [5, 10, 21]),
    (("啤酒",), [32]),
    (("香槟", "威士忌", "名酒", "酒"), [33]),
    (("咖啡",), [30, 43]),
    (("果汁", "饮料"), [32]),
    (("冰淇淋", "冰激凌"), [30]),
    (("粮油",), [29, 30]),
    (("方便面", "食品", "奶香"), [30, 29]),
    (("快餐", "披萨", "餐", "拉面", "汉堡", "三明治", "甜甜圈", "牛肉饭", "海鲜"), [43, 30]),
    (("石油",), [4]),
    (
        (
            "半导体",
            "芯片",
            "处理器",
            "电路",
            "内存",
            "硬盘",
            "显卡",
            "主板",
            "键盘",
            "存储",
            "电子",
            "路由器",
            "无人机",
            "可穿戴",
            "手机",
            "IC",
            "显示器",
            "安防",
            "信息技术",
            "电脑",
            "笔记本",
        ),
        [9],
    ),
]
# lowest genuine price (CNY) by first class; luxury descriptions multiply it
MSRP = {3: 150, 4: 80, 5: 40, 9: 899, 11: 1299, 12: 399, 14: 1500, 16: 60, 18: 1200, 20: 999, 25: 299, 28: 199,
        29: 60, 30: 30, 32: 30, 33: 299}  # fmt: skip
LUXURY = ("奢侈", "豪华", "顶级", "超豪华", "高端", "一线", "超跑", "跑车")
GOODS_CLASSES = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 21, 24, 25, 28, 29, 30, 31, 32, 33, 34}


# spelling slips in the Brand7 list (as tools/seed_brands.py fixes them)
FIXES = {"toyata": "TOYOTA", "nicon": "Nikon", "nvida": "NVIDIA", "mcdonalds": "McDonald's"}


def key_of(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def classes_for(category: str, tip: str, name: str) -> list[int]:
    text = f"{name} {tip}"
    for words, classes in TIP_RULES:
        if any(w in text for w in words):
            return classes
    return CATEGORY_CLASSES.get(category, [35])


def sample_forms() -> set[str]:
    data = yaml.safe_load((ROOT / "watchlists/samples/trademarks.yaml").read_text(encoding="utf-8"))
    forms: set[str] = set()
    for tm in data["trademarks"]:
        for form in (tm["mark"], *tm.get("variants", [])):
            forms.add(key_of(form) if not _HAN.search(form) else form)
    return forms


def _entry(key: str, latin: str, han: list[str], owner: str, classes: list[int], tip: str, source: str,
           registration: str = "") -> dict[str, Any]:  # fmt: skip
    mark = latin or han[0]
    variants = [h for h in han if h != mark]
    entry: dict[str, Any] = {"id": f"c-{key}", "mark": mark}
    if variants:
        entry["variants"] = variants
    entry["owner"] = owner
    if registration:
        entry["registration"] = registration
    entry["classes"] = classes
    goods = [c for c in classes if c in MSRP]
    if goods:
        price = MSRP[goods[0]] * (10 if any(w in tip for w in LUXURY) else 1)
        entry["msrp"] = {"min": price, "currency": "CNY"}
        entry["authorized_sellers"] = [f"{han[0] if han else latin}官方旗舰店"]
    entry["notes"] = source
    return entry


def brand7_marks(realdata: Path) -> list[dict[str, Any]]:
    out = []
    path = realdata / "CodecWang_Brand7UWP" / "Brand7.utf8.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, key_name, plus = row["Name"].strip(), row["KeyName"].strip(), row["PlusName"].strip()
            # KeyName is a short form of Name in most rows (中国南方航空 → 南航) but misaligned in a few (IBM → 渣打银行)
            names = [name, plus] + ([key_name] if set(key_name) & set(name + plus) or key_of(key_name) == key_of(name)
                                    else [])  # fmt: skip
            names = [n for n in dict.fromkeys(names) if n and n != "-"]
            latin = next((n for n in names if _LATIN.search(n) and not _HAN.search(n)), "")
            han = [n for n in names if _HAN.search(n) and not _LATIN.search(n)]
            latin = FIXES.get(key_of(latin), latin)
            key = key_of(latin) or (key_of("".join(lazy_pinyin(han[0]))) if han else "")
            if not key or (latin and len(key_of(latin)) < 2 and not han):
                continue
            tip = row["Tip"]
            out.append(_entry(key, latin, han, f"{latin or han[0]} (brand owner, {row['Country']})",
                              classes_for(row["Category"], tip, name), tip,
                              f"Brand7 #{row['ID']} ({row['Category']}): {tip}"))  # fmt: skip
    return out


def record_marks(realdata: Path) -> list[dict[str, Any]]:
    """The Chinese trademark records (BenDaye mock data, real registration numbers) and the USPTO records."""
    out = []
    text = (realdata / "BenDaye_Nuxt-Vuetify-Koa" / "mock-shangbiaoxinxi_trademarks.js").read_text(encoding="utf-8")
    for block in re.findall(r"\{(.*?)\}", text, re.S):
        fields = dict(re.findall(r'(\w+):\s*"?([^",\n]*)"?', block))
        names = fields["Name"].split()
        key = "r" + fields["RegNo"]
        out.append(_entry(key, "", names, fields["ApplicantCn"], [int(fields["IntCls"])], "",
                          f"CNIPA record {fields['RegNo']} (BenDaye/Nuxt-Vuetify-Koa mock data)", fields["RegNo"]))  # fmt: skip
    for path in sorted((realdata / "codingatty_Plumage-py").glob("*.xml")):
        xml = path.read_text(encoding="utf-8")
        mark = re.search(r"<MarkVerbalElementText>([^<]+)", xml)
        reg = re.search(r"<RegistrationNumber>(\d+)", xml)
        owners = re.findall(r"(?:EntityName|OrganizationStandardName)>([^<]+)", xml)
        classes = sorted({int(c) for c in re.findall(r"<ClassNumber>0*(\d+)</ClassNumber>", xml) if 0 < int(c) <= 45})
        if mark and reg:
            out.append(_entry(key_of(mark.group(1)), mark.group(1).strip(), [], next((o for o in reversed(owners) if not o.rstrip().endswith("LLP")), ""),
                              classes or [9], "", f"USPTO registration {reg.group(1)} (codingatty/Plumage-py)",
                              reg.group(1)))  # fmt: skip
    return out


def split(marks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(development, test): tuned-on marks are development; the rest split by a CRC-32 of the mark."""
    seen_forms = sample_forms()
    dev: list[dict[str, Any]] = []
    test: list[dict[str, Any]] = []
    ids: set[str] = set()
    for entry in marks:
        if entry["id"] in ids:
            continue
        ids.add(entry["id"])
        forms = [entry["mark"], *entry.get("variants", [])]
        tuned = any((key_of(f) if not _HAN.search(f) else f) in seen_forms for f in forms)
        (dev if tuned or zlib.crc32(entry["mark"].encode()) % 2 == 0 else test).append(entry)
    return dev, test


# ---- real titles ---------------------------------------------------------------------------------------------

_TITLE_KEYS = ("raw_title", "displayTitle", "goods_name", "title")
_PRICE_KEYS = ("view_price", "soldPrice", "price", "salePrice", "min_group_price", "minPrice", "value")


def _strip_wrapper(text: str) -> Any:
    start = min(i for i in (text.find("{"), text.find("[")) if i >= 0)
    body = text[start:].rstrip().rstrip(";").rstrip()
    if body.endswith(")"):
        body = body[:-1]
    return json.loads(body)


def _walk(node: Any, found: list[tuple[str, str]]) -> None:
    if isinstance(node, dict):
        title = next((node[k] for k in _TITLE_KEYS if isinstance(node.get(k), str)), None)
        if isinstance(node.get("title"), dict):
            title = node["title"].get("displayTitle")
        if title:
            found.append((title, _price(node)))
        for value in node.values():
            _walk(value, found)
    elif isinstance(node, list):
        for value in node:
            _walk(value, found)


def _price(node: dict[str, Any]) -> str:
    for key in _PRICE_KEYS:
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("value") or value.get("minPrice") or value.get("formattedPrice")
        if isinstance(value, (int, float, str)) and re.match(r"^\$?\d+(\.\d+)?$", str(value).strip()):
            return str(value).strip().lstrip("$")
        if isinstance(value, dict | list):
            continue
    prices = node.get("prices")
    if isinstance(prices, dict):
        sale = prices.get("salePrice") or {}
        if isinstance(sale, dict) and sale.get("minPrice") is not None:
            return str(sale["minPrice"])
    return ""


SOURCES = [  # (file under realdata, source label, currency)
    ("tangdu_taocraw/taobao_search_mainsrp_a.js", "taobao", "CNY"),
    ("goxp49_My_Scrapy/taobao_g_page_config_xxx.js", "taobao", "CNY"),
    ("z-m-x_xianyupp/data1.js", "xianyu", "CNY"),
    ("mini-wechat-program_fruit-mini-program/pdd_goods_mock.js", "pdd", "CNY"),
    ("dazn311_aliexpressExt/searchSneakers.js", "aliexpress", "USD"),
    ("dazn311_aliexpressExt/aliexpress.json", "aliexpress", "USD"),
    ("gaurav-arun_ebay-alerts/ebay_browse_search_iphone_best_match_100.json", "ebay", "USD"),
]


def real_titles(realdata: Path) -> list[tuple[str, str, str, str]]:
    """(source, title, price, currency) of every listing in the real pages, each title once."""
    rows: list[tuple[str, str, str, str]] = []
    for name, label, currency in SOURCES:
        text = (realdata / name).read_text(encoding="utf-8", errors="replace")
        if name.endswith("taobao_g_page_config_xxx.js"):
            text = text[text.index("=") + 1 :]
        found: list[tuple[str, str]] = []
        try:
            _walk(_strip_wrapper(text), found)
        except (ValueError, json.JSONDecodeError):
            found = re.findall(r"""['"]goods_name['"]:\s*['"]([^'"]+)['"](?:.|\n)*?['"]price['"]:\s*(\d+)""", text)
        for title, price in found:
            if label == "pdd" and price:
                price = f"{int(price) / 100:g}" if price.isdigit() else price
            rows.append((label, title, price, currency))
    jd = (realdata / "NervJS_taro-benchmark/jd_recommend_feed_models_index.js").read_text(encoding="utf-8")
    for title, price in re.findall(r'title:\s*"([^"]+)",\s*price:\s*([\d.]+)', jd):
        rows.append(("jd", title, price, "CNY"))
    html = (realdata / "LKG_lore/jd_search_page_doc_list3.html").read_text(encoding="utf-8", errors="replace")
    for em in re.findall(r'<div class="p-name[^"]*">\s*<a[^>]*>\s*<em>(.*?)</em>', html, re.S):
        rows.append(("jd", re.sub(r"<[^>]+>", "", em).strip(), "", "CNY"))
    out, seen = [], set()
    for label, title, price, currency in rows:
        title = " ".join(title.replace("\\n", " ").split())[:200]
        if label in ("taobao", "xianyu") and not price:
            continue  # shop badges and repeated text blocks of the page, not listings
        if title and title not in seen and len(title) > 6 and not title.startswith("From $"):
            seen.add(title)
            out.append((label, title, price, currency))
    return out


def write_real_titles(rows: list[tuple[str, str, str, str]], path: Path) -> None:
    """Write the titles, keeping the hand-written label columns of titles already in the file."""
    labels: dict[str, list[str]] = {}
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
                labels[row["title"]] = [row.get("expect", ""), row.get("label", ""), row.get("note", "")]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Real listing titles from ../shared/realdata (see its README); labels by NetSword: expect = entry ids of\n"
                 "# benchmarks/corpus/marks_*.yaml that must be leads, label = counterfeit | plain | resale | nominative |\n"
                 "# unrelated | other_brand (what the title is), note = why.\n")  # fmt: skip
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["source", "title", "price", "currency", "expect", "label", "note"])
        for label, title, price, currency in rows:
            writer.writerow([label, title, price, currency, *labels.get(title, ["", "", ""])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", default=str(ROOT.parent / "shared" / "realdata"))
    args = parser.parse_args(argv)
    realdata = Path(args.realdata)
    dev, test = split(brand7_marks(realdata) + record_marks(realdata))
    OUT.mkdir(parents=True, exist_ok=True)
    yaml.SafeDumper.ignore_aliases = lambda *a: True  # type: ignore[method-assign]
    for part, marks in (("dev", dev), ("test", test)):
        header = (f"# The {part} part of the match-quality corpus: real marks (Brand7, CNIPA and USPTO records in "
                  "../shared/realdata), written by tools/build_corpus.py.\n# Classes, prices and stores are assigned "
                  "by NetSword from each brand's category and description; owners are as the sources name them.\n")  # fmt: skip
        body = yaml.safe_dump({"version": 1, "trademarks": marks}, allow_unicode=True, sort_keys=False, width=120)
        (OUT / f"marks_{part}.yaml").write_text(header + body, encoding="utf-8")
    write_real_titles(real_titles(realdata), OUT / "real_titles.tsv")
    print(f"{len(dev)} development marks, {len(test)} test marks; real titles in {OUT / 'real_titles.tsv'}",
          file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
