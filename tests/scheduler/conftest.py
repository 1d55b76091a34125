"""Scheduler fixtures: the demo marketplace on a free port, a private var/ per test, and helpers to wait on runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netsword.config import Config, load_config


@pytest.fixture(scope="module")
def market() -> Iterator[Any]:
    """A well-behaved demo marketplace (no faults, no rate limit): these tests are about timing, not retries."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=0.0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_market(market: Any) -> Any:
    """The module's marketplace with takedowns and price changes of earlier tests undone."""
    import httpx

    httpx.post(f"{market.url}/admin/reset").raise_for_status()
    return market


@pytest.fixture
def var_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """NETSWORD_* settings pointing at a private var/ (for this process and for children)."""
    for name in list(os.environ):
        if name.startswith("NETSWORD_") and not name.startswith("NETSWORD_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    env = {"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def cfg(var_env: dict[str, str]) -> Config:
    return load_config(env=var_env)
