"""A damaged, truncated, foreign or newer-schema database gives one line (which file, what to do) and a non-zero
exit from every command, never a traceback; `netsword doctor` finds it with SQLite's integrity check."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

NETSWORD = str(Path(sys.executable).parent / "netsword")
SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "sample_listings.jsonl"


def _netsword(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env["NETSWORD_PATHS_VAR_DIR"] = str(tmp / "var")
    return subprocess.run([NETSWORD, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def made_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good store (the sample listings stored through `netsword match --store`), copied for each test."""
    tmp = tmp_path_factory.mktemp("made")
    assert _netsword(tmp, "match", "--listings", str(SAMPLES), "--store", "--out", os.devnull).returncode == 0
    conn = sqlite3.connect(tmp / "var" / "netsword.db")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return tmp / "var" / "netsword.db"


@pytest.fixture
def store(tmp_path: Path, made_store: Path) -> Path:
    (tmp_path / "var").mkdir()
    copy = tmp_path / "var" / "netsword.db"
    shutil.copyfile(made_store, copy)
    return copy


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE leads_schema SET version = 99")
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def _truncated(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    with open(path, "r+b") as fh:
        fh.truncate(path.stat().st_size // 3)


@pytest.mark.parametrize(("damage", "says"), [
    (_garbage, "damaged or not a database"),
    (_newer, "newer than this NetSword"),
    (_truncated, "damaged or not a database"),
])  # fmt: skip
@pytest.mark.parametrize("command", [
    ("leads", "list"),
    ("match", "--listings", str(SAMPLES), "--store", "--out", os.devnull),
    ("leads", "export", "--format", "csv", "--out", "leads.csv"),
    ("crawl", "demo-static", "--base-url", "http://127.0.0.1:9", "--keyword", "x", "--no-evidence"),
])  # fmt: skip
def test_every_command_says_which_file_and_exits_non_zero(tmp_path: Path, store: Path, damage, says: str, command,
                                                          ) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    damage(store)
    done = _netsword(tmp_path, *command)
    assert done.returncode != 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    last = [line for line in done.stderr.splitlines() if line.startswith("netsword:")]
    assert last and str(store) in last[-1] and says in last[-1], done.stderr[-2000:]


def test_doctor_runs_the_integrity_check(tmp_path: Path, store: Path) -> None:
    healthy = _netsword(tmp_path, "doctor")
    assert healthy.returncode == 0 or "ERR  store" not in healthy.stdout
    assert any(line.startswith("ok   store") and line.endswith("integrity ok") for line in healthy.stdout.splitlines())
    _truncated(store)
    damaged = _netsword(tmp_path, "doctor")
    assert damaged.returncode == 1
    assert any(line.startswith("ERR  store") and str(store) in line for line in damaged.stdout.splitlines())
    (tmp_path / "var" / "other.db").write_bytes(os.urandom(4096))  # any other database in var/ is checked too
    assert any(line.startswith("ERR  database") and "other.db" in line
               for line in _netsword(tmp_path, "doctor").stdout.splitlines())  # fmt: skip
