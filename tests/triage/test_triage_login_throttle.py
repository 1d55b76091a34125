"""Login throttling slows attempts down and never refuses the right password; proxies are trusted only when
configured; failed logins cannot flood the audit trail; argon2 does not stall the server (finding 11, 12)."""

from __future__ import annotations

import asyncio
import re
import threading
import time

import httpx
import pytest
from triage_helpers import PASSWORD, client_for, config_for, login

import triage.users
from triage.app import create_app
from triage.throttle import FAILURE_WINDOW, LoginThrottle

pytestmark = pytest.mark.anyio
DELAY = 0.3  # triage.login_max_delay in these tests: every slowed attempt waits this long after the last failure


@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """Every wait the throttle decides on, in order: an attempt that was not slowed is one that waited 0 s (a timed
    upper bound would fail whenever a loaded machine takes DELAY to answer)."""
    decided: list[float] = []
    real = LoginThrottle.wait_for

    def wait_for(self: LoginThrottle, *subjects: str) -> float:
        decided.append(real(self, *subjects))
        return decided[-1]

    monkeypatch.setattr(LoginThrottle, "wait_for", wait_for)
    return decided


@pytest.fixture
def slow_app(tmp_path, store):
    """The app with failures slowing logins after 3 and every wait capped at DELAY seconds."""
    from triage import seed_demo_users

    config = config_for(tmp_path, login_max_failures=3, login_max_delay=DELAY, trusted_proxies=("127.0.0.1",))
    seed_demo_users(config, password=PASSWORD)
    application = create_app(config, store=store)
    yield application
    application.state.triage.db.close()


async def _timed_login(client: httpx.AsyncClient, username: str, password: str = PASSWORD,
                       headers: dict[str, str] | None = None) -> tuple[int, float]:  # fmt: skip
    """(status, when the attempt was sent): a slowed attempt is answered no sooner than DELAY after the last failure,
    so after the time the failing attempt before it was sent, however long the requests themselves take."""
    page = await client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
    sent = time.monotonic()
    response = await client.post("/login", headers=headers or {},
                                 data={"username": username, "password": password, "login_token": token})  # fmt: skip
    return response.status_code, sent


def test_delays_double_per_failure_up_to_the_cap(tmp_path) -> None:
    throttle = LoginThrottle(None, free_failures=5, max_delay=30.0, window=FAILURE_WINDOW)  # type: ignore[arg-type]
    assert [throttle.delay_after(n) for n in range(4, 12)] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


async def test_right_password_logs_in_after_many_failures(slow_app) -> None:
    """Before: after 5 failures even the right password got 429 for 15 minutes."""
    async with client_for(slow_app) as client:
        for _ in range(6):
            status, failed_at = await _timed_login(client, "supervisor", "guess-guess-guess")
            assert status == 401
        status, _ = await _timed_login(client, "supervisor")
    assert status == 303
    assert time.monotonic() - failed_at >= DELAY * 0.9  # slowed, not refused


async def test_made_up_names_do_not_lock_out_colleagues_behind_the_same_address(slow_app) -> None:
    """Before: 5 failures for invented names from one address refused every user of that address."""
    async with client_for(slow_app) as attacker, client_for(slow_app) as colleague:
        for n in range(8):
            assert (await _timed_login(attacker, f"nobody{n}", "guess-guess-guess"))[0] == 401
        status, _ = await _timed_login(colleague, "investigator")
    assert status == 303


async def test_many_attempts_at_once_wait_their_turn(slow_app) -> None:
    async with client_for(slow_app) as client:
        for _ in range(3):
            _, started = await _timed_login(client, "supervisor", "guess-guess-guess")
    clients = [client_for(slow_app) for _ in range(4)]
    tokens = []
    for client in clients:
        page = await client.get("/login")
        tokens.append(re.search(r'name="login_token" value="([^"]+)"', page.text).group(1))
    results = await asyncio.gather(*(
        c.post("/login", data={"username": "supervisor", "password": f"wrong-{n}-guess", "login_token": t})
        for n, (c, t) in enumerate(zip(clients, tokens, strict=True))
    ))  # fmt: skip
    took = time.monotonic() - started
    for client in clients:
        await client.aclose()
    assert [r.status_code for r in results] == [401] * 4
    assert took >= 4 * DELAY * 0.9  # one at a time, each after its wait: sending them together gains nothing


async def test_a_known_device_is_not_slowed_by_someone_elses_guesses(slow_app, waits) -> None:
    async with client_for(slow_app) as owner, client_for(slow_app) as attacker:
        assert (await _timed_login(owner, "investigator"))[0] == 303  # the browser gets its device cookie
        for _ in range(6):
            _, failed_at = await _timed_login(attacker, "investigator", "guess-guess-guess")
        slowed_status, _ = await _timed_login(attacker, "investigator", "guess-guess-guess")
        slowed = time.monotonic() - failed_at
        status, _ = await _timed_login(owner, "investigator")
    assert slowed_status == 401 and slowed >= DELAY * 0.9 and waits[-2] > 0
    assert status == 303 and waits[-1] == 0  # the owner's attempt was not made to wait


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(slow_app, app, waits) -> None:
    """slow_app trusts 127.0.0.1 (the test client's address); `app` trusts no proxy."""
    spoof = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    async with client_for(slow_app) as client:
        await _timed_login(client, "nobody-a", "guess-guess-guess", headers=spoof)
    async with client_for(app) as client:
        await _timed_login(client, "nobody-b", "guess-guess-guess", headers=spoof)
    trusted = slow_app.state.triage.audit.entries(target="user:nobody-a")[0]
    untrusted = app.state.triage.audit.entries(target="user:nobody-b")[0]
    assert trusted.after["client"] == "203.0.113.9"  # the hop our proxy added, not what the client claimed
    assert untrusted.after["client"] == "127.0.0.1"
    # behind the trusted proxy, one client's failures do not slow another client
    async with client_for(slow_app) as client:
        for n in range(6):
            await _timed_login(client, f"nobody{n}", "guess-guess-guess", headers={"X-Forwarded-For": "203.0.113.9"})
        assert waits[-1] > 0  # 203.0.113.9 is slowed by now …
        status, _ = await _timed_login(client, "nobody-c", "guess-guess-guess",
                                       headers={"X-Forwarded-For": "203.0.113.10"})  # fmt: skip
    assert status == 401 and waits[-1] == 0  # … and 203.0.113.10 is not


async def test_failed_logins_cannot_flood_the_audit_trail(slow_app) -> None:
    """Before: every failed login by a stranger appended an audit entry."""
    st = slow_app.state.triage
    before = len(st.audit.entries(limit=10_000))
    async with client_for(slow_app) as client:
        for n in range(12):
            await login(client, f"stranger{n}", "guess-guess-guess")
        for _ in range(3):
            await login(client, "investigator", "guess-guess-guess")
        assert (await login(client, "investigator")).status_code == 303
    every = st.audit.entries(limit=10_000)
    added = every[: len(every) - before]
    failed = [e for e in added if e.action == "login.failed"]
    assert len(failed) == 1  # the first from this address in the window
    success = next(e for e in added if e.action == "login")
    assert success.after["failed_attempts_before"] == 3
    assert st.audit.verify().ok


async def test_password_hashing_does_not_stall_other_requests(app, monkeypatch) -> None:
    """Before: argon2 ran inside the async handler and every other request waited for it."""
    light = triage.users._hasher
    hashing, release, hashed = threading.Event(), threading.Event(), threading.Event()

    class SlowHasher:
        """argon2 that is still hashing until the other request has been answered (or 30 s have passed)."""

        def verify(self, stored: str, password: str) -> bool:
            hashing.set()
            release.wait(30)
            try:
                return light.verify(stored, password)
            finally:
                hashed.set()

        def check_needs_rehash(self, stored: str) -> bool:
            return False

    monkeypatch.setattr(triage.users, "_hasher", SlowHasher())
    async with client_for(app) as client, client_for(app) as other:
        page = await client.get("/login")
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)

        async def log_in() -> int:
            response = await client.post("/login", data={"username": "investigator", "password": PASSWORD,
                                                         "login_token": token})  # fmt: skip
            return response.status_code

        async def meanwhile() -> bool:
            """Whether another request is answered while the login is hashing (a blocked event loop answers it only
            after the hash, so waiting on events here, not on the clock, cannot pass by chance or fail by load)."""
            try:
                deadline = time.monotonic() + 30
                while not hashing.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
                assert (await other.get("/login")).status_code == 200
                return hashing.is_set() and not hashed.is_set()
            finally:
                release.set()

        answered_while_hashing, status = await asyncio.gather(meanwhile(), log_in())
    assert status == 303
    assert answered_while_hashing
