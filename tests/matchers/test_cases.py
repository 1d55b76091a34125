"""The labelled case table (cases.csv): each row is a listing, the entries that must become leads, the entries that
must not, and a reason code the lead must carry."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matchers import MatchIndex
from netsword.models import Listing

CASES = Path(__file__).with_name("cases.csv")
MIN_SCORE = 50


def _rows() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _listing(row: dict[str, str], number: int) -> Listing:
    data: dict[str, object] = {"id": f"case-{number}", "platform": "test", "url": f"https://t/{number}",
                               "title": row["title"], "crawled_at": "2026-11-01T00:00:00Z"}  # fmt: skip
    for key in ("price", "currency", "category", "ships_from"):
        if row[key]:
            data[key] = row[key]
    if row["seller"]:
        data["seller"] = {"name": row["seller"]}
    return Listing.from_dict(data)


def test_the_table_covers_every_kind() -> None:
    rows = _rows()
    kinds = {r["kind"] for r in rows}
    assert len(rows) >= 300
    assert {
        "separator",
        "homoglyph",
        "digits",
        "fullwidth",
        "zero_width",
        "typo",
        "glued",
        "homophone",
        "traditional",
        "pinyin",
        "cue",
        "evasion",
        "price",
        "negative",
        "authorised",
        "false_marking",
        "patent",
        "gi",
    } <= kinds


@pytest.mark.parametrize("number,row", list(enumerate(_rows(), 2)), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_case(sample_index: MatchIndex, number: int, row: dict[str, str]) -> None:
    hits = {h.entry_id: h for h in sample_index.match(_listing(row, number)) if h.score >= MIN_SCORE}
    where = f"cases.csv:{number} ({row['kind']}: {row['why']}) {row['title']!r} → {sorted(hits)}"
    for entry in row["expect"].split():
        assert entry in hits, where
        if row["reason"]:
            assert row["reason"] in {r.code for r in hits[entry].reasons}, where + f" reasons {hits[entry].reasons}"
    for entry in row["reject"].split():
        assert entry not in hits, where + f" {hits.get(entry)}"
