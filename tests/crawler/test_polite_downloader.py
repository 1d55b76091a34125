"""A site never has more requests from the crawl at once than its profile's `politeness.concurrency`
(crawler.downloader.PoliteDownloader): Scrapy 2.19's own downloader, under the asyncio reactor, let a result page's
detail requests out together. Measured where it counts, at the server: requests being answered at the same time."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(300)
PROFILES = Path(__file__).resolve().parents[2] / "crawler" / "profiles"
CONCURRENCY = 3


@pytest.fixture(scope="module")
def counted_market() -> Iterator[tuple[Any, dict[str, int]]]:
    """The demo marketplace answering each request after 20 ms, counting the requests it is answering at once."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=3, rate_limit=0, fault_rate=0.0, slow_rate=0.0)
    inner, live = server.app, {"now": 0, "most": 0}

    async def counting(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        live["now"] += 1
        live["most"] = max(live["most"], live["now"])
        try:
            await asyncio.sleep(0.02)
            return await inner(scope, receive, send)
        finally:
            live["now"] -= 1

    server.app = counting
    server.start()
    yield server, live
    server.stop()


def test_a_site_gets_at_most_its_concurrency(counted_market: Any, tmp_path: Path, crawl: Any) -> None:
    server, live = counted_market
    profile = tmp_path / "demo-static-3.yaml"
    text = (PROFILES / "demo-static.yaml").read_text(encoding="utf-8")
    profile.write_text(text.replace("politeness: {concurrency: 8}", f"politeness: {{concurrency: {CONCURRENCY}}}"),
                       encoding="utf-8")  # fmt: skip
    assert f"concurrency: {CONCURRENCY}" in profile.read_text(encoding="utf-8")
    live["most"] = 0
    # AutoThrottle off and no delay (crawler.autothrottle = false): nothing but the concurrency holds requests back
    stats = crawl(tmp_path, str(profile), server.url, keywords=["耐克", "NIKE", "劳力士", "古驰"], max_pages=2,
                  evidence=False, extra={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0})
    assert stats["netsword/detail_pages"] >= 10  # each result page yields its detail requests together
    assert stats["crawl"]["status"] == "complete"
    assert 2 <= live["most"] <= CONCURRENCY, live
