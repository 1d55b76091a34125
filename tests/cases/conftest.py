"""Fixtures for cases: leads with listing snapshots, a SQLite store, a config under tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # cases_helpers next to this file
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "triage"))  # triage_helpers: the UI tests' helpers
# the fixtures the triage tests use too: light Argon2 hashing (autouse), asyncio for anyio
from triage_helpers import anyio_backend, cheap_password_hashing  # noqa: E402, F401
