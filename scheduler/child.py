"""Run a `netsword` command as a child process with a time limit: terminate it (SIGTERM), then kill it after a grace.

Crawls must run in a child: Scrapy's Twisted reactor cannot be restarted inside one process. The child gets its own
process group so the browser processes it may start are stopped with it, and is sent SIGTERM by the kernel should
the daemon die (netsword.lifetime). Its output goes to a log file.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from netsword.lifetime import PARENT_ENV

# Runs the `netsword` console entry point from this very interpreter and venv; the child first links its life to
# the daemon's (netsword.lifetime), so a daemon killed with SIGKILL does not leave a crawl running on its own.
NETSWORD = [
    sys.executable,
    "-c",
    "import sys; sys.argv[0] = 'netsword'; from netsword.lifetime import link_to_parent_from_env; "
    "link_to_parent_from_env(); from netsword.cli import run; run()",
]
TERMINATE_GRACE = 20.0  # seconds a terminated child gets to checkpoint (Scrapy writes its JOBDIR) before a kill


@dataclass(frozen=True)
class ChildResult:
    returncode: int
    timed_out: bool  # stopped because the time limit passed
    stopped: bool  # stopped because the daemon is shutting down
    seconds: float

    @property
    def killed(self) -> bool:
        return self.timed_out or self.stopped


def netsword_command(args: list[str], config_source: str = "") -> list[str]:
    return [*NETSWORD, *(["--config", config_source] if config_source else []), *args]


def run_child(
    argv: list[str],
    *,
    log_path: Path,
    time_limit: float,
    stop: threading.Event,
    grace: float = TERMINATE_GRACE,
    env: dict[str, str] | None = None,
    finish_on_stop: bool = False,
    hold_fds: tuple[int, ...] = (),
) -> ChildResult:
    """Run argv until it exits, the time limit passes or `stop` is set; its stdout and stderr go to log_path.

    On `stop` a child is terminated at once (a crawl checkpoints on SIGTERM), or with `finish_on_stop` first given
    `grace` seconds to finish by itself (a digest is better sent than cut off). `hold_fds` (the job's lock file) are
    inherited, so should this daemon die without stopping the child, the job stays locked until the child ends too.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(  # noqa: S603 - argv is our own interpreter and netsword's own arguments
            argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            pass_fds=hold_fds, env={**os.environ, **(env or {}), PARENT_ENV: str(os.getpid())},
        )  # fmt: skip
        timed_out = stopped = False
        while proc.poll() is None:
            if stop.wait(0.2):
                if finish_on_stop:
                    try:
                        proc.wait(timeout=grace)
                    except subprocess.TimeoutExpired:
                        pass
                    if proc.poll() is not None:
                        break
                stopped = True
            elif time.monotonic() - started > time_limit:
                timed_out = True
            if stopped or timed_out:
                _terminate(proc, grace)
                break
        returncode = proc.wait()
    return ChildResult(returncode, timed_out, stopped, time.monotonic() - started)


def _terminate(proc: subprocess.Popen[bytes], grace: float) -> None:
    _signal_group(proc, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _signal_group(proc, signal.SIGKILL)
        proc.wait()
        return
    # The child's own helpers (a browser) may outlive it; nothing of the group should.
    _signal_group(proc, signal.SIGKILL)


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
