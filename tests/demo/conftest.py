"""Fixtures for the demo marketplace tests: one well-behaved server per module, and an HTTP client for it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from demo.server import DemoMarket


@pytest.fixture(scope="module")
def market() -> Iterator[DemoMarket]:
    """A server with no rate limit, faults or slowness, so shape tests see exact answers."""
    with DemoMarket(port=0, rate_limit=None, fault_rate=0.0, slow_rate=0.0) as running:
        yield running


@pytest.fixture()
def client(market: DemoMarket) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=market.url, timeout=10) as http:
        http.post("/admin/reset").raise_for_status()
        yield http
