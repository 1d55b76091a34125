"""Fixtures for cases: leads with listing snapshots, a SQLite store, a config under tmp_path."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # cases_helpers next to this file
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))  # triage_helpers: the UI tests' helpers
# the fixtures the triage tests use too: light Argon2 hashing (autouse), asyncio for anyio
from triage_helpers import anyio_backend, cheap_password_hashing  # noqa: E402, F401


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch) -> Callable[..., int]:
    """`netsword <argv> --password-stdin` with the tests' password on stdin (users added so take the same one)."""
    from netsword.cli import main

    def run(*argv: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
        return main([*argv, "--password-stdin"])

    return run
