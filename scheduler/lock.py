"""The daemon lock: an exclusive `fcntl.flock` on `<var_dir>/scheduler.lock`, so two daemons never run the same jobs.

The kernel drops a flock when its process dies, however it dies, so a lock file left behind by a crashed daemon is
never stale in effect: the next daemon simply takes it and overwrites the holder note. The note (pid, host, start
time) is only there to tell a user which process holds the lock when a second daemon is refused.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from pathlib import Path
from typing import IO

from netsword.config import Config
from netsword.models import utc_now


def lock_path(cfg: Config) -> Path:
    return cfg.var_dir / "scheduler.lock"


class LockHeld(RuntimeError):
    """Another live daemon holds the lock; the message names it."""


class DaemonLock:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held open for the daemon's lifetime
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = describe_holder(fh.read())
            fh.close()
            raise LockHeld(f"another scheduler daemon is running ({holder}); lock {self.path}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": utc_now()}) + "\n")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is None:
            return
        try:
            self._fh.seek(0)
            self._fh.truncate()
            fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
        finally:
            self._fh.close()
            self._fh = None

    def __enter__(self) -> DaemonLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def describe_holder(note: str) -> str:
    try:
        data = json.loads(note)
        return f"pid {int(data['pid'])} on {data.get('host', '?')} since {data.get('since', '?')}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


def lock_holder(path: str | Path) -> str:
    """Who holds the lock now, or "" when nobody does (a leftover note from a dead daemon counts as nobody)."""
    path = Path(path)
    if not path.exists():
        return ""
    with open(path, "a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            return describe_holder(fh.read())
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return ""
