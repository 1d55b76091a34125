"""`--out -` means standard output for every command that writes a file of results, and never a file named `-`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from leads.listings_io import read_listings
from leads.process import process
from leads.sink import LeadSink
from leads.store import open_store
from matchers import compile_index
from netsword.cli import main
from netsword.models import Listing
from watchlists import load_watchlists

REPO = Path(__file__).resolve().parents[2]
TRADEMARKS = REPO / "watchlists" / "samples" / "trademarks.yaml"
SAMPLE = REPO / "demo" / "sample_listings.jsonl"


def test_match_out_dash_writes_leads_to_stdout(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["match", "--watchlist", str(TRADEMARKS), "--listings", str(SAMPLE), "--out", "-"]) == 0
    out, err = capsys.readouterr()
    leads = [json.loads(line) for line in out.splitlines()]
    assert leads and all("lead_id" in lead for lead in leads)
    assert "leads" in err  # the summary goes to stderr, apart from the data
    assert not (isolated / "-").exists()


def test_leads_export_out_dash_writes_to_stdout(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store("sqlite:///var/netsword.db") as store:
        index = compile_index(load_watchlists([TRADEMARKS]))
        for listing in read_listings(SAMPLE):
            assert isinstance(listing, Listing)
            process(listing, index, LeadSink(store), min_score=0)
    capsys.readouterr()
    assert main(["leads", "export", "--format", "csv", "--out", "-"]) == 0
    out = capsys.readouterr().out
    assert next(csv.reader(io.StringIO(out)))[:3] == ["lead_id", "score", "kind"]
    assert not (isolated / "-").exists()


def test_parcels_generate_out_dash_writes_the_manifest_to_stdout(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parcels", "generate", "--parcels", "200", "--out", "-"]) == 0
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) >= 200 and rows[0]["waybill"].startswith("SY")  # planted patterns may add to a small run
    assert "standard output" in err
    assert not (isolated / "-").exists() and not list(isolated.glob("*.json")) and not list(isolated.glob("*.yaml"))
    assert main(["parcels", "generate", "--parcels", "200", "--out", "-", "--truth", "t.json"]) == 0
    assert json.loads((isolated / "t.json").read_text(encoding="utf-8"))["parcels"] == len(rows)
