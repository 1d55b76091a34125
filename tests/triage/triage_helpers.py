"""Shared helpers for the triage UI tests, imported by tests/triage and tests/cases (their conftests put this folder
on sys.path): configs, leads, light password hashing, the app served for a browser, ASGI clients, logging in.

Both conftests take the fixtures `cheap_password_hashing` (autouse) and `anyio_backend` from here."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from netsword.config import Config, KeysConfig, PathsConfig, StoreConfig, TriageConfig
from netsword.models import Lead, Reason, make_lead_id

PASSWORD = "correct horse battery"
HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
NIKE, DYSON = "Nike Innovate C.V.", "Dyson Technology Limited"


def make_lead(n: int, *, platform: str = "taobao", entry: str = "tm-nike", owner: str = NIKE, score: int = 70,
              title: str = "", seller: str = "", status: str = "new", day: int = 20) -> Lead:  # fmt: skip
    listing_id = f"item-{n}"
    title = title or f"耐克 Air Max 高仿 第{n}号"
    return Lead(
        lead_id=make_lead_id(platform, listing_id, entry), listing_id=listing_id, platform=platform,
        url=f"https://{platform}.example.com/item/{n}", entry_id=entry, kind="trademark", score=score,
        matched="耐克" if "耐克" in title else title[:5],
        reasons=(Reason("mark_variant", "标题含商标“耐克”的中文名称"), Reason("cue_replica", "含“高仿”等仿冒用语")),
        listing={"id": listing_id, "platform": platform, "url": f"https://{platform}.example.com/item/{n}",
                 "title": title, "price": 100.0 + n, "currency": "CNY",
                 "seller": {"id": f"s-{seller or n}", "name": seller or f"卖家{n}"}},
        first_seen=f"2026-11-{day:02d}T08:00:00Z", last_seen=f"2026-11-{day:02d}T08:00:00Z", status=status,
        owner=owner,
    )  # fmt: skip


def config_for(tmp: Path, **triage: object) -> Config:
    var = tmp / "var"
    return Config(
        paths=PathsConfig(var_dir=str(var)),
        store=StoreConfig(url=f"sqlite:///{var / 'netsword.db'}"),
        triage=replace(TriageConfig(secret_key="test-secret-key-for-triage"), **triage),  # type: ignore[arg-type]
        keys=KeysConfig(dir=str(tmp / "keys")),
    )


def light_password_hashing(mp: pytest.MonkeyPatch) -> None:
    """Argon2's defaults cost ~64 MiB and a second or two per hash on a busy machine; tests use light settings."""
    from argon2 import PasswordHasher

    import triage.users

    light = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    mp.setattr(triage.users, "_hasher", light)
    mp.setattr(triage.users, "_DUMMY_HASH", light.hash("dummy"))


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    light_password_hashing(monkeypatch)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@contextmanager
def served_app(config: Config, store: Any, **users: Any) -> Iterator[tuple[str, Any]]:
    """The triage app with the demo users (password PASSWORD, light hashing; `users`: seed_demo_users' options) on
    uvicorn in a thread on 127.0.0.1 and a free port, for a browser: (base URL, app). Stopped and closed after."""
    import uvicorn

    from triage import seed_demo_users
    from triage.app import create_app

    with pytest.MonkeyPatch.context() as mp:  # while the server runs: logging in hashes too
        light_password_hashing(mp)
        seed_demo_users(config, password=PASSWORD, **users)
        app = create_app(config, store=store)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}", app
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            app.state.triage.db.close()


def log_in_browser(page: Any, base_url: str, username: str, start: str = "/login") -> None:
    """Log in through the login form in a Playwright page (from `start`, which shows it) and wait for the queue."""
    page.goto(base_url + start)
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector("#filters")


def client_for(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver")


async def login(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    page = await client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token, page.text
    return await client.post("/login", data={"username": username, "password": password,
                                             "login_token": token.group(1), "next": "/"})  # fmt: skip


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in page"
    return found.group(1)
