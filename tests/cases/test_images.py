"""Listing images as identifiers: hostile bytes refused before decoding, near-identical photos grouped (checked
against comparing every pair), shops linked by the same photo with the listing and image URL as evidence, and a
blank placeholder linking nobody."""

from __future__ import annotations

import io
import random

import pytest
from cases_helpers import shop_lead
from PIL import Image

from cases.identifiers import identifiers_in_listing
from cases.images import near_duplicate_groups
from cases.network import NetworkSettings, build_network
from cases.sources import ShopIndex
from demo.rings import png, ring_image
from netsword.image_hash import ImageRefused, distance, is_informative, phash_of


def test_near_identical_photos_hash_close_and_others_far() -> None:
    a = [phash_of(ring_image("ring-putian", f"x{i}")) for i in range(6)]
    b = phash_of(ring_image("ring-digital", "x0"))
    assert max(distance(x, y) for x in a for y in a) <= 4 and min(distance(x, b) for x in a) > 16
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(ring_image("ring-putian", "x0"))).convert("RGB").save(jpeg, "JPEG", quality=70)
    assert distance(phash_of(jpeg.getvalue(), "image/jpeg"), a[0]) <= 4  # re-encoded as JPEG
    assert not is_informative(phash_of(png(64, 64, lambda x, y: (200, 200, 200))))  # a blank placeholder


@pytest.mark.parametrize(("data", "media_type", "why"), [
    (b"<html><script>alert(1)</script></html>", "text/html", "not an image type"),
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "", "not a JPEG, PNG"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image/png", "unreadable"),
    (b"GIF89a" + b"\x00" * (6 * 1024 * 1024), "image/gif", "larger than"),
])  # fmt: skip
def test_hostile_bytes_are_refused(data: bytes, media_type: str, why: str) -> None:
    with pytest.raises(ImageRefused, match=why):
        phash_of(data, media_type)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    big = io.BytesIO()
    Image.new("1", (9000, 9000)).save(big, "PNG")  # 81 megapixels in a few kilobytes
    assert len(big.getvalue()) < 100_000
    with pytest.raises(ImageRefused, match="pixel"):
        phash_of(big.getvalue(), "image/png")
    with pytest.raises(ImageRefused, match="too small"):
        phash_of(png(8, 8, lambda x, y: (x * 30, y * 30, 0)))


def test_grouping_finds_what_comparing_every_pair_finds() -> None:
    rng = random.Random(5)
    roots = [rng.getrandbits(64) for _ in range(300)]
    hashes = []
    for root in roots:
        for _ in range(rng.randint(1, 3)):
            flips = rng.sample(range(64), rng.randint(0, 6))
            hashes.append(f"{root ^ sum(1 << f for f in flips):016x}")
    groups = near_duplicate_groups(hashes, 4)
    unique = sorted(set(hashes))
    parent = {h: h for h in unique}

    def root(h: str) -> str:
        while parent[h] != h:
            h = parent[h]
        return h

    for i, x in enumerate(unique):  # the slow way: every pair
        for y in unique[i + 1 :]:
            if distance(x, y) <= 4:
                parent[max(root(x), root(y))] = min(root(x), root(y))
    assert {h: root(h) for h in unique} == groups
    assert near_duplicate_groups(["not-a-hash", "0" * 15]) == {}


def test_shops_linked_by_the_same_photo_keep_the_image_as_evidence() -> None:
    near = [phash_of(ring_image("ring-putian", f"x{i}")) for i in range(3)]
    other = phash_of(ring_image("ring-digital", "x0"))
    blank = phash_of(png(64, 64, lambda x, y: (222, 226, 230)))

    def with_image(platform: str, seller: str, digest: str):  # type: ignore[no-untyped-def]
        return shop_lead(platform, seller, 1, image_hashes=[{"url": f"https://img.{platform}.example/{seller}.jpg",
                                                              "phash": digest}, {"url": "x", "phash": blank}])  # fmt: skip

    leads = [with_image("taobao", "a", near[0]), with_image("jd", "b", near[1]), with_image("pdd", "c", near[2]),
             with_image("xianyu", "d", other), *[with_image("taobao", f"z{i}", blank) for i in range(5)]]  # fmt: skip
    assert [f.kind for f in identifiers_in_listing(leads[0].listing)] == ["image"]  # the blank one is no identifier
    index = ShopIndex().add_leads(leads)
    network = build_network(index.shops, index.sightings)
    (actor,) = network.actors
    assert actor.shops == ("jd:b", "pdd:c", "taobao:a")
    links = {link.shop: link for link in actor.links}
    assert {link.ident for link in actor.links} == {"image:" + min(near)}
    evidence = links["jd:b"].evidence[0]
    assert evidence["image_url"] == "https://img.jd.example/b.jpg" and evidence["lead_id"] == leads[1].lead_id
    assert evidence.get("phash", min(near)) == near[1]  # the hash this shop's image had
    exact = build_network(index.shops, index.sightings, NetworkSettings(image_distance=0))
    assert all(len(a.shops) < 3 for a in exact.actors)  # near-identical is not identical


@pytest.mark.parametrize("mode", ["RGB", "L", "P", "RGBA", "CMYK", "1"])
def test_the_hash_is_the_same_whatever_path_the_image_takes(mode: str) -> None:
    """RGB and L images are hashed without an RGB copy: the hash must be the one of the copy, in every mode."""
    import imagehash

    image = Image.open(io.BytesIO(ring_image("ring-putian", "x0"))).convert(mode)
    data = io.BytesIO()
    image.save(data, "JPEG" if mode in ("RGB", "L", "CMYK") else "PNG")
    with Image.open(io.BytesIO(data.getvalue())) as reread:
        expected = str(imagehash.phash(reread.convert("RGB")))
    assert phash_of(data.getvalue()) == expected
