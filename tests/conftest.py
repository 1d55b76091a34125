"""Shared fixtures: every test gets its own working directory so `var/` never leaks between tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "watchlists" / "samples"


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty directory with no NETSWORD_* variables, so defaults apply."""
    for name in list(os.environ):
        if name.startswith("NETSWORD_") and not name.startswith("NETSWORD_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path
