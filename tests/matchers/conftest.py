"""Shared fixtures for matcher tests: the sample watchlists compiled once per session."""

from __future__ import annotations

import pytest

from matchers import MatchIndex, compile_index
from netsword.cli.common import sample_watchlists
from watchlists import load_watchlists


@pytest.fixture(scope="session")
def sample_index() -> MatchIndex:
    return compile_index(load_watchlists(sample_watchlists()))
