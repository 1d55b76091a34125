"""The labelled case table (cases.csv): per regime, listings with valid, malformed, expired, withdrawn, unregistered
and borrowed numbers, listings without one, and goods that need none; each row says which lead kind (or none, or
`monitor`: a hit below the lead threshold) the regime's checks must give, with or without the sample registers."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from matchers.regulated import REGULATED_KINDS, RegulatedChecks, load_rules
from netsword.models import Listing

CASES = Path(__file__).with_name("cases.csv")
MIN_SCORE = 50
SEEN = "2026-11-01T00:00:00Z"  # expiry is judged on the day a listing was seen, never on the day the tests run


def _rows() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def listing_of(row: dict[str, str], number: int) -> Listing:
    data: dict[str, object] = {"id": f"case-{number}", "platform": "test", "url": f"https://t/{number}",
                               "title": row["title"], "crawled_at": SEEN}  # fmt: skip
    for key in ("description", "category"):
        if row[key]:
            data[key] = row[key]
    if row["fields"]:
        data.update(json.loads(row["fields"]))
    return Listing.from_dict(data)


def test_the_table_covers_every_regime_and_kind() -> None:
    rows = _rows()
    regimes = {r.id for r in load_rules().regimes}
    assert {row["regime"] for row in rows} == regimes
    for regime in regimes:
        expects = {row["expect"] for row in rows if row["regime"] == regime}
        assert {"none", "licence_malformed"} <= expects, regime  # a fine listing and a malformed number
        assert expects & {"licence_expired", "licence_unregistered", "licence_mismatch"}, regime
        assert expects & {"licence_missing", "monitor"}, regime
        assert any(r["expect"] == "none" and r["registers"] == "yes" for r in rows if r["regime"] == regime), regime
    kinds = Counter(row["expect"] for row in rows)
    assert set(REGULATED_KINDS) <= set(kinds)


@pytest.mark.parametrize("number,row", list(enumerate(_rows(), 2)), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_case(
    checks_with_registers: RegulatedChecks, checks_without_registers: RegulatedChecks, number: int, row: dict[str, str]
) -> None:
    checks = checks_with_registers if row["registers"] == "yes" else checks_without_registers
    hits = [h for h in checks.match(listing_of(row, number)) if h.entry_id == f"reg:{row['regime']}"]
    where = f"cases.csv:{number} ({row['why']}) {row['title']!r} → {[(h.kind, h.score) for h in hits]}"
    leads = [h for h in hits if h.score >= MIN_SCORE]
    if row["expect"] == "none":
        assert not leads, where
    elif row["expect"] == "monitor":
        assert hits and not leads and hits[0].kind == "licence_missing", where
    else:
        assert len(leads) == 1 and leads[0].kind == row["expect"], where
        codes = [r.code for r in leads[0].reasons]
        assert row["reason"] in codes, where + f" reasons {codes}"
        assert codes[-1] == "legal_basis" and " / " in leads[0].reasons[0].detail, where  # cited, in both languages
