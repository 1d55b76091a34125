"""Login throttling: progressive delays per account, per client address and per known device, never a lockout.

After `triage.login_max_failures` failures of one subject within 15 minutes, each further attempt on it waits
before its password is checked: 1 s after the last failure, then 2, 4 … up to `triage.login_max_delay`. Attempts
on a slowed subject are taken one at a time, so sending many at once gains nothing. A right password always logs
in, after the wait; nothing is ever refused. A browser that logged in before carries a signed device cookie, and its
attempts count only against that device, so someone guessing at an account does not slow its owner down.
The client address is the peer's, or, when the peer is one of `triage.trusted_proxies`, the nearest untrusted
address in its X-Forwarded-For.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.requests import Request

from triage.db import TriageDB

FAILURE_WINDOW = 15 * 60.0  # seconds
MAX_FAILED_LOGIN_ENTRIES = 100  # audit entries for failed logins per window, over all addresses
log = logging.getLogger(__name__)


class LoginThrottle:
    """Counts failures per subject in triage.db and makes attempts on slowed subjects wait their turn."""

    def __init__(self, db: TriageDB, free_failures: int = 5, max_delay: float = 30.0,
                 window: float = FAILURE_WINDOW) -> None:  # fmt: skip
        self.db = db
        self.free_failures = free_failures
        self.max_delay = max_delay
        self.window = window
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}  # subject → (lock, attempts holding or awaiting it)

    def failures(self, subject: str) -> tuple[int, float]:
        """(failures within the window, time of the last one or 0)."""
        rows = self.db.query(
            "SELECT count(*), coalesce(max(at), 0) FROM login_failures WHERE subject = ? AND at >= ?",
            (subject, time.time() - self.window),
        )
        return int(rows[0][0]), float(rows[0][1])

    def delay_after(self, failures: int) -> float:
        over = failures - self.free_failures
        return 0.0 if over < 0 else min(self.max_delay, 2.0**over)

    def wait_for(self, *subjects: str) -> float:
        """Seconds from now until an attempt on these subjects may be checked."""
        now, until = time.time(), 0.0
        for subject in subjects:
            count, last = self.failures(subject)
            until = max(until, last + self.delay_after(count) if count >= self.free_failures else 0.0)
        return max(0.0, until - now)

    @asynccontextmanager
    async def turn(self, *subjects: str) -> AsyncIterator[float]:
        """Wait for this attempt's turn (one at a time per slowed subject); yields the seconds waited."""
        slowed = sorted(s for s in set(subjects) if self.failures(s)[0] >= self.free_failures)
        async with AsyncExitStack() as stack:
            for subject in slowed:  # sorted: two attempts never wait for each other's locks
                await stack.enter_async_context(self._held(subject))
            waited = self.wait_for(*slowed)
            if waited:
                await asyncio.sleep(waited)
            yield waited

    @asynccontextmanager
    async def _held(self, subject: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(subject) or (asyncio.Lock(), 0)
        self._locks[subject] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[subject]
            if users <= 1:
                del self._locks[subject]  # no lock lingers per address or user name ever tried
            else:
                self._locks[subject] = (lock, users - 1)

    def fail(self, *subjects: str) -> None:
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE at < ?", (now - self.window,))
            conn.executemany("INSERT INTO login_failures(subject, at) VALUES (?, ?)", [(s, now) for s in subjects])

    def clear(self, subject: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE subject = ?", (subject,))

    def worth_recording(self, subject: str) -> bool:
        """Whether a failed login goes to the audit trail: the first of an address (or device) in the window, and
        at most MAX_FAILED_LOGIN_ENTRIES of those in all, so strangers cannot flood the trail. The rest are only
        counted; the next successful login of the account records how many failures came before it."""
        since = time.time() - self.window
        if self.db.query("SELECT count(*) FROM login_failures WHERE subject = ? AND at >= ?", (subject, since))[0][0]:
            return False
        rows = self.db.query(
            "SELECT count(DISTINCT subject) FROM login_failures WHERE subject NOT LIKE 'user:%' AND at >= ?", (since,)
        )
        return int(rows[0][0]) < MAX_FAILED_LOGIN_ENTRIES

def parse_networks(values: Sequence[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def _within(address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


_warned_untrusted = False


def client_address(request: Request, trusted: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> str:
    """The client's address: the peer, or behind a trusted proxy the nearest untrusted X-Forwarded-For hop."""
    global _warned_untrusted
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for", "")
    if not forwarded:
        return peer
    if not _within(peer, trusted):
        if not _warned_untrusted:  # the documented proxy set-up without triage.trusted_proxies: say so once
            _warned_untrusted = True
            log.warning("X-Forwarded-For from %s ignored: not in triage.trusted_proxies", peer)
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):  # the right-most hops were added by our own proxies; the first other is the client
        if not _within(hop, trusted):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # our proxy writes well-formed hops; keep a bad one apart from everyone else
                return "unparsed:" + hop[:64]
    return hops[0] if hops else peer
