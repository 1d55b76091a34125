"""A private Redis for local distributed crawls and tests: Debian's `redis-server` on a unix socket (and no TCP
port), in a directory of its own, tied to the life of the process that started it (PR_SET_PDEATHSIG, as
netsword.lifetime does for crawl children), so a killed parent never leaves a server behind.

In production `distributed.redis_url` names any Redis or Valkey server and nothing is started. The private server
keeps an append-only file in its directory (fsync every second), so the queue outlives a restart of the server
itself. `python -m netsword.redis_server` (the Makefile's set-up step) installs Debian's package when it is missing
and we run as root on Debian, as netsword.browser does for Chromium.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from netsword.browser import _apt_install, _can_install
from netsword.lifetime import die_with_parent

PACKAGE = "redis-server"
INSTALL_HINT = "install Redis (Debian/Ubuntu: apt-get install -y redis-server) or set NETSWORD_DISTRIBUTED_REDIS_URL"
START_TIMEOUT = 10.0


class RedisNotFound(RuntimeError):
    pass


def find_redis_server(configured: str = "") -> str | None:
    """The path of a `redis-server` (or `valkey-server`) executable, or None."""
    if configured:
        path = shutil.which(configured) or configured
        return path if Path(path).is_file() and os.access(path, os.X_OK) else None
    for name in ("redis-server", "valkey-server"):
        found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None)
        if found:
            return found
    return None


def ensure_redis_server(configured: str = "", *, auto_install: bool = True) -> str:
    found = find_redis_server(configured)
    if found:
        return found
    if configured:
        raise RedisNotFound(f"distributed.redis_server {configured!r} is not an executable file; {INSTALL_HINT}")
    if auto_install and _can_install():
        print("netsword: no redis-server found; installing Debian's redis-server package …", file=sys.stderr)
        _apt_install(PACKAGE)
        found = find_redis_server()
        if found:
            return found
    raise RedisNotFound(f"no redis-server found; {INSTALL_HINT}")


def redis_version(path: str) -> str:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    words = out.stdout.split()
    version = next((w.split("=", 1)[1] for w in words if w.startswith("v=")), "")
    return version or out.stdout.strip()[:60]


@dataclass
class LocalRedis:
    """A running private server; `url` is what clients (and child processes) connect to."""

    process: subprocess.Popen[bytes]
    directory: Path
    socket: Path
    owns_directory: bool = False
    log: Path = field(default_factory=Path)
    lock_fd: int = -1  # the directory's owner.lock, held (flock) while this server runs

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def stop(self, timeout: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.lock_fd >= 0:
            os.close(self.lock_fd)  # releases the flock
            self.lock_fd = -1
        if self.owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> LocalRedis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_local_redis(directory: str | Path | None = None, *, executable: str = "") -> LocalRedis:
    """Start redis-server on a unix socket in `directory` (a new temporary one when None) and wait until it answers.

    Raises RedisNotFound without a server binary, RuntimeError when it does not start (its log's tail says why) or
    when another process's server runs in `directory` (two servers on one socket and one append-only file: the
    second takes the socket over and the first one's clients lose what they wrote; seen with two
    `netsword crawl --distributed --workers` on one var_dir).
    """
    binary = ensure_redis_server(executable, auto_install=False)
    owns = directory is None
    # a unix socket path is limited to ~107 bytes: keep the directory short
    where = Path(tempfile.mkdtemp(prefix="nsredis-")) if directory is None else Path(directory)
    where.mkdir(parents=True, exist_ok=True)
    os.chmod(where, 0o700)
    sock = where / "redis.sock"
    log = where / "redis.log"
    lock_fd = os.open(where / "owner.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock_fd)
        raise RuntimeError(f"another process's private redis-server runs in {where} (a `netsword crawl --distributed "
                           "--workers` still going?): run this again once it has ended") from None  # fmt: skip
    argv = [
        binary, "--port", "0", "--unixsocket", str(sock), "--unixsocketperm", "700", "--dir", str(where),
        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no",
        "--logfile", str(log), "--protected-mode", "yes",
    ]  # fmt: skip
    parent = os.getpid()
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed argument list
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=lambda: _die_with(parent), start_new_session=True,
        )  # fmt: skip
    except OSError:
        os.close(lock_fd)
        raise
    server = LocalRedis(process, where, sock, owns, log, lock_fd)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if sock.exists() and _answers(sock):
            return server
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
    server.stop()
    raise RuntimeError(f"redis-server did not start in {where}: {tail.strip() or 'no log'}")


def _die_with(parent: int) -> None:
    die_with_parent(parent)


def _answers(sock: Path) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            s.connect(str(sock))
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main() -> int:
    """`python -m netsword.redis_server`: used by the Makefile's set-up step."""
    try:
        path = ensure_redis_server()
    except RedisNotFound as exc:
        print(f"netsword: warning: {exc} (needed only for distributed crawls)", file=sys.stderr)
        return 0
    print(f"redis-server: {path} ({redis_version(path)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
