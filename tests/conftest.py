"""Shared fixtures: every test gets its own working directory so `var/` never leaks between tests."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "watchlists" / "samples"
_CONFIG_HOME = ""


def pytest_configure(config: pytest.Config) -> None:
    """Keys (netsword.keys: $XDG_CONFIG_HOME/netsword/keys by default) go to a directory of this test run, never to
    the home directory of whoever runs the tests; child processes inherit it."""
    global _CONFIG_HOME
    _CONFIG_HOME = tempfile.mkdtemp(prefix="netsword-test-config-")
    os.environ["XDG_CONFIG_HOME"] = _CONFIG_HOME


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CONFIG_HOME:
        shutil.rmtree(_CONFIG_HOME, ignore_errors=True)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory with no NETSWORD_* variables, so defaults apply."""
    for name in list(os.environ):
        if name.startswith("NETSWORD_") and not name.startswith("NETSWORD_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def utc_today() -> str:
    """Today's UTC date, for a test comparing it with what it stamps now. A date taken when the module was imported
    is a day behind once a run passes midnight; and a test starting in the last minute of a day first waits for the
    next one, so all it does falls on the day it compares with."""
    now = datetime.now(UTC)
    left = ((now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0) - now).total_seconds()
    if left < 60:
        time.sleep(left + 0.1)
    return datetime.now(UTC).strftime("%Y-%m-%d")
