"""Crawls of the demo marketplace on loopback, one child process each: every style, faults, robots, resuming."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from demo.score import lead_level_scores
from evidence.store import EvidenceStore
from leads.store import LeadQuery, open_store
from leads.store.listings import ListingQuery

pytestmark = pytest.mark.timeout(300)
KEYWORDS = ["耐克", "NIKE", "劳力士"]


def _leads(var_dir: Path) -> list:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return list(store.iter_leads(LeadQuery()))


def _truth(base_url: str) -> list[dict]:
    with urllib.request.urlopen(f"{base_url}/ground_truth.json") as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def test_static_style_with_faults_detail_pages_and_evidence(market, tmp_path: Path, crawl) -> None:
    stats = crawl(tmp_path, "demo-static", market.base_url, keywords=KEYWORDS, max_pages=3)
    assert stats["finish_reason"] == "finished"
    assert stats["netsword/listings"] >= 20
    assert stats["netsword/detail_pages"] == stats["netsword/listings_seen"]
    assert stats.get("retry_after/waits", 0) >= 1  # the marketplace fails some URLs once with 5xx
    assert "netsword/failed_requests" not in stats
    leads = _leads(tmp_path)
    assert leads and stats["netsword/leads_created"] == len(leads)
    scores = lead_level_scores(leads, _truth(market.base_url), {"demo-static": stats["listing_ids"]})
    assert scores.precision >= 0.6 and scores.recall >= 0.5, scores
    # every new lead's listing has a capture: raw page, screenshot (PNG), rendered page, all hashes intact
    store = EvidenceStore(tmp_path / "evidence")
    for lead in leads:
        capture = store.captures_for(lead.platform, lead.listing_id)[0]
        assert {f.role for f in capture.files} == {"response", "screenshot", "page", "warc"}
        assert capture.kind == "page" and capture.started_at <= capture.ended_at
        assert capture.screenshot_fetch is not None and capture.screenshot_fetch.final_url == capture.final_url
        assert store.read(capture.file("screenshot").sha256).startswith(b"\x89PNG")
        assert capture.profile == "demo-static" and capture.url.startswith(market.base_url)
        assert "Cookie" not in capture.request_headers
    assert store.verify().ok


def test_api_style_with_cursor_and_detail(market, tmp_path: Path, crawl) -> None:
    stats = crawl(tmp_path, "demo-api", market.base_url, keywords=KEYWORDS, max_pages=4, evidence=False)
    assert stats["finish_reason"] == "finished"
    assert stats["netsword/search_pages"] >= 2  # followed next_cursor
    assert stats["netsword/listings"] >= 20
    leads = _leads(tmp_path)
    assert leads
    assert any(lead.listing.get("description") for lead in leads)  # from /api/item/{id}
    # every listing is kept, matched or not, once per listing, stamped with the crawl run (for `netsword rematch`)
    assert stats["netsword/listings_kept"] == stats["netsword/listings"] and "netsword/listings_not_kept" not in stats
    with open_store(f"sqlite:///{tmp_path / 'netsword.db'}") as store:
        kept = list(store.iter_listings(ListingQuery()))
    assert len(kept) == len({(k.platform, k.listing_id) for k in kept}) >= len({lead.listing_id for lead in leads})
    assert {lead.listing_id for lead in leads} <= {k.listing_id for k in kept} and all(k.last_run for k in kept)


def test_feed_style_counts_malformed_rows(market, tmp_path: Path, crawl) -> None:
    stats = crawl(tmp_path, "demo-feed", market.base_url, evidence=False)
    assert stats["finish_reason"] == "finished"
    assert stats["netsword/listings"] >= 500
    assert stats.get("netsword/malformed_items", 0) + stats.get("netsword/bad_listings", 0) >= 1
    assert _leads(tmp_path)


@pytest.mark.browser
def test_browser_style_renders_with_chromium(market, tmp_path: Path, crawl) -> None:
    stats = crawl(tmp_path, "demo-browser", market.base_url, keywords=KEYWORDS[:2], max_pages=2,
                  extra={"NETSWORD_PAGE_MAX_USES": 5})  # fmt: skip
    assert stats["finish_reason"] == "finished"
    assert stats["netsword/listings"] >= 10  # nothing is there without running the page's JavaScript
    # one browser; two pooled pages at a time (the profile's concurrency) served every search and detail page,
    # each retired after 5 requests; all closed at the end
    assert stats["playwright/browser_count"] == 1
    assert stats["playwright/page_count/max_concurrent"] <= 3  # two crawl pages and the evidence page
    pages = stats["netsword/browser_pages_opened"]
    requests = stats["netsword/search_pages"] + stats["netsword/detail_pages"]
    assert stats["netsword/browser_pages_retired"] >= requests // 5 - 2
    assert pages <= 2 + stats["netsword/browser_pages_retired"]
    assert stats["netsword/browser_pages_reused"] >= requests - pages  # every other request reused a page
    assert stats["netsword/browser_pages_closed"] == pages
    # crawl pages never load images; evidence screenshots do
    assert stats["playwright/request_count/aborted"] >= stats["netsword/detail_pages"]
    assert stats["playwright/response_count/resource_type/image"] == stats["netsword/evidence_screenshots"] >= 1
    leads = _leads(tmp_path)
    assert leads
    assert EvidenceStore(tmp_path / "evidence").verify().ok


@pytest.mark.browser
def test_browser_pages_that_fail_are_closed_not_reused(market, tmp_path: Path, crawl) -> None:
    """Every detail page is on a port nobody listens on: each failure closes its page; none stays open."""
    profile = tmp_path / "refused.yaml"
    text = (Path(__file__).resolve().parents[2] / "crawler" / "profiles" / "demo-browser.yaml").read_text("utf-8")
    text = text.replace("platform: demo-browser", "platform: demo-refused").replace(
        "  follow: ['^/browser/item/[^/?#]+$']", "  url: 'http://127.0.0.1:9/browser/item/{id}'"
    )
    # The fetch policy fetches only the profile's own hosts: this profile names the dead port as one of them.
    netloc = market.base_url.split("//", 1)[1].rstrip("/")
    hosts = f"base_url: {market.base_url}/\nallowed_hosts: ['{netloc}', '127.0.0.1:9']"
    text = text.replace("base_url: http://127.0.0.1:8471/", hosts)
    profile.write_text(text, encoding="utf-8")
    stats = crawl(tmp_path, str(profile), "", keywords=["NIKE"], max_pages=1, evidence=False,
                  extra={"RETRY_TIMES": 0, "ROBOTSTXT_OBEY": False})  # fmt: skip
    assert stats["finish_reason"] == "finished"
    failed = stats["netsword/failed_requests"]
    assert failed >= 5 and stats["netsword/incomplete_listings"] == failed  # every detail page failed, results kept
    assert stats["netsword/browser_pages_opened"] >= failed  # a failed page is never handed out again
    assert stats["netsword/browser_pages_closed"] == stats["netsword/browser_pages_opened"]


def test_rate_limit_is_honoured_with_retry_after(tmp_path: Path, crawl) -> None:
    from demo.server import DemoMarket

    slow = DemoMarket(port=0, seed=11, rate_limit=4.0, burst=4.0, fault_rate=0.0, slow_rate=0.0)
    base_url = slow.start()
    try:
        stats = crawl(tmp_path, "demo-static", base_url, keywords=["耐克"], max_pages=2, evidence=False)
    finally:
        slow.stop()
    assert stats["downloader/response_status_count/429"] >= 1
    assert stats["retry_after/waits"] >= 1
    assert "netsword/failed_requests" not in stats
    assert stats["netsword/listings"] == stats["netsword/listings_seen"] >= 10


def test_robots_txt_is_obeyed(market, tmp_path: Path, crawl) -> None:
    profile = tmp_path / "private.yaml"
    profile.write_text(
        "platform: demo-private\nbase_url: http://127.0.0.1:1/\n"
        "search:\n  url: '/private/search?q={keyword}'\n  items: li.item\n  fields: {id: '::attr(data-id)'}\n",
        encoding="utf-8",
    )
    # three searches start together: the two that wait while robots.txt is fetched are refused too
    stats = crawl(tmp_path, str(profile), market.base_url, keywords=KEYWORDS, evidence=False)
    assert stats["robotstxt/forbidden"] == len(KEYWORDS)
    assert "netsword/search_pages" not in stats


def test_interrupted_crawl_resumes_from_jobdir_without_duplicate_leads(market, tmp_path: Path, crawl) -> None:
    jobdir = str(tmp_path / "job")
    common = {"keywords": KEYWORDS, "max_pages": 3, "evidence": False, "jobdir": jobdir}
    first = crawl(tmp_path, "demo-static", market.base_url, extra={"CLOSESPIDER_PAGECOUNT": 8}, **common)
    assert first["finish_reason"] == "closespider_pagecount"
    second = crawl(tmp_path, "demo-static", market.base_url, **common)
    assert second["finish_reason"] == "finished"
    assert set(first["listing_ids"]) <= set(second["listing_ids"])  # the second run knew the first one's listings
    leads = _leads(tmp_path)
    assert len({lead.lead_id for lead in leads}) == len(leads)
    assert all(lead.times_seen == 1 for lead in leads)  # no listing was processed twice
    full = tmp_path / "full"
    full.mkdir()
    whole = crawl(full, "demo-static", market.base_url, keywords=KEYWORDS, max_pages=3, evidence=False)
    assert sorted(whole["listing_ids"]) == sorted(second["listing_ids"])
    assert {lead.lead_id for lead in _leads(full)} == {lead.lead_id for lead in leads}
