"""Fixtures for cases: leads with listing snapshots, a SQLite store, a config under tmp_path."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))  # cases_helpers next to this file
