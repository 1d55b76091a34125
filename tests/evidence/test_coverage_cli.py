"""Leads against captures: `netsword evidence verify` lists every lead without a capture or a final reason, and every
capture of a listing no lead has; a manual capture and a lead with no page are no problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence.coverage import check_coverage
from evidence.store import Blob, EvidenceStore
from leads.store import open_store_from_config
from netsword.cli import main
from netsword.config import load_config
from netsword.models import Lead, Reason, make_lead_id


def _lead(listing_id: str, *, entry: str = "tm-nike", platform: str = "taobao", url: str = "") -> Lead:
    url = url or f"https://{platform}.example/{listing_id}"
    listing = {
        "id": listing_id,
        "platform": platform,
        "url": url,
        "title": "耐克 Air Max",
        "crawled_at": "2024-05-01T08:00:00Z",
    }
    return Lead(lead_id=make_lead_id(platform, listing_id, entry), listing_id=listing_id, platform=platform, url=url,
                entry_id=entry, kind="trademark", score=80, matched="耐克", reasons=(Reason("mark", "title"),),
                listing=listing, first_seen="2024-05-01T08:00:00Z", last_seen="2024-05-01T08:00:00Z")  # fmt: skip


def _capture(store: EvidenceStore, listing_id: str, *, origin: str = "crawl") -> None:
    store.add(blobs=[Blob("response", f"<html>{listing_id}</html>".encode(), "text/html")], platform="taobao",
              listing_id=listing_id, url=f"https://taobao.example/{listing_id}", profile="taobao", origin=origin)  # fmt: skip


def test_check_coverage_sorts_leads_into_captured_final_gaps_and_no_page(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    _capture(store, "1")
    _capture(store, "9")  # no lead has listing 9
    _capture(store, "https://elsewhere.example/x", origin="manual")
    store.no_capture("taobao", "2", ["x"], "fetch refused: Forbidden by robots.txt", final=True)
    store.no_capture("taobao", "3", ["y"], "disk full: No space left on device", final=False)
    leads = [_lead("1"), _lead("1", entry="tm-rolex"), _lead("2"), _lead("3"), _lead("4"),
             _lead("p1", platform="parcels", url="parcels:block/7")]  # fmt: skip
    report = store.verify()
    coverage = check_coverage(leads, report.valid, report.reasons, report.origins)
    assert (coverage.leads, coverage.captured, coverage.final, coverage.gap_leads, coverage.no_page) == (6, 2, 1, 2, 1)
    assert [(g.listing.listing_id, g.reason.reason if g.reason else None) for g in coverage.gaps] == [
        ("3", "disk full: No space left on device"), ("4", None)]  # fmt: skip
    assert coverage.gaps[1].line() == (f"taobao 4: no capture (no recorded reason) for lead(s) {leads[4].lead_id}; "
                                       "run netsword evidence backfill")  # fmt: skip
    assert [c.listing_id for c in coverage.unknown] == ["9"]  # the manual capture is no problem


def test_verify_command_exits_1_on_a_gap_and_0_once_it_is_filled(isolated: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("NETSWORD_KEYS_DIR", str(isolated / "keys"))
    cfg = load_config()
    with open_store_from_config(cfg) as leads:
        leads.upsert_many([_lead("1"), _lead("2")])
    store = EvidenceStore.for_config(cfg)
    _capture(store, "1")
    assert main(["evidence", "verify"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("taobao 2: no capture (no recorded reason)")
    assert out[-1].endswith("manifest hashes sealed with the evidence key; 2 leads: 1 with a capture, 0 without one "
                            "for a final reason, 1 without one, 0 with no page; 1 problems")  # fmt: skip
    store.no_capture("taobao", "2", [_lead("2").lead_id], "no profile for this platform may fetch it", final=True)
    assert main(["evidence", "verify"]) == 0
    assert (isolated / "keys" / "evidence.key").exists()
