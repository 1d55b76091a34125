"""Revealing personal data from the command line needs a real account, goes to the audit chain, and the key lives
outside var/ (findings 8 and 9), each through `netsword` in its own process."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
MANIFEST = (
    "waybill,shipped_at,declared_contents,declared_value,sender_name,sender_phone,sender_address,receiver_name,receiver_address\n"
    "YT9000000001,2024-04-01 08:00:00,耐克鞋,150,张伟,+86 138 0013 8000,广东省深圳市南山区科技路10号,李娜,北京市朝阳区建国路1号\n"
)
SHOW = ("parcels", "show", "YT9000000001", "--courier", "generic")


class Cli:
    def __init__(self, tmp: Path) -> None:
        self.tmp, self.var, self.keys = tmp, tmp / "var", tmp / "keys"

    def __call__(self, *args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env.update(NETSWORD_PATHS_VAR_DIR=str(self.var), NETSWORD_KEYS_DIR=str(self.keys), PYTHONPATH=str(REPO), **extra)
        return subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-c", "from netsword.cli import run; run()", *args], cwd=self.tmp, env=env, input=stdin,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip

    def audit_actions(self) -> list[tuple[str, str, str]]:
        conn = sqlite3.connect(self.var / "triage.db")
        try:
            return [tuple(r) for r in conn.execute("SELECT actor, action, after FROM audit_log ORDER BY seq")]
        finally:
            conn.close()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    run = Cli(tmp_path)
    (tmp_path / "m.csv").write_text(MANIFEST, encoding="utf-8")
    assert run("parcels", "import", "m.csv", "--courier", "generic", "--no-match").returncode == 0
    for name, role in (("sam", "supervisor"), ("ann", "investigator")):
        done = run("users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    return run


def test_a_role_given_on_the_command_line_reveals_nothing(cli: Cli) -> None:
    """Before: `--role supervisor --reveal` printed the sender's name and phone to anyone who typed it."""
    done = cli(*SHOW, "--role", "supervisor", "--reveal", "--reason", "case 7")
    assert done.returncode == 2 and "张伟" not in done.stdout and "--role" in done.stderr
    done = cli(*SHOW, "--reveal", "--reason", "case 7")
    assert done.returncode == 2 and "--user" in done.stderr


def test_reveal_authenticates_the_account_and_is_in_the_audit_chain(cli: Cli) -> None:
    """Before: reveals went only to a plain table whose rows could be deleted unnoticed."""
    wrong = cli(*SHOW, "--reveal", "--reason", "case 7", "--user", "sam", "--password-stdin", stdin="guess-guess\n")
    assert wrong.returncode == 2 and "张伟" not in wrong.stdout
    investigator = cli(*SHOW, "--reveal", "--reason", "case 7", "--user", "ann", "--password-stdin",
                       stdin=PASSWORD + "\n")  # fmt: skip
    assert investigator.returncode == 2 and "may not reveal" in investigator.stderr and "张伟" not in investigator.stdout
    done = cli(*SHOW, "--reveal", "--reason", "case 7", "--user", "sam", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "张伟" in done.stdout and "+86 138 0013 8000" in done.stdout
    actions = [(actor, action) for actor, action, _ in cli.audit_actions()]
    assert actions[-3:] == [("sam", "parcel.reveal.refused"), ("ann", "parcel.reveal.refused"),
                            ("sam", "parcel.reveal")]  # fmt: skip
    assert '"reason":"case 7"' in cli.audit_actions()[-1][2]
    assert cli("audit", "verify").returncode == 0
    conn = sqlite3.connect(cli.var / "triage.db")  # hiding the reveal breaks the chain
    conn.execute("DELETE FROM audit_log WHERE action = 'parcel.reveal'")
    conn.commit()
    conn.close()
    assert cli("audit", "verify").returncode == 1


def test_the_personal_data_key_lives_outside_var(cli: Cli) -> None:
    """Before: var/parcels.key sat beside var/netsword.db, so any copy of var/ held both."""
    key = cli.keys / "parcels-pii.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and stat.S_IMODE(cli.keys.stat().st_mode) == 0o700
    assert not list(cli.var.rglob("*.key"))


def test_a_key_left_in_var_by_an_older_version_stops_with_the_command_that_moves_it(cli: Cli) -> None:
    legacy = cli.var / "parcels.key"
    (cli.keys / "parcels-pii.key").rename(legacy)  # as an install from before this change has it
    done = cli("parcels", "import", "m.csv", "--courier", "generic", "--no-match")
    assert done.returncode == 2
    message = done.stderr.strip().splitlines()[-1]
    assert "must not live beside the data" in message and "mv " in message
    fix = message.split("move it: ", 1)[1]
    assert subprocess.run(fix, shell=True, check=False).returncode == 0  # noqa: S602 - the hint, as a user runs it
    assert not legacy.exists()
    done = cli(*SHOW, "--reveal", "--reason", "case 7", "--user", "sam", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 0 and "张伟" in done.stdout  # the same key: the stored data still opens
    assert "ok   keys" in cli("doctor").stdout


def test_a_lost_key_is_an_error_not_a_new_key(cli: Cli) -> None:
    (cli.keys / "parcels-pii.key").unlink()
    done = cli("parcels", "import", "m.csv", "--courier", "generic", "--no-match")
    assert done.returncode == 2 and "restore it" in done.stderr
    done = cli(*SHOW, "--reveal", "--reason", "case 7", "--user", "sam", "--password-stdin", stdin=PASSWORD + "\n")
    assert done.returncode == 2 and "restore it" in done.stderr and "张伟" not in done.stdout
    assert not (cli.keys / "parcels-pii.key").exists()
