"""A daemon killed with SIGKILL does not leave its `netsword` child running (netsword.lifetime, scheduler.child)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux-only")

DAEMON = """
import sys, threading
from pathlib import Path
from scheduler.child import netsword_command, run_child
log = Path(sys.argv[1])
run_child(netsword_command(["demo-market", "--port", "0"]), log_path=log, time_limit=600, stop=threading.Event())
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> list[int]:
    """The processes whose parent is pid, read from /proc (`ps` is not on every machine: procps may be missing)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])  # after the name: state, then the parent's pid
        except (OSError, IndexError, ValueError):  # the process ended meanwhile
            continue
        if ppid == pid:
            found.append(int(stat.parent.name))
    return found


def test_the_child_dies_with_a_killed_daemon(tmp_path: Path) -> None:
    env = {**os.environ, "NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var")}
    daemon = subprocess.Popen([sys.executable, "-c", DAEMON, str(tmp_path / "child.log")], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and not children:
            time.sleep(0.2)
            children = _children(daemon.pid)
        assert children, "the daemon started no child"
        (child,) = children
        time.sleep(1.0)  # the child is up and has linked itself to the daemon
        assert _alive(child)
        daemon.send_signal(signal.SIGKILL)
        daemon.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _alive(child):
            time.sleep(0.1)
        assert not _alive(child), "the child outlived its killed daemon"
    finally:
        if daemon.poll() is None:
            daemon.kill()
        for pid in _children(daemon.pid):
            os.kill(pid, signal.SIGKILL)
