"""Shared helpers for the triage UI tests: configs, leads, ASGI clients, logging in."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import httpx

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
