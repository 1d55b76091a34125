"""Seller rings planted in the demo marketplace, with ground truth: shops on several platforms that are one business
behind the scenes, each showing some of the ring's identifiers (phones, WeChat, QQ, e-mail, a credit code, a return
address, a payment account, the same product photo) in the ways sellers write them; and decoys that must stay
apart: a brand's service hotline copied into unrelated fakes, a shop whose name imitates a ring shop's.

`plant_rings(listings)` gives some counterfeit listings of the rings' goods to the ring shops (their own seller ids,
R…, so the other sellers keep theirs), appends the identifiers to their descriptions, and gives the ring shops'
static listings sales counts (shown on the detail page) so a ring's case reaches a referral threshold. The truth
row of a listing says its `ring` ("" for none). Ring shops' images are one photo per ring, drawn at a size of its
own per listing with a small mark, so their perceptual hashes are near-identical, not equal.
"""

from __future__ import annotations

import functools
import hashlib
import random
import struct
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from cases.uscc import check_character

if TYPE_CHECKING:
    from demo.catalogue import DemoListing


def _uscc(first17: str) -> str:
    return first17 + check_character(first17)


@dataclass(frozen=True)
class RingShop:
    name: str
    location: str
    platform: str
    listings: int
    lines: tuple[str, ...]  # what the shop writes in its descriptions
    sales: int = 0  # per listing on demo-static (the profile that reads sales)


@dataclass(frozen=True)
class Ring:
    ring_id: str
    entry_id: str
    shops: tuple[RingShop, ...]


PUTIAN_USCC = _uscc("91350304MA2YH8K3X")
RINGS = (
    Ring("ring-putian", "tm-nike", (
        RingShop("莆田鞋业直营", "福建莆田", "demo-static", 2, ("客服电话 139 0601 2345（微信同号）", "或加vx putian_xie88"),
                 sales=420),
        RingShop("纯原鞋仓", "福建莆田", "demo-api", 2, ("加V信：putian_xie88", "退货地址：福建省莆田市荔城区黄石镇工业路18号 收件人 陈")),
        RingShop("AJ潮品馆", "福建晋江", "demo-feed", 2, (f"营业执照 统一社会信用代码：{PUTIAN_USCC}",
                                                       "售后地址:福建莆田荔城区黄石镇工业路18号")),  # fmt: skip
        RingShop("潮流鞋铺", "福建莆田", "demo-static", 2, (f"信用代码{PUTIAN_USCC}",), sales=380),
        RingShop("球鞋仓库", "福建莆田", "demo-api", 2, ("正品保障，假一赔十",)),  # linked by its product photo only
    )),
    Ring("ring-digital", "tm-apple", (
        RingShop("华南数码仓", "广东深圳", "demo-static", 2, ("售后QQ 2850012345", "支付宝：hnsm_pay@163.com"), sales=150),
        RingShop("果粉优选", "广东深圳", "demo-browser", 2, ("联系扣扣：2850012345",)),
        RingShop("配件批发站", "广东广州", "demo-feed", 2, ("收款账户 hnsm_pay@163.com", "邮箱 HNSM_kefu@163.com")),
        RingShop("数码好物社", "广东东莞", "demo-api", 2, ("客服邮箱：hnsm_kefu@163.com",)),
    )),
)  # fmt: skip
# Decoys: unrelated shops that show what must not link them (a brand's 400 hotline; a name like a ring shop's).
DECOYS = (
    RingShop("莆田鞋业直销", "福建莆田", "demo-feed", 1, ("耐克官方客服 400-880-6453",)),
    RingShop("运动鞋特卖", "浙江温州", "demo-api", 1, ("正品咨询 400 880 6453",)),
    RingShop("鞋类尾货", "广东东莞", "demo-static", 1, ("客服热线4008806453",)),
)
DECOY_ENTRY = "tm-nike"


def _assign(listings: list[DemoListing], shop: RingShop, seller_id: str, entry_id: str, ring_id: str,
            taken: set[str]) -> None:  # fmt: skip
    from demo.catalogue import Seller

    seller = Seller(seller_id, shop.name, shop.location)
    chosen = 0
    for i, listing in enumerate(listings):
        if chosen >= shop.listings:
            return
        spec = listing.spec
        if (listing.id in taken or listing.platform != shop.platform or spec.label != "infringing"
                or spec.entry_ids != (entry_id,) or spec.hostile or listing.defect):  # fmt: skip
            continue
        taken.add(listing.id)
        chosen += 1
        lines = "；".join(shop.lines)
        listings[i] = replace(listing, seller=seller, location=shop.location, ring=ring_id,
                              description=f"{listing.description} {lines}",
                              sales=shop.sales or None)  # fmt: skip


def plant_rings(listings: list[DemoListing]) -> list[DemoListing]:
    """The listings with the rings' and decoys' shops in place of some counterfeit listings' sellers."""
    out, taken = list(listings), set[str]()
    for r, ring in enumerate(RINGS):
        for s, shop in enumerate(ring.shops):
            _assign(out, shop, f"R{r + 1}{s + 1:02d}", ring.entry_id, ring.ring_id, taken)
    for d, shop in enumerate(DECOYS):
        _assign(out, shop, f"D{d + 1:02d}", DECOY_ENTRY, "", taken)
    return out


def png(width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> bytes:
    """A PNG of `pixel(x, y)` colours (8-bit RGB)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@functools.lru_cache(maxsize=8)
def _texture(ring_id: str, n: int = 24) -> tuple[tuple[tuple[int, int, int], ...], ...]:
    """The ring's photo at its smallest: n × n random colours (seeded by the ring), textured like a real photo."""
    rng = random.Random(ring_id)
    return tuple(tuple((rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(n))
                 for _ in range(n))  # fmt: skip


def ring_image(ring_id: str, listing_id: str) -> bytes:
    """The ring's product photo as this listing shows it: scaled to a size of its own, with a small mark of its own."""
    texture = _texture(ring_id)
    n = len(texture)
    own = hashlib.sha256(listing_id.encode()).digest()
    size = 120 + own[0] % 4 * 12
    mark_x, mark_y = own[1] % (size - 4), own[2] % (size - 4)

    def pixel(x: int, y: int) -> tuple[int, int, int]:
        if mark_x <= x < mark_x + 3 and mark_y <= y < mark_y + 3:
            return (255, 255, 0)
        fx, fy = x * (n - 1) / (size - 1), y * (n - 1) / (size - 1)  # bilinear scaling of the texture
        i, j = int(fx), int(fy)
        i1, j1, dx, dy = min(i + 1, n - 1), min(j + 1, n - 1), fx - i, fy - j
        a, b, c, d = texture[j][i], texture[j][i1], texture[j1][i], texture[j1][i1]
        return tuple(int(a[k] * (1 - dx) * (1 - dy) + b[k] * dx * (1 - dy) + c[k] * (1 - dx) * dy + d[k] * dx * dy)
                     for k in range(3))  # type: ignore[return-value]  # fmt: skip

    return png(size, size, pixel)


def shop_truth(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """(platform, listing id) → ring id for the listings of ring shops (ground truth rows' `ring`)."""
    return {(str(r["platform"]), str(r["listing_id"])): str(r["ring"]) for r in rows if r.get("ring")}


@dataclass(frozen=True)
class NetworkScore:
    precision: float
    recall: float
    pairs_found: int
    pairs_linked: int
    ring_pairs: int
    ring_shops: int


def network_scores(shop_listings: Mapping[str, list[tuple[str, str]]], actor_of_shop: Mapping[str, str],
                   rows: Sequence[Mapping[str, Any]]) -> NetworkScore:  # fmt: skip
    """Pairwise precision and recall of the linked shops against the planted rings, over the shops the crawl saw.

    `shop_listings`: shop key → its (platform, listing id)s; a shop's truth is its listings' ring, else itself (no
    other shop is the same business: the demo's other sellers show no identifier)."""
    from cases.network import pairwise_scores

    ring_of = shop_truth(rows)
    truth = {}
    for shop, listings in shop_listings.items():
        rings = {ring_of[key] for key in listings if key in ring_of}
        truth[shop] = next(iter(rings)) if len(rings) == 1 else "shop:" + shop
    precision, recall, found, linked, ring_pairs = pairwise_scores(actor_of_shop, truth)
    ring_shops = sum(1 for value in truth.values() if not value.startswith("shop:"))
    return NetworkScore(precision, recall, found, linked, ring_pairs, ring_shops)
