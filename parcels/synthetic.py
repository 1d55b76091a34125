"""Synthetic manifests with planted ant-moving patterns and their ground truth (deterministic for a seed).

Planted: week-long fan-out parties under 2–4 written forms; consolidation warehouses; month-long rings that keep
sending, some with a second phone (same name and address) and terse declarations naming only a product line
(`绿水鬼 40mm`: the watchlist's `products:`, see `synthetic_watchlist`); and rings run under two unrelated identities
that share their customers. Decoys that must not be flagged: authorised brand warehouses (in the shipper register
the plan carries) sending many low-value parcels from two lines, shops fanning out unwatched goods, a genuine
brand store at honest prices, slow senders spread over months, and unrelated namesakes (王伟).
"""

from __future__ import annotations

import csv
import dataclasses
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import yaml
from pypinyin import lazy_pinyin

from watchlists import Watchlist

COLUMNS = (
    "waybill", "shipped_at", "declared_contents", "declared_value", "currency", "weight", "origin", "destination",
    "sender_name", "sender_phone", "sender_address", "receiver_name", "receiver_phone", "receiver_address",
)  # fmt: skip
WATCHED = {
    "tm-nike": ["NIKE运动鞋", "耐克鞋", "nike shoes", "耐克 跑步鞋", "NIKE T恤"],
    "tm-adidas": ["adidas运动裤", "阿迪达斯外套", "ADIDAS sneakers"],
    "tm-gucci": ["GUCCI包", "gucci wallet", "GUCCI腰带"],
    "tm-rolex": ["ROLEX手表", "rolex watch"],
}
# product lines and nicknames a rights holder would list as `products:`; terse declarations use them alone
PRODUCTS = {
    "tm-nike": ["空军一号", "Air Jordan"],
    "tm-adidas": ["椰子鞋", "Yeezy"],
    "tm-gucci": ["酒神包", "Dionysus"],
    "tm-rolex": ["绿水鬼", "迪通拿"],
}
TERSE = ["{p} 42码", "{p} 白色", "{p} 40mm", "{p} 款", "{p} 1件"]
PLAIN_GOODS = ["手机壳", "纯棉T恤", "儿童玩具", "茶叶", "零食礼包", "书籍", "数据线", "毛巾", "保温杯", "文具套装",
               "袜子", "洗面奶", "发夹", "鼠标垫", "雨伞", "拖鞋", "帆布包", "钥匙扣"]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红建文辉力国庆峰志宏春燕晨雪飞鹏"
# homophones: the same pinyin written with another character, the commonest name "spelling" variation
HOMOPHONES = {"伟": "玮", "芳": "方", "娜": "那", "静": "靖", "丽": "莉", "强": "墙", "磊": "垒", "军": "君", "洋": "阳",
              "杰": "洁", "涛": "滔", "明": "铭", "华": "桦", "红": "虹", "峰": "锋", "志": "智", "飞": "菲", "鹏": "朋"}  # fmt: skip
PLACES = [("广东省", "深圳市", ["南山区", "福田区", "宝安区"]), ("广东省", "广州市", ["天河区", "白云区", "越秀区"]),
          ("浙江省", "杭州市", ["西湖区", "余杭区"]), ("浙江省", "义乌市", ["稠城街道", "北苑街道"]),
          ("福建省", "莆田市", ["荔城区", "城厢区"]), ("江苏省", "苏州市", ["姑苏区", "吴中区"]),
          ("上海市", "上海市", ["浦东新区", "徐汇区"]), ("北京市", "北京市", ["朝阳区", "海淀区"]),
          ("四川省", "成都市", ["武侯区", "锦江区"]), ("湖北省", "武汉市", ["洪山区", "江汉区"])]  # fmt: skip
# mobile prefixes in use (China Mobile, Unicom, Telecom, Broadnet); 140–144, 160, 174, 194 and others are not
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
                   "156", "157", "158", "159", "166", "175", "176", "177", "178", "180", "181", "182", "183", "184",
                   "185", "186", "187", "188", "189", "191", "198", "199")  # fmt: skip
STREETS = [
    "科技",
    "人民",
    "建设",
    "解放",
    "中山",
    "和平",
    "新华",
    "工业",
    "长江",
    "黄河",
    "文化",
    "友谊",
    "幸福",
    "团结",
]


@dataclass
class Person:
    name: str
    phone: str
    address: str


@dataclass
class Plan:
    """Ground truth: the planted patterns, each with its kind, watched entry and waybills."""

    seed: int
    parcels: int = 0
    patterns: list[dict[str, Any]] = field(default_factory=list)
    decoys: list[dict[str, Any]] = field(default_factory=list)  # {kind, waybills}: parcels no pattern may hold
    shippers: list[dict[str, Any]] = field(default_factory=list)  # the shipper register of the authorised decoys


class Generator:
    def __init__(self, seed: int, start: datetime, days: int) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.days = days
        self.serial = 0

    def waybill(self) -> str:
        self.serial += 1
        return f"SY{self.serial:012d}"

    def name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))

    def phone(self) -> str:
        """A mainland mobile in an allocated block (号段), so that it passes numbering-plan validation."""
        return self.rng.choice(MOBILE_PREFIXES) + "".join(self.rng.choice("0123456789") for _ in range(8))

    def address(self) -> str:
        province, city, districts = self.rng.choice(PLACES)
        prefix = province + city if province != city else city
        return (f"{prefix}{self.rng.choice(districts)}{self.rng.choice(STREETS)}路{self.rng.randint(1, 999)}号"
                f"{self.rng.randint(1, 30)}栋{self.rng.randint(101, 2505)}室")  # fmt: skip

    def person(self) -> Person:
        return Person(self.name(), self.phone(), self.address())

    def when(self, day0: float, span: float) -> str:
        moment = self.start + timedelta(days=day0 + self.rng.random() * span)
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    def variant(self, base: Person, number: int) -> Person:
        """The same party written differently, each form distinct even after normalisation: homophone or
        romanised names, phone formatting (+86, spaces, dashes), abbreviated or shortened addresses."""
        if number == 0:
            return base
        p = base.phone
        homophone = base.name[0] + "".join(HOMOPHONES.get(c, c) for c in base.name[1:])
        if homophone == base.name:  # no homophone at hand: the surname and a form of address (张先生)
            homophone = base.name[0] + "先生"
        abbreviated = base.address.replace("省", "").replace("市", "", 1).replace("区", "")
        if number == 1:
            return Person(homophone, f"+86 {p[:3]} {p[3:7]} {p[7:]}", abbreviated.replace("号", "-").replace("室", ""))
        if number == 2:
            romanised = " ".join(w.capitalize() for w in lazy_pinyin(base.name))
            return Person(romanised, f"{p[:3]}-{p[3:7]}-{p[7:]}", base.address)
        return Person(" ".join(homophone), f"86{p}", base.address.split("号")[0] + "号")

    def row(self, sender: Person, receiver: Person, contents: str, value: float, when: str) -> dict[str, Any]:
        return {
            "waybill": self.waybill(), "shipped_at": when, "declared_contents": contents,
            "declared_value": f"{value:.2f}", "currency": "CNY", "weight": f"{self.rng.uniform(0.2, 2.5):.2f}",
            "origin": sender.address[:6], "destination": receiver.address[:6],
            "sender_name": sender.name, "sender_phone": sender.phone, "sender_address": sender.address,
            "receiver_name": receiver.name, "receiver_phone": receiver.phone, "receiver_address": receiver.address,
        }  # fmt: skip


def generate(n_parcels: int, seed: int = 7, *, n_fanout: int | None = None, n_consolidation: int | None = None,
             n_long: int | None = None, n_shared: int | None = None, n_authorised: int | None = None,
             start: str = "2024-03-01") -> tuple[list[dict[str, Any]], Plan]:  # fmt: skip
    """Rows (generic manifest columns) and the ground truth. Planted patterns scale with the size."""
    days = 90
    gen = Generator(seed, datetime.fromisoformat(start), days)
    rng = gen.rng
    plan = Plan(seed=seed)
    rows: list[dict[str, Any]] = []
    n_fanout = n_fanout if n_fanout is not None else max(2, n_parcels // 5000)
    n_consolidation = n_consolidation if n_consolidation is not None else max(2, n_parcels // 10000)
    receivers = [gen.person() for _ in range(max(200, n_parcels // 4))]
    entries = list(WATCHED)

    for _ in range(n_fanout):  # one party, 2–4 written forms, each too small alone to pass the thresholds
        entry = rng.choice(entries)
        base = gen.person()
        day0 = rng.uniform(0, days - 7)
        forms = rng.randint(2, 4)
        waybills = []
        for number in range(forms):
            sender = gen.variant(base, number)
            for _ in range(rng.randint(6, 10)):
                row = gen.row(sender, rng.choice(receivers), rng.choice(WATCHED[entry]), rng.uniform(59, 289),
                              gen.when(day0, 5))  # fmt: skip
                rows.append(row)
                waybills.append(row["waybill"])
        plan.patterns.append({"kind": "fanout", "entry_id": entry, "waybills": waybills, "sender_forms": forms})
    for _ in range(n_consolidation):  # many unrelated senders, one warehouse address
        entry = rng.choice(entries)
        hub = Person(gen.name(), gen.phone(), gen.address())
        day0 = rng.uniform(0, days - 7)
        waybills = []
        for _ in range(rng.randint(6, 10)):
            sender = gen.person()
            for _ in range(rng.randint(2, 3)):
                row = gen.row(sender, hub, rng.choice(WATCHED[entry]), rng.uniform(59, 289), gen.when(day0, 4))
                rows.append(row)
                waybills.append(row["waybill"])
        plan.patterns.append({"kind": "consolidation", "entry_id": entry, "waybills": waybills})

    for n in range(n_long if n_long is not None else max(2, n_parcels // 20000)):
        rows.extend(_long_ring(gen, plan, receivers, rng.choice(entries), days, two_phones=n % 2 == 0))
    for _ in range(n_shared if n_shared is not None else max(1, n_parcels // 50000)):
        rows.extend(_shared_customers_ring(gen, plan, rng.choice(entries), days))
    for n in range(n_authorised if n_authorised is not None else max(1, n_parcels // 100000)):
        rows.extend(_authorised_warehouse(gen, plan, receivers, entries[n % len(entries)], days, n))

    # hard negatives
    genuine = gen.person()  # a genuine brand store: watched marks but honest prices
    for _ in range(max(30, n_parcels // 2000)):
        rows.append(gen.row(genuine, rng.choice(receivers), "NIKE官方 运动鞋", rng.uniform(599, 1299),
                            gen.when(rng.uniform(0, days - 1), 1)))  # fmt: skip
    for _ in range(max(2, n_parcels // 20000)):  # slow sender: many watched parcels, but over months
        slow, decoy = gen.person(), []
        for day in range(0, days, 6):
            rows.append(gen.row(slow, rng.choice(receivers), "耐克鞋", rng.uniform(59, 289), gen.when(day, 1)))
            decoy.append(rows[-1]["waybill"])
        plan.decoys.append({"kind": "slow_sender", "waybills": decoy})
    for _ in range(max(1, n_parcels // 50000)):  # namesakes: same common name, different phones and addresses
        day0 = rng.uniform(0, days - 7)
        for _ in range(2):
            namesake, decoy = Person("王伟", gen.phone(), gen.address()), []
            for _ in range(7):
                rows.append(gen.row(namesake, rng.choice(receivers), "耐克鞋", rng.uniform(59, 289), gen.when(day0, 5)))
                decoy.append(rows[-1]["waybill"])
            plan.decoys.append({"kind": "namesake", "waybills": decoy})

    shops = [gen.person() for _ in range(max(20, n_parcels // 400))]  # shops of unwatched goods, heavy fan-out
    while len(rows) < n_parcels:
        if rng.random() < 0.97:
            sender, contents, value = rng.choice(shops), rng.choice(PLAIN_GOODS), rng.uniform(9, 199)
        else:  # an individual sending the odd branded item
            sender, contents, value = gen.person(), rng.choice(WATCHED[rng.choice(entries)]), rng.uniform(59, 289)
        rows.append(gen.row(sender, rng.choice(receivers), contents, value, gen.when(rng.uniform(0, days - 1), 1)))
    rng.shuffle(rows)
    plan.parcels = len(rows)
    return rows, plan


def _declaration(gen: Generator, entry: str, terse: bool) -> str:
    if terse:
        return gen.rng.choice(TERSE).format(p=gen.rng.choice(PRODUCTS[entry]))
    return gen.rng.choice(WATCHED[entry])


def _long_ring(gen: Generator, plan: Plan, receivers: list[Person], entry: str, days: int,
               two_phones: bool) -> list[dict[str, Any]]:  # fmt: skip
    """A ring sending steadily for four to five weeks, 2–3.5 parcels a day, a third of them declared tersely by
    product name; with `two_phones` the party also writes from a second phone (same name and address)."""
    rng = gen.rng
    base = gen.person()
    forms = [base, gen.variant(base, 1)]
    if two_phones:
        forms.append(Person(base.name, gen.phone(), base.address))
    span = rng.uniform(25, 35)
    day0 = rng.uniform(0, days - span)
    rows = []
    for _ in range(int(span * rng.uniform(2.2, 3.5))):
        rows.append(gen.row(rng.choice(forms), rng.choice(receivers), _declaration(gen, entry, rng.random() < 1 / 3),
                            rng.uniform(59, 289), gen.when(day0, span)))  # fmt: skip
    plan.patterns.append({"kind": "fanout", "entry_id": entry, "waybills": [r["waybill"] for r in rows],
                          "sender_forms": len(forms), "days": round(span, 1), "two_phones": two_phones})  # fmt: skip
    return rows


def _shared_customers_ring(gen: Generator, plan: Plan, entry: str, days: int) -> list[dict[str, Any]]:
    """One ring under two unrelated identities (names, phones, addresses all different) sending to one list of 30
    customers over two and a half weeks: only the receivers they share tie them together."""
    rng = gen.rng
    customers = [gen.person() for _ in range(30)]
    identities = [gen.person(), gen.person()]
    day0 = rng.uniform(0, days - 18)
    rows = []
    for identity in identities:
        for _ in range(rng.randint(25, 32)):
            rows.append(gen.row(identity, rng.choice(customers), _declaration(gen, entry, rng.random() < 0.2),
                                rng.uniform(59, 289), gen.when(day0, 18)))  # fmt: skip
    plan.patterns.append({"kind": "fanout", "entry_id": entry, "waybills": [r["waybill"] for r in rows],
                          "sender_forms": 2, "shared_customers": True})  # fmt: skip
    return rows


def _authorised_warehouse(gen: Generator, plan: Plan, receivers: list[Person], entry: str, days: int,
                          number: int) -> list[dict[str, Any]]:  # fmt: skip
    """A brand's own warehouse, in the shipper register by one phone, also sending from a second line (same name
    and address): a month's campaign of 120–200 parcels to many receivers, half of them low-value samples, as dense
    as any ring (without the register it is flagged as ant moving). A decoy."""
    rng = gen.rng
    name = f"{WATCHED[entry][0][:4]}品牌官方仓{number + 1}号"
    registered = Person(name, gen.phone(), gen.address())
    second_line = Person(name, gen.phone(), registered.address)
    day0 = rng.uniform(0, days - 30)
    rows = []
    for _ in range(rng.randint(120, 200)):
        value = rng.uniform(99, 289) if rng.random() < 0.5 else rng.uniform(699, 1899)
        rows.append(gen.row(rng.choice((registered, second_line)), rng.choice(receivers), rng.choice(WATCHED[entry]),
                            value, gen.when(day0, 30)))  # fmt: skip
    plan.decoys.append({"kind": "authorised", "waybills": [r["waybill"] for r in rows]})
    plan.shippers.append({"id": f"warehouse-{number + 1}", "label": name, "entries": [entry],
                          "phones": [registered.phone], "names": [name], "addresses": [registered.address]})  # fmt: skip
    return rows


def synthetic_watchlist(watchlist: Watchlist) -> Watchlist:
    """The watchlist with the generator's PRODUCTS on its entries, as their rights holders would list them."""
    return Watchlist(
        trademarks=tuple(dataclasses.replace(t, products=(*t.products, *PRODUCTS.get(t.id, ())))
                         for t in watchlist.trademarks),
        patents=watchlist.patents, geographical_indications=watchlist.geographical_indications,
        sources=watchlist.sources,
    )  # fmt: skip


def write_register(plan: Plan, path: str | Path) -> None:
    """The shipper register of the plan's authorised warehouses (parcels.shippers_file)."""
    Path(path).write_text(yaml.safe_dump({"version": 1, "shippers": plan.shippers}, allow_unicode=True,
                                         sort_keys=False), encoding="utf-8")  # fmt: skip


def write_manifest(rows: list[dict[str, Any]], out: str | Path | TextIO) -> None:
    """The rows as a generic-mapping CSV, to a path or an open text file."""
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            write_manifest(rows, fh)
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)


def write_truth(plan: Plan, path: str | Path) -> None:
    Path(path).write_text(json.dumps({"seed": plan.seed, "parcels": plan.parcels, "patterns": plan.patterns,
                                      "decoys": plan.decoys}, ensure_ascii=False, indent=1), encoding="utf-8")  # fmt: skip


def evaluate(found: list[tuple[str, str, list[str]]], plan: Plan, min_overlap: float = 0.8) -> tuple[float, float]:
    """Precision and recall of detected (kind, entry_id, waybills) against the planted patterns: a detection is
    right when it is the planted pattern's kind and entry and holds at least `min_overlap` of its waybills."""
    hit_truth: set[int] = set()
    right = 0
    for kind, entry_id, waybills in found:
        got = set(waybills)
        for n, truth in enumerate(plan.patterns):
            planted = set(truth["waybills"])
            if (truth["kind"], truth["entry_id"]) == (kind, entry_id) and len(got & planted) >= min_overlap * len(
                planted
            ):
                right += 1
                hit_truth.add(n)
                break
    precision = right / len(found) if found else 1.0
    recall = len(hit_truth) / len(plan.patterns) if plan.patterns else 1.0
    return precision, recall


def decoys_flagged(found: list[tuple[str, str, list[str]]], plan: Plan) -> list[str]:
    """The kinds of the decoys any detected pattern holds a parcel of, one per decoy flagged."""
    detected = {w for _, _, waybills in found for w in waybills}
    return [d["kind"] for d in plan.decoys if detected & set(d["waybills"])]
