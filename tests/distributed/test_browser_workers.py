"""A profile rendered by Chromium (scrapy-playwright) crawled through `netsword worker` and `netsword writer` on a
real redis-server: two workers share the demo's browser pages (JavaScript results with "load more", details that
render late), no page is fetched twice, and the leads equal a one-process crawl's.

The demo answers some pages 500/502/503 once (deterministic per URL), so browser requests are retried through
Redis: a retried request carries what the downloader gave it for one fetch (the page guard, a Chromium page), which
JSON cannot hold and must not go to Redis; the worker that takes it back asks for Chromium afresh."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from scrapy.utils.request import request_from_dict

from crawler.browser_guard import GUARD_META, ORIGINAL_INIT_META, guard_page
from crawler.distributed import serializer
from crawler.distributed.keys import Keys
from crawler.distributed.spider import DistributedSpider
from crawler.middlewares.page_pool import POOL_META, TURN_META
from crawler.profile_loader import load_profile
from demo.server import DemoMarket
from netsword.browser import ensure_browser
from netsword.redis_server import LocalRedis
from tests.distributed.test_kill import leads_of, start, stop_all, stored_total, write_config

KEYWORDS = ("gucci",)
NAVIGATIONS = re.compile(r"^/browser/(search\?|item/)")


@pytest.fixture
def markets() -> Iterator[tuple[DemoMarket, DemoMarket]]:
    """One marketplace for the one-process crawl, one for the workers: each counts its own requests."""
    pair = tuple(DemoMarket(port=0, rate_limit=None, fault_rate=0.2, slow_rate=0.0) for _ in "ab")
    for market in pair:
        market.start()
    yield pair  # type: ignore[misc]
    for market in pair:
        market.stop()


def navigations(market: DemoMarket) -> dict[str, int]:
    return {key: n for key, n in market.hits.items() if NAVIGATIONS.match(key)}


def rendered(log: Path) -> int:
    found = re.search(r"'playwright/request_count/navigation': (\d+)", log.read_text())
    return int(found.group(1)) if found else 0


@pytest.mark.browser
def test_two_workers_share_a_browser_crawl(tmp_path: Path, markets: tuple[DemoMarket, DemoMarket],
                                           local_redis: LocalRedis) -> None:  # fmt: skip
    ensure_browser()
    one, shared = markets
    crawl = ["demo-browser", "--no-evidence", "--no-alerts"] + [a for k in KEYWORDS for a in ("--keyword", k)]
    single_cfg = write_config(tmp_path / "single.toml", tmp_path / "single")
    dist_cfg = write_config(tmp_path / "dist.toml", tmp_path / "dist")
    url = local_redis.url
    single = start(["crawl", *crawl, "--base-url", one.url], single_cfg, tmp_path / "single.log")
    writer = start(["writer", "--redis-url", url, "--no-alerts"], dist_cfg, tmp_path / "writer.log")
    workers = {
        name: start(["worker", "demo-browser", "--name", name, "--redis-url", url, "--base-url", shared.url,
                     "--no-evidence", "-s", "CONCURRENT_REQUESTS=2"], dist_cfg, tmp_path / f"{name}.log")
        for name in ("a", "b")
    }  # fmt: skip
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 60
        while client.scard(Keys("kt", "demo-browser").workers) < 2:  # both Chromiums up before the seeds go in
            assert time.monotonic() < deadline, "the workers never registered"
            assert all(w.poll() is None for w in workers.values()), (tmp_path / "a.log").read_text()[-3000:]
            time.sleep(0.05)
        follower = start(["crawl", *crawl, "--distributed", "--redis-url", url], dist_cfg, tmp_path / "follow.log")
        assert follower.wait(120) == 0, (tmp_path / "follow.log").read_text()
        assert single.wait(120) == 0, (tmp_path / "single.log").read_text()[-3000:]
    finally:
        stop_all((*workers.values(), writer, single))
        client.close()
    follow_out = (tmp_path / "follow.log").read_text()
    assert "crawl demo-browser: complete" in follow_out, follow_out
    assert stored_total(follow_out) == stored_total((tmp_path / "single.log").read_text()) > 0
    single_leads, dist_leads = leads_of(single_cfg), leads_of(dist_cfg)
    assert single_leads and {k: v[0] for k, v in dist_leads.items()} == {k: v[0] for k, v in single_leads.items()}
    assert {seen for _, seen in dist_leads.values()} == {1}  # no listing counted twice
    # every page the workers rendered was asked for once, and once more only when the demo failed it on purpose
    pages = navigations(shared)
    assert pages.keys() == navigations(one).keys()
    assert {key: n - (key in shared._realism.failed) for key, n in pages.items()} == dict.fromkeys(pages, 1)
    assert any(key in shared._realism.failed for key in pages)  # some browser requests went back through Redis
    assert min(rendered(tmp_path / f"{name}.log") for name in workers) > 0  # both workers rendered pages
    assert "Traceback" not in "".join((tmp_path / f"{n}.log").read_text() for n in (*workers, "writer"))


def test_a_retried_browser_request_goes_to_redis_as_json_and_comes_back_rendered() -> None:
    """What a browser request holds after one pass through the downloader (the page guard, a pooled page, a
    context with cookies and a proxy) stays out of Redis; the request comes back with the profile's page methods."""
    profile = load_profile("demo-browser")
    spider = DistributedSpider(profile=profile, worker="w")
    fresh = spider.search_request("nike", page=profile.pagination.start)
    retried = fresh.replace(meta={
        **fresh.meta, "playwright_page_init_callback": guard_page, GUARD_META: "g1", ORIGINAL_INIT_META: None,
        "playwright_page": object(), TURN_META: "crawl", "playwright_include_page": True, "retry_times": 1,
        "playwright_context": "@demo-browser~1",
        "playwright_context_kwargs": {"storage_state": {"cookies": [{"name": "sid", "value": "s3cret"}]},
                                      "proxy": {"server": "http://p:8080", "password": "pr0xy"}},
    })  # fmt: skip
    data = serializer.dumps(spider.portable(retried.to_dict(spider=spider)))
    assert b"s3cret" not in data and b"pr0xy" not in data and b"playwright" not in data
    back = spider.restore_request(request_from_dict(serializer.loads(data), spider=spider))
    assert back.callback == spider.parse_search and back.meta["retry_times"] == 1
    assert back.meta["playwright"] is True and back.meta["playwright_context"] == "crawl" and back.meta[POOL_META]
    assert [(m.method, m.args, m.kwargs) for m in back.meta["playwright_page_methods"]] == [
        (m.method, m.args, m.kwargs) for m in fresh.meta["playwright_page_methods"]
    ]
    left_out = {GUARD_META, ORIGINAL_INIT_META, TURN_META, "playwright_page", "playwright_context_kwargs"}
    assert not left_out & set(back.meta)
