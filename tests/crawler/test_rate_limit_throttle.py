"""RateLimitThrottle on one download slot: a rate limit doubles the slot's delay (once per window) and holds it for the
Retry-After; other answers bring the delay back down; a bare 503 is a server error, not a rate limit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.middlewares import rate_limit
from crawler.middlewares.rate_limit import RateLimitThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(rate_limit.time, "monotonic", clock)
    return clock


def _throttle(**settings: Any) -> tuple[RateLimitThrottle, Any]:
    crawler = get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0.0, **settings})
    crawler.stats.open_spider()
    slot = SimpleNamespace(delay=0.0, lastseen=0.0)
    crawler.engine = SimpleNamespace(
        downloader=SimpleNamespace(get_slot_key=lambda request: "shop", slots={"shop": slot})
    )
    return RateLimitThrottle(crawler), slot


def _answer(throttle: RateLimitThrottle, status: int, retry_after: str = "") -> None:
    request = Request("https://shop.example/item/1")
    headers = {"Retry-After": retry_after} if retry_after else {}
    throttle.process_response(request, Response(request.url, status=status, headers=headers, request=request))


def test_a_rate_limit_slows_the_domain_once_per_window_and_holds_it_for_retry_after(clock: Clock) -> None:
    throttle, slot = _throttle()
    _answer(throttle, 429, "1")
    assert slot.delay == 0.25  # NETSWORD_RATE_LIMIT_MIN_DELAY
    assert slot.lastseen == pytest.approx(clock.now + 1 - 0.25)  # nothing leaves the slot for a second
    _answer(throttle, 429, "1")  # an answer to a request sent before the slow-down: not counted again
    assert slot.delay == 0.25
    clock.now += 1.5
    _answer(throttle, 429)
    assert slot.delay == 0.5
    assert throttle.crawler.stats.get_value("throttle/rate_limited") == 3
    assert throttle.crawler.stats.get_value("throttle/slowdowns") == 2
    assert throttle.crawler.stats.get_value("throttle/max_delay") == 0.5


def test_other_answers_bring_the_delay_back_down(clock: Clock) -> None:
    throttle, slot = _throttle(NETSWORD_RATE_LIMIT_RECOVERY=0.5)
    _answer(throttle, 429)
    clock.now += 2
    _answer(throttle, 429)
    assert slot.delay == 0.5
    _answer(throttle, 200)
    assert slot.delay == 0.25
    for _ in range(20):
        _answer(throttle, 200)
    assert slot.delay == 0.0 and throttle.floors == {}  # back to DOWNLOAD_DELAY


def test_the_delay_is_capped_and_a_bare_503_is_not_a_rate_limit(clock: Clock) -> None:
    throttle, slot = _throttle(NETSWORD_RATE_LIMIT_MAX_DELAY=1.0)
    _answer(throttle, 503)
    assert slot.delay == 0.0 and throttle.floors == {}
    for _ in range(6):
        _answer(throttle, 503, "2")
        clock.now += 3
    assert slot.delay == 1.0


def test_a_retry_after_above_the_cap_does_not_hold_the_domain(clock: Clock) -> None:
    throttle, slot = _throttle()
    _answer(throttle, 429, "3600")  # its request is given up (retry_after): waiting an hour helps nobody
    assert slot.delay == 0.25 and slot.lastseen == 0.0
