"""The demo marketplace's regulated goods: licence numbers on the watched brands' regulated offers, the showcase on the
feed, its ground truth, and lead-level scoring of licence leads."""

from __future__ import annotations

from collections import Counter

from demo.catalogue import build_catalogue
from demo.regulated import SHOWCASE
from demo.score import lead_level_scores
from matchers.regulated import REGULATED_KINDS, RegulatedChecks
from netsword.models import Lead, Listing


def _listing(item) -> Listing:  # type: ignore[no-untyped-def]
    return Listing.from_dict({"id": item.id, "platform": item.platform, "url": f"http://demo/{item.id}",
                              "title": item.title, "description": item.description, "category": item.category,
                              "crawled_at": "2026-11-01T00:00:00Z"})  # fmt: skip


def test_the_truth_names_every_new_kind_and_the_showcase_sits_on_the_feed() -> None:
    truth = build_catalogue().ground_truth()
    kinds = Counter(t["kind"] for row in truth for t in row["regulated"])
    assert set(REGULATED_KINDS) <= set(kinds)
    showcase_titles = {title for _, _, title, *_ in SHOWCASE}
    placed = [row for row in truth if row["title"] in showcase_titles]
    assert len(placed) == len(SHOWCASE) and {row["platform"] for row in placed} == {"demo-feed"}
    assert all(row["label"] == "unrelated" and not row["entry_ids"] for row in placed)


def test_genuine_regulated_offers_show_their_number_and_counterfeits_do_not() -> None:
    for item in build_catalogue().listings:
        if item.spec.entry_ids[:1] != ("tm-syngenta",):
            continue
        if item.spec.label in ("genuine", "resale"):
            assert "农药登记证号：PD" in item.description and not item.spec.regulated
        elif item.spec.label == "infringing":
            assert "登记证号" not in item.description and item.spec.regulated == (("reg:pesticide", "licence_missing"),)


def test_the_checks_agree_with_the_demo_truth(checks_with_registers: RegulatedChecks) -> None:
    wrong = []
    for item in build_catalogue().listings:
        expected = {(entry, kind) for entry, kind in item.spec.regulated}
        found = {(h.entry_id, h.kind) for h in checks_with_registers.match(_listing(item)) if h.score >= 50}
        if expected != found:
            wrong.append((item.title, expected, found))
    assert not wrong


def test_lead_level_scores_count_a_licence_lead_only_of_the_right_kind() -> None:
    truth = [{"platform": "p", "listing_id": "1", "label": "unrelated", "entry_ids": [],
              "regulated": [{"entry_id": "reg:drug", "kind": "licence_missing"}]}]  # fmt: skip

    def lead(kind: str) -> Lead:
        return Lead(lead_id="x", listing_id="1", platform="p", url="", entry_id="reg:drug", kind=kind, score=60,
                    matched="", reasons=(), listing={})  # fmt: skip

    right = lead_level_scores([lead("licence_missing")], truth, {"p": ["1"]})
    assert (right.true_positives, right.leads, right.expected) == (1, 1, 1)
    wrong = lead_level_scores([lead("licence_expired")], truth, {"p": ["1"]})
    assert (wrong.true_positives, wrong.leads, wrong.expected) == (0, 1, 1)
