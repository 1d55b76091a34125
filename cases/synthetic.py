"""Synthetic shops with ground truth for actor networks (deterministic for a seed).

Rings: one operator's shops on several platforms, each showing some of the ring's identifiers (phones, WeChat, QQ,
e-mail, licence code, return address, Alipay account, a product photo whose perceptual hash each listing shows a
few bits off, as re-encoded copies are) written the ways sellers write them, chained so the ring is connected; some
shops are tied in only by a parcel shipper. Decoys that must stay apart: independent shops that show platform or
courier hub numbers, brands' 400 hotlines, a market's shared address, a brand's official photo (copied by hundreds
of shops), or a name close to a ring shop's; independent shops show photos of their own. `truth` maps each shop key (as cases.sources.shop_of makes it) to its true actor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cases.uscc import ALPHABET, check_character
from netsword.models import Lead, Reason, make_lead_id

PLATFORMS = ("taobao", "jd", "pinduoduo", "xianyu", "douyin", "1688")
NAME_PARTS = ("潮鞋", "运动", "名品", "尚品", "优选", "工厂", "折扣", "正品", "精品", "时尚", "小铺", "仓库", "直营",
              "批发", "外贸", "尾货", "体育", "鞋业", "服饰", "箱包")  # fmt: skip
CITIES = (("广东省", "深圳市", "宝安区"), ("福建省", "莆田市", "荔城区"), ("浙江省", "义乌市", "稠城街道"),
          ("广东省", "广州市", "白云区"), ("江苏省", "苏州市", "吴中区"), ("福建省", "晋江市", "陈埭镇"))  # fmt: skip
STREETS = ("工业", "人民", "建设", "创业", "科技", "新华", "长安", "和平", "兴业", "振兴")
PRODUCTS = ("耐克 Air Max 运动鞋", "阿迪达斯 三叶草 外套", "古驰 GG 腰带", "劳力士 日志型 手表", "LV 老花 手提包")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
                   "157", "158", "159", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188",
                   "189", "198", "199")  # fmt: skip
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass
class Synthetic:
    leads: list[Lead]
    truth: dict[str, str]  # shop key → true actor id (a ring, or the shop itself)
    shippers: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    rings: int = 0
    ring_shops: int = 0

    def shipper_lookup(self, platform: str, seller_id: str) -> list[dict[str, Any]]:
        return self.shippers.get((platform, seller_id), [])


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def unique(self, make: Any) -> str:
        while True:
            value = make()
            if value not in self.used:
                self.used.add(value)
                return str(value)

    def mobile(self) -> str:
        """A mobile number of an allocated block (phonenumbers rejects unallocated ones like 174…, as it should)."""
        r = self.rng
        return self.unique(lambda: f"{r.choice(MOBILE_PREFIXES)}{r.randrange(10**8):08d}")

    def wechat(self) -> str:
        r = self.rng
        letters = "abcdefghijklmnopqrstuvwxyz"
        return self.unique(lambda: r.choice(letters) + "".join(r.choice(letters + "0123456789_") for _ in range(
            r.randint(6, 11))))  # fmt: skip

    def qq(self) -> str:
        return self.unique(lambda: str(self.rng.randint(10_000_000, 3_999_999_999)))

    def email(self) -> str:
        r = self.rng
        return self.unique(lambda: f"{self.wechat()}@{r.choice(('163.com', '126.com', 'sina.com', 'gmail.com'))}")

    def uscc(self) -> str:
        r = self.rng
        body = lambda: "91" + f"{r.randint(110000, 659000)}" + "".join(r.choice(ALPHABET) for _ in range(9))  # noqa: E731
        first17 = self.unique(body)
        return first17 + check_character(first17)

    def address(self) -> tuple[str, str, str]:
        """(province, city + district, street and number): written with or without the province."""
        r = self.rng
        province, city, district = r.choice(CITIES)
        street = self.unique(
            lambda: f"{r.choice(STREETS)}路{r.randint(1, 999)}号{r.randint(1, 30)}栋{r.randint(101, 2999)}"
        )
        return province, city + district, street

    def photo(self) -> int:
        """A photo's 64-bit perceptual hash: any textured picture sets about half its bits."""
        return int(self.unique(lambda: str(self.rng.getrandbits(64))))

    def name(self) -> str:
        r = self.rng
        return (
            "".join(r.sample(NAME_PARTS, 2)) + r.choice(("店", "旗舰店", "专营店", "小店", "")) + str(r.randint(1, 99))
        )


def _phone_text(rng: random.Random, number: str) -> str:
    style = rng.randrange(6)
    if style == 0:
        return number
    if style == 1:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == 2:
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == 3:
        return f"+86 {number}"
    if style == 4:
        return number.translate(FULLWIDTH)
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _show(rng: random.Random, kind: str, value: Any) -> tuple[str, str]:
    """(field, text): where a shop puts an identifier and how it writes it."""
    if kind == "phone":
        cue = rng.choice(("电话", "手机", "联系电话", "Tel", "微信同号", ""))
        return rng.choice(("seller.contact", "description")), f"{cue} {_phone_text(rng, value)}"
    if kind == "wechat":
        cue = rng.choice(("微信", "V信", "vx", "加薇信", "wx", "➕V"))
        return rng.choice(("seller.contact", "description")), f"{cue}：{value}"
    if kind == "qq":
        return "description", rng.choice((f"QQ：{value}", f"扣扣 {value}", f"企鹅 {value}", f"邮箱 {value}@qq.com"))
    if kind == "email":
        return "description", f"邮箱：{value}"
    if kind == "uscc":
        return rng.choice((("licence", value), ("description", f"统一社会信用代码：{value}")))
    if kind == "address":
        province, city, street = value
        written = (province if rng.random() < 0.5 else "") + city + street
        return "description", f"退货地址：{written} 收件人 {rng.choice('王李张刘陈')}先生"
    if kind == "alipay":
        return "description", f"支付宝：{value}"
    if kind == "image":  # the same photo re-encoded or resized: a couple of bits of its hash differ
        flipped = value
        for bit in rng.sample(range(64), rng.choice((0, 0, 1, 1, 2))):
            flipped ^= 1 << bit
        return "image_hashes", f"{flipped:016x}"
    raise ValueError(kind)


def _lead(platform: str, seller_id: str, shop_name: str, n: int, texts: list[tuple[str, str]],
          rng: random.Random) -> Lead:  # fmt: skip
    listing_id = f"{seller_id}-{n}"
    listing: dict[str, Any] = {"id": listing_id, "platform": platform,
                               "url": f"https://{platform}.example.com/item/{listing_id}",
                               "title": f"{rng.choice(PRODUCTS)} 高仿 {rng.randint(36, 46)}码",
                               "price": float(rng.choice((59, 89, 129, 199, 299, 399))), "currency": "CNY",
                               "sales": rng.randint(0, 3000)}  # fmt: skip
    contact, description = [], [f"货号 AB{rng.randint(1000, 99999)} 现货 {rng.randint(1, 500)} 件"]
    for where, text in texts:
        if where == "seller.contact":
            contact.append(text)
        elif where == "image_hashes":
            url = f"https://img.{platform}.example.com/{listing_id}-{len(listing.get(where, []))}.jpg"
            listing.setdefault(where, []).append({"url": url, "phash": text})
        elif where == "description":
            description.append(text)
        else:
            listing[where] = text
    listing["description"] = "；".join(description)
    listing["seller"] = {"id": seller_id, "name": shop_name, **({"contact": " ".join(contact)} if contact else {})}
    return Lead(lead_id=make_lead_id(platform, listing_id, "tm-synthetic"), listing_id=listing_id, platform=platform,
                url=listing["url"], entry_id="tm-synthetic", kind="trademark", score=80, matched="高仿",
                reasons=(Reason("cue_replica", "高仿"),), listing=listing, first_seen="2026-11-01T00:00:00Z",
                last_seen="2026-11-20T00:00:00Z", owner="Synthetic Brand")  # fmt: skip


def generate(listings: int = 2_000, *, seed: int = 17, ring_share: float = 0.35, hub_count: int = 0) -> Synthetic:
    """About `listings` leads (one a listing); `ring_share` of the shops belong to rings of 2–10 shops; hub mobiles
    (`hub_count`, default one per 8,000 listings, at least 2) are each shown by far more shops than a ring has."""
    rng = random.Random(seed)
    make = _Maker(rng)
    shops_wanted = max(4, listings // 4)
    leads: list[Lead] = []
    truth: dict[str, str] = {}
    shippers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    counter = 0
    # hubs: mobiles shown by hundreds of unrelated shops (a courier depot, a platform template), 400 hotlines
    hub_mobiles = [make.mobile() for _ in range(hub_count or max(2, listings // 8000))]
    hotlines = [f"400-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" for _ in range(4)]
    market = ("浙江省", "义乌市稠城街道", "国际商贸城二区东门")  # a shared market address, a hub too
    brand_photos = [make.photo() for _ in range(3)]  # brands' official photos, copied into fakes everywhere: hubs
    ring_names: list[str] = []

    def new_shop(actor: str, platform: str, name: str, texts: list[tuple[str, str]]) -> str:
        nonlocal counter
        counter += 1
        seller_id = f"s{counter:07d}"
        truth[f"{platform}:{seller_id}"] = actor
        for n in range(rng.choice((1, 2, 3, 4, 5, 6, 7))):
            shown = [t for t in texts if rng.random() < 0.8] or texts[:1]
            if rng.random() < 0.15:
                shown.append(("description", f"客服热线 {rng.choice(hotlines)}"))
            if rng.random() < 0.12:
                shown.append(("seller.contact", f"电话 {_phone_text(rng, rng.choice(hub_mobiles))}"))
            if rng.random() < 0.03:
                shown.append(_show(rng, "address", market))
            if rng.random() < 0.1:
                shown.append(_show(rng, "image", rng.choice(brand_photos)))
            leads.append(_lead(platform, seller_id, name, n, shown, rng))
        return seller_id

    ring_shops = 0
    rings = 0
    while ring_shops < shops_wanted * ring_share:
        rings += 1
        actor = f"ring-{rings}"
        pool: list[tuple[str, Any]] = [("phone", make.mobile()) for _ in range(rng.randint(1, 3))]
        pool += [("wechat", make.wechat()) for _ in range(rng.randint(1, 2))]
        for kind, chance in (("qq", 0.5), ("email", 0.4), ("uscc", 0.4), ("address", 0.5), ("alipay", 0.3),
                             ("image", 0.4)):  # fmt: skip
            if rng.random() < chance:
                value: Any = {"qq": make.qq, "email": make.email, "uscc": make.uscc, "address": make.address,
                              "alipay": make.email, "image": make.photo}[kind]()  # fmt: skip
                pool.append((kind, value))
        shipper = "sh-" + make.unique(lambda: f"{rng.getrandbits(64):016x}")
        size = rng.randint(2, 10)
        base_name = make.name()
        ring_names.append(base_name)
        shown_before: list[tuple[str, Any]] = []
        for i in range(size):
            platform = rng.choice(PLATFORMS)
            name = base_name if rng.random() < 0.3 else make.name()
            via_parcels = i > 0 and rng.random() < 0.1
            if i == 0 or via_parcels:
                chosen = rng.sample(pool, k=min(len(pool), rng.randint(1, 2)))
            else:
                chosen = [rng.choice(shown_before)] + rng.sample(pool, k=min(len(pool), rng.randint(0, 2)))
            if via_parcels:  # tied in by the parcel channel only: its own identifiers on the listing
                chosen = [("phone", make.mobile())]
            shown_before.extend(c for c in chosen if not via_parcels)
            texts = [_show(rng, k, v) for k, v in dict.fromkeys(chosen)]
            seller_id = new_shop(actor, platform, name, texts)
            if via_parcels or i == 0:
                shippers.setdefault((platform, seller_id), []).append(
                    {"shipper_id": shipper, "linked_by": "phone", "linked_at": "2026-11-02T00:00:00Z", "parcels": 12}
                )
            ring_shops += 1
    while counter < shops_wanted:
        platform = rng.choice(PLATFORMS)
        roll = rng.random()
        if roll < 0.2 and ring_names:  # a namesake of a ring shop, on another platform: must not be linked
            name = rng.choice(ring_names) + rng.choice(("", "店", "2"))
        else:
            name = make.name()
        own: list[tuple[str, Any]] = [("phone", make.mobile())]
        if rng.random() < 0.5:
            own.append(("wechat", make.wechat()))
        if rng.random() < 0.2:
            own.append(("uscc", make.uscc()))
        if rng.random() < 0.5:
            own.append(("image", make.photo()))
        new_shop(f"own-{counter + 1}", platform, name, [_show(rng, k, v) for k, v in own])
    return Synthetic(leads=leads, truth=truth, shippers=shippers, rings=rings, ring_shops=ring_shops)
