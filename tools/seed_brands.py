"""Regenerate watchlists/samples/trademarks.yaml from the Brand7 brand list (a one-off seeding tool).

Usage: python tools/seed_brands.py ../shared/realdata/CodecWang_Brand7UWP/Brand7.utf8.csv > watchlists/samples/trademarks.yaml
Nice classes come from the brand's category, with overrides for marks the demo relies on.
"""

from __future__ import annotations

import csv
import re
import sys

import yaml

CATEGORY_CLASSES = {
    "Fashion": [25, 18],
    "Tech": [9],
    "Car": [12],
    "Cater": [43, 30],
    "Lifestyle": [3],
    "AV": [9, 41],
    "Walking": [39],
}
# latin key -> (classes, msrp CNY, authorised sellers); demo goods depend on these
OVERRIDES: dict[str, tuple[list[int], int | None, list[str]]] = {
    "nike": ([25, 18, 28], 499, ["耐克官方旗舰店", "Nike Store"]),
    "adidas": ([25, 18, 28], 399, ["adidas官方旗舰店"]),
    "puma": ([25, 18, 28], 299, ["PUMA彪马官方旗舰店"]),
    "lining": ([25, 18, 28], 199, ["李宁官方旗舰店"]),
    "apple": ([9], 3999, ["Apple Store 官方旗舰店", "苹果官方旗舰店"]),
    "huawei": ([9], 1999, ["华为官方旗舰店"]),
    "samsung": ([9], 1999, ["三星官方旗舰店"]),
    "sony": ([9], 999, ["索尼官方旗舰店"]),
    "canon": ([9], 2999, ["佳能官方旗舰店"]),
    "omega": ([14], 30000, ["欧米茄官方旗舰店"]),
    "rolex": ([14], 50000, ["劳力士官方旗舰店"]),
    "cartier": ([14, 18], 20000, ["卡地亚官方旗舰店"]),
    "chanel": ([3, 18, 25, 14], 800, ["香奈儿官方旗舰店"]),
    "gucci": ([18, 25, 14], 3000, ["古驰官方旗舰店"]),
    "prada": ([18, 25], 5000, ["普拉达官方旗舰店"]),
    "hermes": ([18, 25, 14], 10000, ["爱马仕官方旗舰店"]),
    "louisvuitton": ([18, 25], 8000, ["路易威登官方旗舰店"]),
    "dior": ([3, 18, 25], 600, ["迪奥官方旗舰店"]),
    "armani": ([3, 25, 14], 500, ["阿玛尼官方旗舰店"]),
    "esteelauder": ([3], 400, ["雅诗兰黛官方旗舰店"]),
    "loreal": ([3], 150, ["欧莱雅官方旗舰店"]),
    "lancome": ([3], 500, ["兰蔻官方旗舰店"]),
    "moutai": ([33], 1499, ["茅台官方旗舰店", "贵州茅台官方旗舰店"]),
    "wuliangye": ([33], 1099, ["五粮液官方旗舰店"]),
    "nintendo": ([9, 28], 1499, ["任天堂官方旗舰店"]),
    "disney": ([28, 25, 41], 99, ["迪士尼官方旗舰店"]),
    "swarovski": ([14, 18], 500, ["施华洛世奇官方旗舰店"]),
    "chinamobile": ([38, 9], None, []),
    "chinaunicom": ([38, 9], None, []),
    "chinatelecom": ([38, 9], None, []),
}
# registrants of the marks the demo relies on (public knowledge); other entries get a placeholder owner
OWNERS = {
    "nike": "Nike Innovate C.V.", "adidas": "adidas AG", "puma": "PUMA SE", "lining": "李宁(中国)体育用品有限公司",
    "apple": "Apple Inc.", "huawei": "华为技术有限公司", "samsung": "Samsung Electronics Co., Ltd.",
    "sony": "Sony Group Corporation", "canon": "Canon Inc.", "nikon": "Nikon Corporation",
    "omega": "Omega SA", "rolex": "Rolex SA", "cartier": "Cartier International AG", "chanel": "CHANEL SARL",
    "gucci": "Guccio Gucci S.p.A.", "prada": "Prada S.A.", "hermes": "Hermès International",
    "louisvuitton": "Louis Vuitton Malletier", "dior": "Christian Dior Couture", "armani": "Giorgio Armani S.p.A.",
    "esteelauder": "Estee Lauder Cosmetics Ltd.", "loreal": "L'Oréal", "lancome": "Lancôme Parfums et Beauté & Cie",
    "moutai": "中国贵州茅台酒厂(集团)有限责任公司", "wuliangye": "宜宾五粮液股份有限公司", "nintendo": "Nintendo Co., Ltd.",
    "disney": "Disney Enterprises, Inc.", "swarovski": "Swarovski AG",
}
EXTRA_VARIANTS = {
    "louisvuitton": ["Louis Vuitton", "LV"],
    "esteelauder": ["Estée Lauder"],
    "hermes": ["HERMÈS"],
    "lining": ["Li-Ning"],
    "moutai": ["贵州茅台"],
    "huawei": ["HUAWEI"],
}
EXTRA = [
    # marks the Brand7 list lacks but the demo's goods need (tyres, toys, agrochemicals, medicine, phones)
    {
        "mark": "MICHELIN",
        "variants": ["米其林"],
        "owner": "Compagnie Générale des Établissements Michelin",
        "classes": [12],
        "msrp": {"min": 600},
        "authorized_sellers": ["米其林官方旗舰店"],
    },
    {
        "mark": "LEGO",
        "variants": ["乐高"],
        "owner": "LEGO Juris A/S",
        "classes": [28],
        "msrp": {"min": 199},
        "authorized_sellers": ["LEGO乐高官方旗舰店"],
    },
    {
        "mark": "SYNGENTA",
        "variants": ["先正达"],
        "owner": "Syngenta Participations AG",
        "classes": [5, 1],
        "msrp": {"min": 60},
        "authorized_sellers": ["先正达官方旗舰店"],
    },
    {
        "mark": "YUNNAN BAIYAO",
        "variants": ["云南白药"],
        "owner": "云南白药集团股份有限公司",
        "classes": [5, 3],
        "msrp": {"min": 20},
        "authorized_sellers": ["云南白药官方旗舰店"],
    },
    {
        "mark": "XIAOMI",
        "variants": ["小米"],
        "owner": "小米科技有限责任公司",
        "classes": [9],
        "msrp": {"min": 999},
        "authorized_sellers": ["小米官方旗舰店"],
    },
    {
        "mark": "DYSON",
        "variants": ["戴森"],
        "owner": "Dyson Technology Limited",
        "classes": [7, 11, 8],
        "msrp": {"min": 2000},
        "authorized_sellers": ["戴森官方旗舰店"],
    },
    {
        "mark": "SK-II",
        "variants": ["SK2", "SKII"],
        "owner": "Procter & Gamble",
        "classes": [3],
        "msrp": {"min": 600},
        "authorized_sellers": ["SK-II官方旗舰店"],
    },
    {
        "mark": "STANLEY",
        "variants": ["史丹利"],
        "owner": "史丹利农业集团股份有限公司",
        "classes": [1],
        "msrp": {"min": 80},
        "authorized_sellers": ["史丹利官方旗舰店"],
    },
]
# ordinary English words and bare initials make poor sample marks: they flood any matcher with noise
SKIP = {
    "best",
    "camel",
    "thunder",
    "safeguard",
    "rejoice",
    "android",
    "ems",
    "abc",
    "mi",
    "sf",
    "gap",
    "visa",
    "yes",
    "ok",
    "one",
    "play",
    "jd",
    "ccb",
    "btv",
    "cctv",
    "icbc",
    "psbc",
    "car",
    "line",
    "seven",
    "mexican",
    "monster",
    "victor",
    "breeze",
    "tide",
    "dove",
    "lux",
    "mercury",
    "lotus",
    "vanguard",
    "costa",
    "peak",
    "ds",
    "ea",
    "kao",
    "tricon",
    "columbia",
    "subway",
    "oracle",
    "rover",
    "maxwell",
    "sharp",
    "aux",
}
# spelling slips in the source list
FIXES = {"toyata": "TOYOTA", "nicon": "Nikon", "nvida": "NVIDIA", "mcdonalds": "McDonald's"}
EXTRA_HAN = {v for e in EXTRA for v in e["variants"]}
_LATIN = re.compile(r"[A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def key_of(latin: str) -> str:
    return re.sub(r"[^a-z0-9]", "", latin.lower())


def main(path: str) -> None:
    trademarks = []
    seen: set[str] = set()
    seen_han: set[str] = set(EXTRA_HAN)
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name, key_name, plus = row["Name"].strip(), row["KeyName"].strip(), row["PlusName"].strip()
            # KeyName is a short form of Name in most rows (中国南方航空 → 南航) but misaligned in a few
            # (IBM → 渣打银行): keep it only when it shares a character with one of the other names
            forms = [name, plus] + ([key_name] if set(key_name) & set(name + plus) else [])
            latin = next((f for f in forms if _LATIN.search(f) and not _HAN.search(f)), "")
            han = [f for f in dict.fromkeys(forms) if _HAN.search(f) and not _LATIN.search(f)]
            if (
                not latin
                or not han
                or len(key_of(latin)) < 2
                or (int(row["Grade"]) > 5 and key_of(latin) not in OVERRIDES)
            ):
                continue
            latin = FIXES.get(key_of(latin), latin)
            key = key_of(latin)
            han = [h for h in han if h not in seen_han]
            if key in seen or key in SKIP or not han:
                continue
            seen.add(key)
            seen_han.update(han)
            classes, msrp, sellers = OVERRIDES.get(key, (CATEGORY_CLASSES.get(row["Category"], [35]), None, []))
            entry: dict = {
                "id": f"tm-{key}",
                "mark": latin.upper() if len(latin) <= 4 else latin,
                "variants": han + EXTRA_VARIANTS.get(key, []),
                "owner": OWNERS.get(key, f"{latin} (brand owner, {row['Country']})"),
                "classes": classes,
                "status": "registered",
            }
            if msrp:
                entry["msrp"] = {"min": msrp, "currency": "CNY"}
            if sellers:
                entry["authorized_sellers"] = sellers
            entry["contacts"] = [f"ip-{key}@rights.example.com"]
            trademarks.append(entry)
    for extra in EXTRA:
        key = key_of(extra["mark"])
        trademarks.append(
            {"id": f"tm-{key}", **extra, "status": "registered", "contacts": [f"ip-{key}@rights.example.com"]}
        )
    header = "# Sample trademarks seeded from the Brand7 brand list (CodecWang/Brand7UWP); classes are NetSword's.\n"
    yaml.SafeDumper.ignore_aliases = lambda *args: True  # type: ignore[method-assign]  # write lists out in full
    body = yaml.safe_dump({"version": 1, "trademarks": trademarks}, allow_unicode=True, sort_keys=False, width=120)
    sys.stdout.write(header + body)


if __name__ == "__main__":
    main(sys.argv[1])
