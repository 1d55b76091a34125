import pytest

from netsword.models import Lead, Listing, ListingError, Reason, make_lead_id

GOOD = {"id": "1", "platform": "taobao", "url": "https://x/1", "title": "耐克 鞋"}


def test_listing_round_trip_keeps_unknown_keys() -> None:
    data = {**GOOD, "price": "199.5", "seller": {"id": "s1", "name": "店"}, "images": ["a.jpg"], "shop_level": 3}
    listing = Listing.from_dict(data)
    assert listing.price == 199.5
    assert listing.currency == "CNY"
    out = listing.to_dict()
    assert out["shop_level"] == 3
    assert out["seller"] == {"id": "s1", "name": "店"}
    assert Listing.from_dict(out) == listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "is required"),
        ({"id": None}, "id", "is required"),
        ({"price": "cheap"}, "price", "must be a number"),
        ({"price": -1}, "price", "≥ 0"),
        ({"price": [1]}, "price", "must be a number"),
        ({"currency": "yuan"}, "currency", "ISO 4217"),
        ({"images": [1, 2]}, "images", "list of URLs"),
        ({"sales": "many"}, "sales", "whole number"),
        ({"crawled_at": "yesterday"}, "crawled_at", "ISO 8601"),
        ({"seller": 5}, "seller", "must be an object"),
        ({"seller": {"name": ["x"]}}, "seller.name", "must be text"),
        ({"title": {"zh": "x"}}, "title", "must be text"),
    ],
)
def test_listing_errors_name_the_field(change: dict, field: str, message: str) -> None:
    with pytest.raises(ListingError) as info:
        Listing.from_dict({**GOOD, **change})
    assert info.value.field == field
    assert message in str(info.value)


def test_listing_must_be_an_object() -> None:
    with pytest.raises(ListingError, match="must be a JSON object"):
        Listing.from_dict([1, 2])


def test_lead_ids_are_stable_and_distinct() -> None:
    assert make_lead_id("taobao", "1", "tm-nike") == make_lead_id("taobao", "1", "tm-nike")
    assert make_lead_id("taobao", "1", "tm-nike") != make_lead_id("jd", "1", "tm-nike")
    assert make_lead_id("taobao", "1", "tm-nike") != make_lead_id("taobao", "1", "tm-adidas")


def test_lead_round_trip() -> None:
    lead = Lead(
        lead_id="ld-1", listing_id="1", platform="p", url="u", entry_id="tm-nike", kind="false_patent_marking",
        score=77, matched="NIKE", reasons=(Reason("cue_word", "高仿"),), listing=GOOD, cited_number="ZL1",
    )  # fmt: skip
    data = lead.to_dict()
    assert data["cited_number"] == "ZL1"
    assert data["reasons"] == [{"code": "cue_word", "detail": "高仿"}]
    assert Lead.from_dict(data) == lead
