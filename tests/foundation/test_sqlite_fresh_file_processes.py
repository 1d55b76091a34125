"""Any number of processes may create one new SQLite database at the same moment (netsword.sqlite_db.create_whole).

Two processes both setting WAL mode on a new, empty file used to race inside SQLite and lose committed rows without
an error — the evidence ledger lost captures this way, and every database opened by several processes (lead store,
crawl budget, custody log, cases.db …) shared the cause. Here processes open a fresh file through SharedDatabase
(how cases.db, triage.db, parcels and the custody log open) at one signal, each with two connections as the evidence
ledger and its custody log have, and each commits rows: every row stays.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import stat
import time
from pathlib import Path

from netsword.sqlite_db import SharedDatabase, connect

PROCESSES = 2
ROWS = 15  # each, one transaction per row
ATTEMPTS = 15


class _Db(SharedDatabase):
    MIGRATIONS = ("CREATE TABLE rows (worker INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (worker, n));",)
    VERSION_TABLE = "rows_schema"
    LABEL = "test rows"


def _write(path: str, worker: int, start: mp.synchronize.Event, out: mp.Queue) -> None:
    start.wait(30)
    try:
        # two connections in each process, as the evidence ledger and its custody log share ledger.db; the second
        # opens after the first has written
        with _Db(path) as first:
            with first.transaction() as conn:
                conn.execute("INSERT INTO rows (worker, n) VALUES (?, ?)", (worker, 0))
            with _Db(path) as second:
                for n in range(1, ROWS):
                    with (first if n % 2 else second).transaction() as conn:
                        conn.execute("INSERT INTO rows (worker, n) VALUES (?, ?)", (worker, n))
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        out.put(f"{type(exc).__name__}: {exc}")
        return
    out.put("")


def test_processes_creating_one_database_at_once_keep_every_row(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    for attempt in range(ATTEMPTS):
        path = tmp_path / f"db-{attempt}" / "shared.db"
        start, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_write, args=(str(path), w, start, out)) for w in range(PROCESSES)]
        for proc in procs:
            proc.start()
        time.sleep(0.2)
        start.set()
        errors = [e for e in (out.get(timeout=60) for _ in procs) if e]
        for proc in procs:
            proc.join(30)
        assert errors == [], f"attempt {attempt}"
        conn = connect(path, read_only=True)
        try:
            count = conn.execute("SELECT count(*) FROM rows").fetchone()[0]
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            conn.close()
        assert count == PROCESSES * ROWS, f"attempt {attempt}: {PROCESSES * ROWS - count} rows lost"
        assert mode == "wal"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("shared.db")) == []


def test_an_empty_file_left_behind_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    os.chmod(path, 0o600)
    with _Db(path) as db, db.transaction() as conn:
        conn.execute("INSERT INTO rows (worker, n) VALUES (1, 1)")
    assert path.stat().st_size > 0
    with _Db(path) as db:
        assert db.query("SELECT count(*) FROM rows")[0][0] == 1
