"""The demo marketplace's works: pirated and honest listings of the sample works on the feed, their ground truth, the
matcher agreeing with it, and the demo's precision and recall per family (marks, licences, copyright)."""

from __future__ import annotations

from typing import Any

from demo.catalogue import build_catalogue
from demo.score import scores_by_family
from demo.works import SHOWCASE
from matchers.index import compile_index
from netsword.models import Lead, Listing
from watchlists.configured import SAMPLES_DIR
from watchlists.loader import load_watchlists


def test_the_works_showcase_sits_on_the_feed_with_its_truth() -> None:
    truth = build_catalogue().ground_truth()
    titles = {title for _, _, title, *_ in SHOWCASE}
    placed = [row for row in truth if row["title"] in titles]
    assert len(placed) == len(SHOWCASE) and {row["platform"] for row in placed} == {"demo-feed"}
    assert all(row["kind"] == "copyright" and len(row["entry_ids"]) == 1 and not row["regulated"] for row in placed)
    infringing = [row for row in placed if row["label"] == "infringing"]
    assert len(infringing) >= 12 and {"genuine", "resale", "nominative"} <= {row["label"] for row in placed}


def test_the_works_matcher_agrees_with_the_demo_truth() -> None:
    index = compile_index(load_watchlists([SAMPLES_DIR / "works.yaml"]))
    wrong = []
    for item in build_catalogue().listings:
        data = {"id": item.id, "platform": item.platform, "url": f"http://demo/{item.id}", "title": item.title,
                "description": item.description, "category": item.category, "price": item.price,
                "seller": {"id": item.seller.id, "name": item.seller.name}}  # fmt: skip
        found = {h.entry_id for h in index.match(Listing.from_dict(data)) if h.kind == "copyright" and h.score >= 50}
        spec = item.spec
        expected = set(spec.entry_ids) if spec.kind == "copyright" and spec.label == "infringing" else set()
        if found != expected and not (item.price is None and expected):  # a missing price may hide a cheap key
            wrong.append((item.title, expected, found))
    assert not wrong


def _lead(listing_id: str, entry: str, kind: str) -> Lead:
    return Lead.from_dict({"lead_id": f"ld-{listing_id}-{kind}", "listing_id": listing_id, "platform": "p",
                           "entry_id": entry, "kind": kind, "score": 70, "reasons": [],
                           "listing": {"id": listing_id, "platform": "p", "url": "http://x", "title": "t"}})  # fmt: skip


def test_scores_by_family_count_each_family_against_its_own_truth() -> None:
    truth: list[dict[str, Any]] = [
        {"platform": "p", "listing_id": "1", "entry_ids": ["wk-a"], "kind": "copyright", "label": "infringing",
         "regulated": []},
        {"platform": "p", "listing_id": "2", "entry_ids": ["tm-a"], "kind": "trademark", "label": "infringing",
         "regulated": [{"entry_id": "reg:drug", "kind": "licence_missing"}]},
        {"platform": "p", "listing_id": "3", "entry_ids": ["wk-a"], "kind": "copyright", "label": "genuine",
         "regulated": []},
    ]  # fmt: skip
    leads = [_lead("1", "wk-a", "copyright"), _lead("3", "wk-a", "copyright"), _lead("2", "tm-a", "trademark"),
             _lead("2", "reg:drug", "licence_missing")]  # fmt: skip
    parts = scores_by_family(leads, truth, {"p": ["1", "2", "3"]})
    assert (parts["copyright"].true_positives, parts["copyright"].leads, parts["copyright"].expected) == (1, 2, 1)
    assert (parts["marks"].true_positives, parts["marks"].leads, parts["marks"].expected) == (1, 1, 1)
    assert (parts["licences"].true_positives, parts["licences"].leads, parts["licences"].expected) == (1, 1, 1)
