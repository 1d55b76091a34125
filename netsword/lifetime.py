"""Tie a child process's life to its parent: a scheduler's crawl child must not outlive a killed daemon.

`die_with_parent(pid)` asks Linux to send SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG), so a crawl
checkpoints and stops like on any other SIGTERM; if the parent is already gone, it exits at once. Elsewhere it is a
no-op (the daemon's own shutdown still terminates its children).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PARENT_ENV = "NETSWORD_PARENT_PID"  # set by scheduler.child for the children it starts


def die_with_parent(parent_pid: int) -> bool:
    """True when the link is in place; exits the process (status 143, as on SIGTERM) when the parent is gone."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0:
        return False
    if os.getppid() != parent_pid:  # the parent died before the link was made
        os._exit(128 + int(signal.SIGTERM))
    return True


def link_to_parent_from_env() -> None:
    value = os.environ.pop(PARENT_ENV, "")
    if value.isdigit():
        die_with_parent(int(value))
