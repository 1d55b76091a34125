"""Every SQLite database NetSword creates is readable by its owner only, whatever the umask (docs/security.md)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from netsword.sqlite_db import connect


def test_a_new_database_and_its_wal_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        conn = connect(tmp_path / "var" / "x.db")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
        for name in ("x.db", "x.db-wal"):
            mode = stat.S_IMODE((tmp_path / "var" / name).stat().st_mode)
            assert mode == 0o600, (name, oct(mode))
        assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
        conn.close()
    finally:
        os.umask(old)
