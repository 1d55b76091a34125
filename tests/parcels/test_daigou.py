"""Daigou (overseas-purchase) claims contradicted by the listing: table-driven cases from daigou_cases.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from matchers.daigou import daigou_claim, daigou_signals
from netsword.models import Listing

CASES = yaml.safe_load((Path(__file__).parent / "daigou_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_daigou_signals(case: dict[str, Any]) -> None:
    listing = Listing.from_dict({"id": "1", "platform": "t", "url": "https://x.example/1", **case["listing"]})
    signals = daigou_signals(listing, case["floor"])
    assert [reason.code for reason, _ in signals] == case["codes"]
    assert all(points > 0 and reason.detail for reason, points in signals)


def test_claim_is_reported() -> None:
    listing = Listing(id="1", platform="t", url="u", title="正品 海外代购 包邮")
    assert daigou_claim(listing) == "海外代购"
    assert daigou_claim(Listing(id="1", platform="t", url="u", title="正品 包邮")) == ""
