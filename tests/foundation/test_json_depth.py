"""A deeply nested JSON line is one `file:line` error, counted, and the good lines after it are still read.

Listings JSONL (`netsword match`), parcel manifests (`parcels import`) and crawled feeds and API bodies.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netsword import bounded_json
from netsword.cli import main

REPO = Path(__file__).resolve().parents[2]
TRADEMARKS = REPO / "watchlists" / "samples" / "trademarks.yaml"
SAMPLE = (REPO / "demo" / "sample_listings.jsonl").read_text(encoding="utf-8").splitlines()
CRASHES_JSON = '{"id": "x", "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"  # RecursionError in json.loads
DECODES_DEEP = '{"id": "y", "extra": ' + "[" * 500 + "]" * 500 + "}"  # decodes, crashes whatever walks it next


def test_bounded_loads() -> None:
    assert bounded_json.loads('{"a": [[1]]}') == {"a": [[1]]}
    bounded_json.loads("[" * 64 + "]" * 64)
    for text in ("[" * 65 + "]" * 65, CRASHES_JSON, DECODES_DEEP):
        with pytest.raises(bounded_json.JsonTooDeep, match="JSON nested more than 64 levels deep"):
            bounded_json.loads(text)


def test_bracket_count_shortcut_is_exact_at_the_limit() -> None:
    """Text with no more brackets than the limit skips the depth walk; text with more is walked, so brackets inside
    strings cannot hide a deep value and cannot make a shallow one fail (str and bytes alike)."""
    deep = "[" * 65 + "]" * 65
    for text in (deep, deep.encode()):
        with pytest.raises(bounded_json.JsonTooDeep):
            bounded_json.loads(text)
    shallow = json.dumps({"title": "[" * 200 + "{" * 200, "tags": [["a"], ["b"]]})
    assert bounded_json.loads(shallow)["tags"] == [["a"], ["b"]]
    assert bounded_json.loads(shallow.encode())["title"].startswith("[[[")
    with pytest.raises(bounded_json.JsonTooDeep):
        bounded_json.loads(json.dumps({"title": "[" * 10, "x": json.loads(deep)}))


def test_netsword_match_reports_the_deep_lines_and_reads_on(isolated: Path, capsys) -> None:
    listings = isolated / "listings.jsonl"
    listings.write_text("\n".join([SAMPLE[0], CRASHES_JSON, DECODES_DEEP, *SAMPLE[1:4]]) + "\n", encoding="utf-8")
    out = isolated / "leads.jsonl"
    code = main(["match", "--watchlist", str(TRADEMARKS), "--listings", str(listings), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2  # bad lines
    assert f"{listings}:2: JSON nested more than 64 levels deep" in err
    assert f"{listings}:3: JSON nested more than 64 levels deep" in err
    assert "4 listings, 2 bad lines" in err
    matched = {json.loads(line)["listing_id"] for line in out.read_text(encoding="utf-8").splitlines()}
    assert matched & {json.loads(line)["id"] for line in SAMPLE[1:4]}  # listings after the deep lines gave leads


def test_parcel_manifest_reports_the_deep_line_and_reads_on(tmp_path: Path) -> None:
    from parcels.manifest import read_manifest
    from parcels.mapping import find_mapping
    from parcels.model import BadRow, Parcel

    row = {"waybill": "SF1000000001", "shipped_at": "2024-03-01 10:00:00", "declared_contents": "耐克鞋",
           "sender_name": "张伟", "sender_phone": "13800138000", "receiver_address": "北京市朝阳区建国路1号"}  # fmt: skip
    path = tmp_path / "m.jsonl"
    second = {**row, "waybill": "SF1000000002"}
    path.write_text("\n".join([json.dumps(row), CRASHES_JSON, json.dumps(second)]) + "\n", encoding="utf-8")
    records = list(read_manifest(path, find_mapping("generic")))
    assert [r.waybill for r in records if isinstance(r, Parcel)] == ["SF1000000001", "SF1000000002"]
    assert [str(r) for r in records if isinstance(r, BadRow)] == [
        f"{path}:2: row: JSON nested more than 64 levels deep"
    ]


def test_a_crawled_feed_line_too_deep_is_one_error_and_later_listings_count(tmp_path: Path) -> None:
    from crawler.extract import parse_page
    from crawler.profile_loader import load_profile

    feed = load_profile("demo-feed")
    body = "\n".join([SAMPLE[0], CRASHES_JSON, DECODES_DEEP, SAMPLE[1]]).encode()
    parsed = parse_page(feed, body, "http://127.0.0.1/feed/listings.jsonl")
    assert [item["id"] for item in parsed.listings] == [json.loads(SAMPLE[0])["id"], json.loads(SAMPLE[1])["id"]]
    assert parsed.errors == [
        "http://127.0.0.1/feed/listings.jsonl: line 2: JSON nested more than 64 levels deep",
        "http://127.0.0.1/feed/listings.jsonl: line 3: JSON nested more than 64 levels deep",
    ]


@pytest.mark.parametrize(
    ("profile", "body"),
    [
        ("demo-api", '{"items": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        ("demo-api", '{"items": [' + "[" * 500 + "]" * 500 + "]}"),
        ("taobao-search", "<script>g_page_config = " + "[" * 100_000 + "]" * 100_000 + ";</script>"),
        ("taobao-search", "<script>g_page_config = " + "[" * 500 + "]" * 500 + ";</script>"),
    ],
)
def test_a_crawled_api_body_too_deep_is_an_unreadable_page_not_a_crash(profile: str, body: str) -> None:
    from crawler.extract import parse_page
    from crawler.profile_loader import load_profile

    parsed = parse_page(load_profile(profile), body.encode(), "http://127.0.0.1/api")
    assert parsed.listings == []
    assert parsed.errors and "JSON nested more than 64 levels deep" in parsed.errors[0]
