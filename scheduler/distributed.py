"""A distributed crawl on this machine: a private Redis (netsword.redis_server, unless `distributed.redis_url` or
--redis-url names one), N `netsword worker` children and one `netsword writer` child, each tied to the life of this
process (netsword.lifetime), their output in log files. `netsword crawl PROFILE --distributed --workers N` uses it.

The private Redis keeps its files in `<var_dir>/redis`, so a run stopped half-way (the command killed) is picked up
by the next `netsword crawl --distributed` of the same platform.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from netsword.config import Config
from netsword.lifetime import PARENT_ENV
from netsword.redis_server import LocalRedis, start_local_redis
from scheduler.child import netsword_command

SOCKET_PATH_MAX = 100  # a unix socket path must fit in sockaddr_un (108 bytes with its terminator)


@dataclass
class LocalCluster:
    cfg: Config
    profile: str
    workers: int
    log_dir: Path
    base_url: str = ""
    redis_url: str = ""
    watchlists: tuple[str, ...] = ()
    evidence: bool = True
    alerts: bool = True
    redis: LocalRedis | None = None
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self) -> str:
        """Start what is missing; the Redis URL the run uses."""
        if not self.redis_url:
            self.redis = start_local_redis(_redis_dir(self.cfg), executable=self.cfg.distributed.redis_server)
            self.redis_url = self.redis.url
        self.log_dir.mkdir(parents=True, exist_ok=True)
        common = ["--redis-url", self.redis_url]
        lists = [arg for path in self.watchlists for arg in ("--watchlist", path)]
        self._spawn("writer", ["writer", *common, *lists, *([] if self.alerts else ["--no-alerts"])])
        for n in range(1, self.workers + 1):
            name = f"{os.uname().nodename}-{os.getpid()}-{n}"
            args = ["worker", self.profile, "--name", name, *common, *lists]
            args += ["--base-url", self.base_url] if self.base_url else []
            args += [] if self.evidence else ["--no-evidence"]
            self._spawn(f"worker-{n}", args)
        return self.redis_url

    def _spawn(self, label: str, args: list[str]) -> None:
        argv = netsword_command(args, self.cfg.source)
        with open(self.log_dir / f"{label}.log", "ab") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own interpreter and netsword's own arguments
                argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                env={**os.environ, PARENT_ENV: str(os.getpid())},
            )  # fmt: skip
        self.children.append((label, proc))

    def exited(self) -> list[str]:
        """Children that stopped by themselves (label and exit status), which the run may be waiting for."""
        return [f"{label} (exit {proc.returncode})" for label, proc in self.children if proc.poll() is not None]

    def stop(self, grace: float = 30.0) -> None:
        for _, proc in self.children:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in self.children:
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.redis is not None:
            self.redis.stop()


def _redis_dir(cfg: Config) -> Path:
    where = (cfg.var_dir / "redis").resolve()
    if len(str(where / "redis.sock")) <= SOCKET_PATH_MAX:
        return where
    return Path(tempfile.mkdtemp(prefix="nsredis-"))  # too deep for a socket path: a run then cannot be picked up
