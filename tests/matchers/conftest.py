"""Shared fixtures for matcher tests: the sample watchlists compiled once per session."""

from __future__ import annotations

import pytest

from matchers import MatchIndex, compile_index
from watchlists import load_watchlists
from watchlists.configured import sample_watchlists


@pytest.fixture(scope="session")
def sample_index() -> MatchIndex:
    return compile_index(load_watchlists(sample_watchlists()))
