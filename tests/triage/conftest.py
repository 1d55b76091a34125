"""Fixtures for the triage UI: a config under tmp_path, a SQLite store with leads, and the app."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the helpers module next to this file, for conftest and tests
from triage_helpers import (  # with the fixtures every triage test uses: light Argon2 hashing, asyncio for anyio
    DYSON,
    HOSTILE_TITLE,
    PASSWORD,
    anyio_backend,  # noqa: F401
    cheap_password_hashing,  # noqa: F401
    config_for,
    make_lead,
)

from evidence.store import EvidenceStore
from leads.store.sqlite import SqliteLeadStore
from netsword.config import Config
from netsword.models import Lead


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return config_for(tmp_path)


@pytest.fixture
def leads() -> list[Lead]:
    out = [make_lead(i, score=50 + i, seller="潮鞋工厂店" if i % 3 == 0 else "") for i in range(1, 31)]
    out.append(make_lead(100, platform="jd", score=99, title=HOSTILE_TITLE, seller="<b>evil</b>"))
    out.append(make_lead(200, entry="pat-bladeless-fan", owner=DYSON, score=88, title="戴森 无叶风扇 同款"))
    return out


@pytest.fixture
def store(config: Config, leads: list[Lead]) -> Iterator[SqliteLeadStore]:
    s = SqliteLeadStore(config.store_url.removeprefix("sqlite:///"))
    s.upsert_many(leads)
    yield s
    s.close()


@pytest.fixture
def evidence(config: Config) -> EvidenceStore:
    return EvidenceStore(config.evidence_dir)


@pytest.fixture
def app(config: Config, store: SqliteLeadStore):
    from triage import seed_demo_users
    from triage.app import create_app

    seed_demo_users(config, password=PASSWORD)
    application = create_app(config, store=store)
    yield application
    application.state.triage.db.close()
