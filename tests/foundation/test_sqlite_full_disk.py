"""A database on a full disk: SQLite cannot make its -shm/-wal files and says "disk I/O error", which NetSword told
the operator to read as damage ("restore it from a backup or move it away"). On a real full file system (a tmpfs,
as root) the message says the disk is full and the database is not damaged; the database opens once space is back."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from netsword.sqlite_db import DatabaseUnusable, connect


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "small"
    where.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(where)]
    if os.geteuid() != 0 or subprocess.run(command, capture_output=True, check=False).returncode != 0:  # noqa: S603
        pytest.skip("needs root and mount -t tmpfs")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)  # noqa: S603, S607


def test_a_database_on_a_full_disk_is_not_called_damaged(small_disk: Path) -> None:
    path = small_disk / "leads.db"
    conn = connect(path)
    conn.execute("CREATE TABLE t (a)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.close()  # the -wal and -shm files go with the last connection
    filler = small_disk / "filler"
    with pytest.raises(OSError), open(filler, "wb") as out:  # noqa: PT012 - write until the disk is full
        while True:
            out.write(b"\0" * 4096)
            out.flush()
    with pytest.raises(DatabaseUnusable) as refused:
        connect(path)
    message = str(refused.value)
    assert "the disk holding it is full" in message and "restore it from a backup" not in message, message
    filler.unlink()
    conn = connect(path)
    assert conn.execute("SELECT a FROM t").fetchone()[0] == 1
    conn.close()
