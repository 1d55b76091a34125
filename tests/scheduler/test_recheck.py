"""The re-check job against the demo marketplace, through the scheduler and `netsword recheck` in a child: a
taken-down listing is marked so, a price change is recorded and reaches an alert rule."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from alerts.outbox import Item, Outbox
from crawler.page_state import read_page
from crawler.profile_loader import load_profile
from leads.process import process
from leads.sink import LeadSink
from leads.store import LeadQuery, open_store
from matchers.configured import build_index
from netsword.cli import main
from netsword.config import Config
from netsword.models import Listing
from scheduler.history import RunHistory
from scheduler.jobs_loader import parse_jobs
from scheduler.runner import JobRunner
from tests.scheduler.helpers import runs_of, write_jobs


@functools.cache
def _index() -> Any:
    from netsword.config import load_config

    return build_index(load_config(env={}))


def _infringing(market: Any, platform: str, count: int) -> list[dict[str, Any]]:
    """Listings the demo marks infringing whose title alone gives a lead (so the test does not hang on scoring)."""
    from leads.process import find_leads

    index = _index()
    rows = []
    for row in market.ground_truth():
        if row["platform"] == platform and row["label"] == "infringing" and "<" not in row["title"]:
            listing = Listing(id=row["listing_id"], platform=platform, url="http://x/", title=row["title"])
            if find_leads(listing, index, min_score=0):
                rows.append(row)
        if len(rows) == count:
            return rows
    raise AssertionError(f"the demo has fewer than {count} usable {platform} listings")


def seed_leads(cfg: Config, market: Any, rows: list[dict[str, Any]]) -> dict[str, str]:
    """Leads for demo listings, made the normal way (leads.process) from what each item page shows now."""
    urls = {}
    index = _index()
    with open_store(cfg.store_url) as store:
        for row in rows:
            path = "api" if row["platform"] == "demo-api" else "static"
            url = f"{market.url}/{path}/item/{row['listing_id']}"
            page = httpx.get(url)
            profile = load_profile(row["platform"]).with_base_url(market.url)
            state = read_page(page.status_code, page.content, url, page.headers["content-type"], profile)
            assert not state.taken_down and state.price is not None, (url, state)
            listing = Listing(id=row["listing_id"], platform=row["platform"], url=url, title=row["title"],
                              price=state.price)  # fmt: skip
            assert process(listing, index, LeadSink(store), min_score=0).leads, row["title"]
            urls[row["listing_id"]] = url
    return urls


def leads_of(cfg: Config, listing_id: str) -> list[Any]:
    with open_store(cfg.store_url) as store:
        return [lead for lead in store.iter_leads(LeadQuery()) if lead.listing_id == listing_id]


def recheck_job(market: Any) -> str:
    """A re-check of the demo platforms, their profiles pointed at the marketplace's free port."""
    options = f"delay: 0, timeout: 10s, base_url: '{market.url}', platforms: [demo-static, demo-api]"
    return f"jobs:\n  - {{id: recheck, kind: recheck, every: 1h, {options}}}\n"


def run_recheck(cfg: Config, market: Any) -> Any:
    history = RunHistory.for_config(cfg)
    try:
        specs = {spec.id: spec for spec in parse_jobs(recheck_job(market))}
        return JobRunner(cfg, specs, history, threading.Event()).run("recheck", trigger="run-now")
    finally:
        history.close()


def test_recheck_marks_takedown_and_records_price_change(fresh_market: Any, cfg: Config) -> None:
    market = fresh_market
    gone, repriced, steady = _infringing(market, "demo-static", 3)
    api_item = _infringing(market, "demo-api", 1)[0]
    seed_leads(cfg, market, [gone, repriced, steady, api_item])
    with open_store(cfg.store_url) as store:  # a lead whose URL robots.txt forbids is never fetched
        lead = next(iter(store.iter_leads(LeadQuery())))
        store.put_raw([lead.with_changes(lead_id="ld-private", listing_id="private-1", url=f"{market.url}/private/x")])

    first = run_recheck(cfg, market)
    assert first.outcome == "ok" and first.listings == 5 and first.pages == 4 and first.errors == 0
    assert "1 disallowed by robots.txt" in first.message
    assert market.hits.get("/private/x", 0) == 0

    old_price = leads_of(cfg, repriced["listing_id"])[0].price
    new_price = round(old_price * 0.5 + 1, 2)
    assert httpx.post(f"{market.url}/admin/takedown/demo-static/{gone['listing_id']}").status_code == 200
    assert httpx.post(f"{market.url}/admin/price/demo-static/{repriced['listing_id']}?price={new_price}").is_success
    assert httpx.post(f"{market.url}/admin/takedown/demo-api/{api_item['listing_id']}").status_code == 200

    second = run_recheck(cfg, market)
    assert second.outcome == "ok", second.message
    for listing_id in (gone["listing_id"], api_item["listing_id"]):
        for lead in leads_of(cfg, listing_id):
            assert lead.listing["availability"] == "taken_down"
            assert lead.listing["taken_down_reason"] == "HTTP 404" and lead.listing["taken_down_at"]
            assert lead.status == "new"  # triage status is the analyst's, not the re-check's
    for lead in leads_of(cfg, repriced["listing_id"]):
        assert lead.price == new_price
        assert [p["price"] for p in lead.price_history] == [old_price, new_price]
        assert "availability" not in lead.listing
    for lead in leads_of(cfg, steady["listing_id"]):
        assert len(lead.price_history) == 1 and "availability" not in lead.listing
    assert "1 price change(s)" in second.message

    third = run_recheck(cfg, market)  # taken-down listings are not revisited; nothing else changed
    assert third.listings == 3 and "0 price change(s)" in third.message
    assert len(leads_of(cfg, repriced["listing_id"])[0].price_history) == 2


def test_run_now_prints_the_run_and_status_shows_it(
    fresh_market: Any, cfg: Config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    market = fresh_market
    seed_leads(cfg, market, _infringing(market, "demo-static", 1))
    jobs = write_jobs(tmp_path / "jobs.yaml", recheck_job(market))
    assert main(["schedule", "run-now", "--jobs", str(jobs), "recheck"]) == 0
    assert "recheck: ok; pages 1, listings 1" in capsys.readouterr().out
    assert main(["schedule", "run-now", "--jobs", str(jobs), "nope"]) == 2
    assert main(["schedule", "status"]) == 0
    out = capsys.readouterr().out
    assert "daemon: not running" in out and "recheck" in out and " ok " in out
    assert [run.trigger for run in runs_of(cfg)] == ["run-now"]


RULES = """\
version: 1
rules:
  - id: demo-static-watch
    to: [brand@example.com]
    platforms: [demo-static]
    min_score: 0
"""


def waiting_alerts(cfg: Config) -> list[Item]:
    with Outbox.for_config(cfg) as outbox:
        return outbox.waiting("immediate")


def test_a_price_change_found_by_a_recheck_reaches_an_alert_rule(
    fresh_market: Any, cfg: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    market = fresh_market
    repriced, steady = _infringing(market, "demo-static", 2)
    seed_leads(cfg, market, [repriced, steady])  # stored with no listener: nobody has been told of them
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(rules))  # for the re-check child

    first = run_recheck(cfg, market)
    assert first.outcome == "ok" and first.listings == 2, first.message
    assert waiting_alerts(cfg) == []  # both listings as they were: nothing to tell

    old_price = leads_of(cfg, repriced["listing_id"])[0].price
    new_price = round(old_price * 0.5 + 1, 2)
    assert httpx.post(f"{market.url}/admin/price/demo-static/{repriced['listing_id']}?price={new_price}").is_success
    second = run_recheck(cfg, market)
    assert second.outcome == "ok" and "1 price change(s)" in second.message, second.message
    alerted = waiting_alerts(cfg)
    assert {item.lead_id for item in alerted} == {lead.lead_id for lead in leads_of(cfg, repriced["listing_id"])}
    assert {(item.rule_id, item.recipient) for item in alerted} == {("demo-static-watch", "brand@example.com")}
    assert all(item.lead.price == new_price for item in alerted)  # the alert carries the lead as stored now
