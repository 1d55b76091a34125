"""The seeded catalogue and its ground truth: size, spread, determinism, and consistency with the sample watchlists."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from demo.catalogue import PLATFORMS, build_catalogue
from watchlists import Trademark, load_watchlists

SAMPLES = sorted(str(p) for p in (Path(__file__).resolve().parents[2] / "watchlists" / "samples").glob("*.yaml"))


@pytest.fixture(scope="module")
def watchlist():
    return load_watchlists(SAMPLES)


def test_size_and_even_spread():
    catalogue = build_catalogue()
    assert len(catalogue.listings) >= 2000
    per_platform = Counter(listing.platform for listing in catalogue.listings)
    assert set(per_platform) == set(PLATFORMS)
    assert max(per_platform.values()) - min(per_platform.values()) <= 1
    assert len({listing.id for listing in catalogue.listings}) == len(catalogue.listings)


def test_same_seed_same_catalogue_other_seed_differs():
    first = build_catalogue(7, 2000)
    build_catalogue.cache_clear()
    again = build_catalogue(7, 2000)
    other = build_catalogue(8, 2000)
    assert first is not again
    assert first.ground_truth() == again.ground_truth()
    assert [x.price for x in first.listings] == [x.price for x in again.listings]
    assert first.ground_truth() != other.ground_truth()


def test_ground_truth_entries_exist_and_labels_are_known(watchlist):
    truth = build_catalogue().ground_truth()
    labels = Counter(row["label"] for row in truth)
    assert set(labels) == {"infringing", "genuine", "resale", "nominative", "lookalike", "unrelated"}
    assert labels["infringing"] >= 500 and labels["unrelated"] >= 500
    for row in truth:
        assert row["platform"] in PLATFORMS
        for entry_id in row["entry_ids"]:
            assert watchlist.get(entry_id) is not None, f"{row['listing_id']}: unknown entry {entry_id}"
        if row["label"] == "unrelated":
            assert row["entry_ids"] == [] and row["kind"] is None
        else:
            assert row["entry_ids"] and row["kind"] in {"trademark", "patent", "false_patent_marking",
                                                         "geographical_indication", "copyright"}  # fmt: skip
    infringing = {e for row in truth if row["label"] == "infringing" for e in row["entry_ids"]}
    for entry_id in ("tm-nike", "tm-chanel", "tm-rolex", "tm-moutai", "tm-michelin", "tm-lego", "tm-syngenta",
                     "tm-yunnanbaiyao", "tm-xiaomi", "tm-apple", "pat-bladeless-fan", "gi-yangchenghu-crab"):  # fmt: skip
        assert entry_id in infringing


def test_every_category_and_disguise_present():
    catalogue = build_catalogue()
    categories = {listing.category for listing in catalogue.listings if listing.spec.entry_ids}
    for wanted in (
        "运动鞋",
        "女包",
        "手表",
        "手机",
        "美妆",
        "白酒",
        "玩具",
        "农药",
        "化肥",
        "药品",
        "轮胎",
        "水产",
        "茶叶",
    ):
        assert wanted in categories
    disguises = Counter(row["disguise"] for row in catalogue.ground_truth() if row["disguise"])
    assert set(disguises) == {"homoglyph", "spacing", "homophone", "traditional", "pinyin", "typo", "codeword"}
    titles = [x.title for x in catalogue.listings]
    assert any("香奈兒" in t for t in titles) and any("莆田" in t for t in titles)
    assert any("海外代购" in t or "香港直邮" in t for t in titles)
    assert any("ZL201310699744.5" in t for t in titles)  # a cited patent number with a wrong check character


def test_genuine_offers_come_from_authorised_sellers_at_normal_prices(watchlist):
    for listing in build_catalogue().listings:
        entry = watchlist.get(listing.spec.entry_ids[0]) if listing.spec.entry_ids else None
        if not isinstance(entry, Trademark) or listing.spec.label not in {"genuine", "infringing"}:
            continue
        if listing.spec.label == "genuine":
            assert listing.seller.name in entry.authorized_sellers, listing.title
            if entry.msrp and listing.price is not None:
                assert listing.price >= entry.msrp.min, listing.title
        elif entry.msrp and listing.price is not None:
            assert listing.seller.name not in entry.authorized_sellers
            ceiling = 1.0 if "daigou" in listing.spec.signals else 0.5  # daigou claims sell "cheap", not absurd
            assert listing.price < ceiling * entry.msrp.min, listing.title


def test_lookalike_traps_and_nominative_uses_present():
    rows = build_catalogue().ground_truth()
    traps = {row["title"] for row in rows if row["label"] == "lookalike"}
    for fragment in ("Nikon", "Omega-3", "Prado", "红富士苹果", "黄小米", "Channel"):
        assert any(fragment in title for title in traps), fragment
    assert any("适用于苹果" in row["title"] for row in rows if row["label"] == "nominative")


def _search_word(entry) -> str:
    if isinstance(entry, Trademark):
        return entry.mark
    if hasattr(entry, "keywords"):
        return entry.keywords[0]
    if hasattr(entry, "work_type"):  # a copyright work (demo/works.py)
        return entry.title
    return entry.name


def test_watched_listings_are_found_by_their_entry(watchlist):
    """A crawler searching a watchlist's mark, patent keyword, patent number or GI name finds every offer of it."""
    catalogue = build_catalogue()
    for listing in catalogue.listings:
        spec = listing.spec
        if spec.label not in {"infringing", "genuine"}:
            continue
        entry = watchlist.get(spec.entry_ids[0])
        found = catalogue.search(listing.platform, _search_word(entry))
        if spec.cited_number:
            found += catalogue.search(listing.platform, entry.number[2:14])
        assert listing.id in found, (listing.title, _search_word(entry))


def test_disguised_titles_avoid_the_plain_mark(watchlist):
    from demo.catalogue import normalize_query

    for listing in build_catalogue().listings:
        if listing.spec.disguise:
            entry = watchlist.get(listing.spec.entry_ids[0])
            text = normalize_query(f"{listing.title} {listing.description}")
            for form in entry.forms:
                assert normalize_query(form) not in text, (listing.title, form)
