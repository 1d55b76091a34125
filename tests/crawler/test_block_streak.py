"""A platform is stopped only when distinct pages keep being blocked (crawler.middlewares.blocks): one login-walled
product page, asked for again and again (its retries, then the evidence capture's visit in Chromium), is one lost
detail page — its listing kept, marked incomplete — not a blocked run, and no block page is kept as its evidence."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from gbk_market import SOURCE, GbkMarket, crawl_cli, keywords_for  # noqa: E402

from evidence.store import EvidenceStore
from netsword.config import load_config

pytestmark = pytest.mark.timeout(300)
PROFILES = Path(__file__).parent / "profiles"
WALLED_PROFILE = """
blocked:
  url: ['/passport/login']   # where the shop sends a visitor who is not logged in
  stop_after: 2
  backoff: 0.1
"""


@pytest.fixture(scope="module")
def market() -> Iterator[GbkMarket]:
    server = GbkMarket(size=120)
    server.start()
    yield server
    server.stop()


def test_one_walled_detail_page_is_a_lost_detail_not_a_blocked_platform(market: GbkMarket, tmp_path: Path) -> None:
    keyword = keywords_for(market, 1)[0]
    infringing = {row["listing_id"] for row in market.ground_truth() if row["label"] == "infringing"}
    first_page = list(market.catalogue.search(SOURCE, keyword))[:10]
    walled = next(i for i in first_page if i in infringing and market.link_kind(i) == "item")
    market.walled = {walled}
    profile = tmp_path / "gbk-shop-walled.yaml"
    profile.write_text((PROFILES / "gbk-shop.yaml").read_text(encoding="utf-8") + WALLED_PROFILE, encoding="utf-8")
    env = {"NETSWORD_KEYS_DIR": str(tmp_path / "keys"), "NETSWORD_ALERTS_OPERATORS": "ops@example.org"}
    try:
        result = crawl_cli(str(profile), f"{market.base_url}/gbk/", [keyword], tmp_path / "var", max_pages=1,
                           evidence=True, exit_codes=(0, 3, 5), env=env)  # fmt: skip
    finally:
        market.walled = set()
    log = result["log"]
    # the page was asked for 3 times by the crawl (stop_after 2 retries) and once by the evidence capture
    assert log.count("with a block page") == 4, log[-4000:]
    assert "the same page again, not counted twice" in log and "(2 in a row)" not in log
    assert result["code"] == 3, log[-4000:]  # partial: one detail page lost, the platform not stopped
    assert "crawl gbk-shop: partial" in result["out"] and "lost: blocked:" not in result["out"]
    assert not result.get("netsword/platforms_blocked") and not result.get("netsword/operator_alerts")
    assert not result.get("netsword/blocked_not_sent")
    by_id = {x["id"]: x for x in result["listings"]}
    assert sorted(by_id) == sorted(first_page)  # every result of the page stored, the walled one included
    kept = by_id[walled]
    assert kept["detail"] == "failed" and kept["detail_error"].startswith(
        "blocked 3 times: rule (url: /passport/login)"
    )
    assert kept["title"] and kept["seller"]["name"]  # the search result, kept
    assert result["netsword/incomplete_listings"] >= 1
    # the evidence capture of the walled listing names the block and keeps no login page
    cfg = load_config(env={"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var"), **env})
    store = EvidenceStore.for_config(cfg, create_key=False)
    try:
        captures = store.captures_for("gbk-shop", walled)
        assert captures, "the walled listing's lead has a capture"
        for capture in captures:
            assert "/passport/login" not in capture.final_url
            assert not any(f.role in ("screenshot", "page") for f in capture.files)
            assert any("blocked" in note for note in capture.missing), capture.missing
    finally:
        store.close()


def test_distinct_blocked_pages_still_stop_the_platform(market: GbkMarket, tmp_path: Path) -> None:
    """Every detail page walled: distinct pages in a row stop the platform (exit 5, the operators told)."""
    keyword = keywords_for(market, 1)[0]
    market.walled = set(market.listings)
    profile = tmp_path / "gbk-shop-walled.yaml"
    profile.write_text((PROFILES / "gbk-shop.yaml").read_text(encoding="utf-8") + WALLED_PROFILE, encoding="utf-8")
    env = {"NETSWORD_ALERTS_OPERATORS": "ops@example.org", "NETSWORD_SMTP_HOST": ""}
    try:
        result = crawl_cli(str(profile), f"{market.base_url}/gbk/", [keyword], tmp_path / "var", max_pages=1,
                           exit_codes=(0, 3, 5), env=env)  # fmt: skip
    finally:
        market.walled = set()
    assert result["code"] == 5, result["log"][-4000:]
    assert result["netsword/platforms_blocked"] == 1 and result["netsword/operator_alerts"] == 1
    assert "stopped after 2 blocks in a row" in result["out"]
