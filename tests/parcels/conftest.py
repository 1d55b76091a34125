"""Shared fixtures for the parcel tests: a vault, a parcel database, the sample watchlist index."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchers import MatchIndex
from matchers.configured import build_index
from netsword.config import load_config
from parcels.db import ParcelDB
from parcels.pii import PiiVault


@pytest.fixture(scope="session")
def index() -> MatchIndex:
    return build_index(load_config(None, env={}))


@pytest.fixture()
def vault() -> PiiVault:
    return PiiVault(b"test-key-0123456789abcdef")


@pytest.fixture()
def db(tmp_path: Path) -> ParcelDB:
    with ParcelDB(tmp_path / "parcels.db") as database:
        yield database
