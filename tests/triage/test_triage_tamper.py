"""The audit trail against someone who holds var/ but not the key (finding 10), and where keys and files live
(finding 8): each through the real `netsword` command in its own process."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from triage_helpers import PASSWORD

from triage.audit import GENESIS, entry_hash, keyed_hash

REPO = Path(__file__).resolve().parents[2]


class Cli:
    """`netsword …` in a child process, with var/ and the key directory of this test."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.var, self.keys = tmp, tmp / "var", tmp / "keys"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env.update(NETSWORD_PATHS_VAR_DIR=str(self.var), NETSWORD_KEYS_DIR=str(self.keys), PYTHONPATH=str(REPO))
        env.update(extra)
        return env

    def __call__(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-c", "from netsword.cli import run; run()", *args], cwd=self.tmp, env=self.env(**extra),
            input=stdin, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    @property
    def db(self) -> Path:
        return self.var / "triage.db"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path)
    done = run("users", "add", "ann", "--role", "investigator", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    for action in ("disable", "enable"):  # more entries, without paying for argon2 again
        assert run("users", action, "ann").returncode == 0
    return run


def _rows(db: Path) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall()
    finally:
        conn.close()


def _sql(db: Path, *statements: str) -> None:
    conn = sqlite3.connect(db)
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _rehash(db: Path, hasher) -> None:  # type: ignore[no-untyped-def]
    """What someone with write access to triage.db does after editing rows: recompute every link."""
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    prev = GENESIS
    for row in conn.execute("SELECT * FROM audit_log ORDER BY seq").fetchall():
        digest = hasher(prev, row["seq"], row["at"], row["actor"], row["action"], row["target"], row["before"],
                        row["after"])  # fmt: skip
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row["seq"]))
        prev = digest
    conn.commit()
    conn.close()
    return prev


def _anchor(cli: Cli) -> str:
    done = cli("audit", "anchor")
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert line.startswith("ns-audit-anchor:1:")
    return line


def test_an_intact_trail_verifies_against_its_anchor(cli: Cli) -> None:
    anchor = _anchor(cli)
    cli("users", "disable", "ann")
    done = cli("audit", "verify", "--anchor", anchor)
    assert done.returncode == 0 and "intact" in done.stdout, done.stderr
    anchor_file = cli.tmp / "anchor.txt"
    anchor_file.write_text(anchor + "\n")
    assert cli("audit", "verify", "--anchor", str(anchor_file)).returncode == 0
    assert cli("audit", "verify", "--anchor", "ns-audit-anchor:1:x").returncode == 2


@pytest.mark.parametrize("head", ["deleted", "rewritten"])
def test_a_cut_tail_is_caught_by_the_anchor_whatever_happened_to_the_head_file(cli: Cli, head: str) -> None:
    """Before: cutting the tail and deleting or rewriting the head file left `audit verify` saying intact."""
    anchor = _anchor(cli)
    rows = _rows(cli.db)
    _sql(cli.db, f"DELETE FROM audit_log WHERE seq >= {rows[-2]['seq']}")
    head_file = cli.var / "triage-audit.head"
    if head == "deleted":
        head_file.unlink()
    else:
        kept = rows[-3]
        head_file.write_text(f"{kept['seq']} {kept['hash']}\n")
    assert cli("audit", "verify").returncode == 0  # from inside, a clean cut looks like a shorter trail
    done = cli("audit", "verify", "--anchor", anchor)
    assert done.returncode == 1 and "cut off" in done.stderr


def test_a_deleted_trail_is_caught(cli: Cli) -> None:
    """Before: without triage.db `audit verify` said there was nothing to verify (exit 0)."""
    anchor = _anchor(cli)
    for path in cli.var.glob("triage.db*"):
        path.unlink()
    done = cli("audit", "verify", "--anchor", anchor)
    assert done.returncode == 1 and "deleted" in done.stderr
    assert cli("audit", "verify").returncode == 1  # the head file is still there
    (cli.var / "triage-audit.head").unlink()
    # and a fresh trail started in its place does not match the anchor either
    cli("users", "add", "dee", "--role", "investigator", "--password-stdin", stdin=PASSWORD + "\n")
    cli("users", "disable", "dee")
    cli("users", "enable", "dee")
    cli("users", "disable", "dee")
    done = cli("audit", "verify", "--anchor", anchor)
    assert done.returncode == 1 and "rewritten" in done.stderr


@pytest.mark.parametrize("hasher", ["unkeyed", "another key"])
def test_edited_rows_with_a_recomputed_chain_are_caught(cli: Cli, hasher: str) -> None:
    """Before: editing a row and recomputing the (unkeyed) SHA-256 chain, head file included, went unnoticed."""
    _sql(cli.db, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
    if hasher == "unkeyed":
        last = _rehash(cli.db, entry_hash)
    else:
        last = _rehash(cli.db, lambda *f: keyed_hash(b"a guess at the key, 32 bytes long", *f))
    rows = _rows(cli.db)
    (cli.var / "triage-audit.head").write_text(f"{rows[-1]['seq']} {last}\n")
    done = cli("audit", "verify")
    assert done.returncode == 1 and "BROKEN" in done.stderr


def test_a_trail_from_before_keyed_audit_is_sealed_once(tmp_path: Path) -> None:
    """An install upgraded with an unkeyed trail: the first start keys it; rewriting it afterwards is caught."""
    cli = Cli(tmp_path)
    cli.var.mkdir()
    conn = sqlite3.connect(cli.db)
    from triage.db import MIGRATIONS

    conn.executescript(MIGRATIONS[0])
    conn.execute("CREATE TABLE triage_schema(version INTEGER NOT NULL)")
    conn.execute("INSERT INTO triage_schema VALUES (1)")
    prev = GENESIS
    for seq in (1, 2, 3):
        digest = entry_hash(prev, seq, "2026-01-01T00:00:00Z", "old", "login", "user:old", "null", "null")
        conn.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (seq, "2026-01-01T00:00:00Z", "old", "login", "user:old", "null", "null", prev, digest))  # fmt: skip
        prev = digest
    conn.commit()
    conn.close()
    assert not (cli.keys / "audit.key").exists()
    done = cli("audit", "seal")
    assert done.returncode == 0
    assert [r["action"] for r in _rows(cli.db)][-1] == "audit.keyed"
    assert cli("audit", "verify").returncode == 0
    # someone without the key rewrites the old part and drops the seal: caught
    _sql(cli.db, "DELETE FROM audit_log WHERE seq = 4", "UPDATE audit_log SET actor = 'new' WHERE seq = 2")
    _rehash(cli.db, entry_hash)
    (cli.var / "triage-audit.head").unlink()
    cli("users", "add", "eve", "--role", "investigator", "--password-stdin", stdin=PASSWORD + "\n")
    done = cli("audit", "verify")
    assert done.returncode == 1 and "not sealed" in done.stderr


def test_a_lost_audit_key_is_an_error_not_a_fresh_key(cli: Cli) -> None:
    (cli.keys / "audit.key").unlink()
    for args in (("audit", "verify"), ("users", "disable", "ann")):
        done = cli(*args)
        assert done.returncode == 2 and "audit.key" in done.stderr and "restore" in done.stderr
    assert not (cli.keys / "audit.key").exists()


def test_keys_and_files_are_private_and_apart_from_var(cli: Cli) -> None:
    """Before: the personal-data key sat in var/ beside the data, and var/ and the databases were world-readable."""
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(cli.keys) == 0o700 and mode(cli.keys / "audit.key") == 0o600
    assert mode(cli.var) == 0o700 and mode(cli.db) == 0o600
    assert not list(cli.var.glob("*.key"))
    done = cli("audit", "verify", NETSWORD_KEYS_DIR=str(cli.var / "keys"))
    assert done.returncode == 2 and "inside paths.var_dir" in done.stderr
    done = cli("audit", "verify", NETSWORD_KEYS_AUDIT="short")
    assert done.returncode == 2 and "at least 16" in done.stderr


def test_doctor_warns_about_permissions_and_key_placement(cli: Cli) -> None:
    os.chmod(cli.var, 0o755)
    os.chmod(cli.db, 0o644)
    (cli.var / "triage-secret.key").write_text("an old session secret\n")
    done = cli("doctor")
    assert f"WARN files    {cli.var}: mode 0755" in done.stdout
    assert f"{cli.db}: mode 0644: other accounts can reach it: chmod 600" in done.stdout
    assert "triage-secret.key: no longer used" in done.stdout
    done = cli("doctor", NETSWORD_KEYS_DIR=str(cli.var / "k"))
    assert "is inside" in done.stdout and "ERR  keys" in done.stdout
