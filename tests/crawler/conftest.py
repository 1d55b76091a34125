"""Loopback fixtures: the demo marketplace on a free port, and a crawl run in a child process against it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHILD = Path(__file__).with_name("crawl_child.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def market() -> Iterator[Any]:
    """A demo marketplace with faults (15 % of URLs fail once with 5xx; some answers are slow) but a generous rate limit."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=500.0, fault_rate=0.15, slow_rate=0.02)
    base_url = server.start()
    server.base_url = base_url
    yield server
    server.stop()


@pytest.fixture(scope="module")
def quiet_market() -> Iterator[Any]:
    """The demo marketplace without faults or slow answers: two crawls of it fetch the same listings."""
    from demo.server import DemoMarket

    server = DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=0.0)
    server.start()
    yield server
    server.stop()


def child_command(var_dir: Path, profile: str, base_url: str, **kwargs: Any) -> dict[str, Any]:
    """subprocess arguments for a crawl in a child process with its own var/ (store and evidence)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env["NETSWORD_PATHS_VAR_DIR"] = str(var_dir)
    env["PYTHONPATH"] = str(REPO)
    payload = json.dumps({"profile": profile, "base_url": base_url, **kwargs})
    return {"args": [sys.executable, str(CHILD), payload], "env": env, "cwd": var_dir}


def run_crawl_child(var_dir: Path, profile: str, base_url: str, **kwargs: Any) -> dict[str, Any]:
    """Crawl in a child process with its own var/ (store and evidence); returns the crawl stats."""
    command = child_command(var_dir, profile, base_url, **kwargs)
    proc = subprocess.run(**command, capture_output=True, text=True, timeout=240)  # noqa: S603 - our own helper
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    stats = json.loads(lines[-1][6:])
    stats["_log"] = proc.stderr
    return stats


@pytest.fixture(scope="session")
def crawl() -> Any:
    """The child-process crawl helper (tests import nothing from each other under --import-mode=importlib)."""
    return run_crawl_child


@pytest.fixture
def crawl_command() -> Any:
    """`child_command`: the arguments to start a crawl child yourself (to stop or kill it)."""
    return child_command
