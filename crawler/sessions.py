"""Logged-in sessions, one per platform, from the files `crawler.sessions` names ("PLATFORM=FILE").

A session file is either a Netscape `cookies.txt` (what browser extensions and `curl -c` write; read with
http.cookiejar.MozillaCookieJar, `#HttpOnly_` lines included) or a Playwright storage state (JSON: `cookies` and
`origins` with their localStorage, as `context.storage_state(path=…)` writes it). Expired cookies are left out; a
file with none left is a setup error ("log in again"). HTTP requests get the cookies through Scrapy's cookie jar
(crawler.middlewares.sessions), browser requests through their Chromium context (cookies and localStorage).
Cookie values are secrets: `Session` never prints them (its repr names the file and cookie count), and nothing here
logs, counts or stores a value.
"""

from __future__ import annotations

import http.cookiejar
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.errors import CrawlSetupError
from crawler.platform_config import per_platform

SAME_SITE = ("Strict", "Lax", "None")


@dataclass(frozen=True)
class Session:
    platform: str
    source: str  # the file it came from
    cookies: tuple[http.cookiejar.Cookie, ...] = field(repr=False)
    origins: tuple[dict[str, Any], ...] = field(default=(), repr=False)  # Playwright's localStorage per origin

    def __repr__(self) -> str:  # never the values
        return f"Session({self.platform!r}, {self.source!r}, {len(self.cookies)} cookies)"

    def secrets(self) -> list[str]:
        """The values no log, stats file, evidence or mail may hold."""
        values = [c.value for c in self.cookies if c.value and len(c.value) >= 4]
        for origin in self.origins:
            values.extend(
                str(i.get("value")) for i in origin.get("localStorage") or [] if len(str(i.get("value"))) >= 4
            )
        return values

    def playwright_cookies(self) -> list[dict[str, Any]]:
        out = []
        for c in self.cookies:
            cookie: dict[str, Any] = {
                "name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path or "/",
                "secure": bool(c.secure), "httpOnly": any(c.has_nonstandard_attr(a) for a in ("HttpOnly", "HTTPOnly")),
                "expires": float(c.expires) if c.expires else -1,
            }  # fmt: skip
            same_site = c.get_nonstandard_attr("SameSite")
            if same_site in SAME_SITE:
                cookie["sameSite"] = same_site
            out.append(cookie)
        return out


def _cookie(name: str, value: str, domain: str, path: str, secure: bool, expires: float | None,
            http_only: bool = False, same_site: str = "") -> http.cookiejar.Cookie:  # fmt: skip
    rest: dict[str, str] = {"HttpOnly": ""} if http_only else {}
    if same_site:
        rest["SameSite"] = same_site
    return http.cookiejar.Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=domain,
        domain_specified=domain.startswith("."), domain_initial_dot=domain.startswith("."), path=path or "/",
        path_specified=True, secure=secure, expires=int(expires) if expires and expires > 0 else None,
        discard=not expires or expires <= 0, comment=None, comment_url=None, rest=rest,
    )  # fmt: skip


def _netscape(path: Path) -> list[http.cookiejar.Cookie]:
    jar = http.cookiejar.MozillaCookieJar(str(path))
    try:
        jar.load(ignore_discard=True, ignore_expires=True)
    except http.cookiejar.LoadError as exc:
        raise CrawlSetupError(f"crawler.sessions: {path}: not a Netscape cookies.txt ({exc})") from None
    cookies = list(jar)
    for cookie in cookies:
        if cookie.expires == 0:  # curl and browser exports write 0 for a session cookie
            cookie.expires, cookie.discard = None, True
    return cookies


def _storage_state(path: Path, text: str) -> tuple[list[http.cookiejar.Cookie], list[dict[str, Any]]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CrawlSetupError(f"crawler.sessions: {path}: not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("cookies", []), list):
        raise CrawlSetupError(f"crawler.sessions: {path}: a Playwright storage state has a `cookies` list")
    cookies = []
    for n, c in enumerate(data.get("cookies", []), 1):
        if not isinstance(c, dict) or not all(isinstance(c.get(k), str) for k in ("name", "value", "domain")):
            raise CrawlSetupError(f"crawler.sessions: {path}: cookie {n}: needs name, value and domain (text)")
        expires = c.get("expires", -1)
        cookies.append(_cookie(
            c["name"], c["value"], c["domain"], str(c.get("path") or "/"), bool(c.get("secure")),
            float(expires) if isinstance(expires, (int, float)) else -1, bool(c.get("httpOnly")),
            str(c.get("sameSite") or ""),
        ))  # fmt: skip
    origins = [o for o in data.get("origins") or [] if isinstance(o, dict) and isinstance(o.get("origin"), str)]
    return cookies, origins


def load_session(platform: str, path: str | Path) -> Session:
    """One platform's session; a CrawlSetupError names the file and what is wrong with it."""
    file = Path(path).expanduser()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CrawlSetupError(f"crawler.sessions: {platform}: cannot read {file}: {exc}") from None
    if text.lstrip().startswith("{"):
        cookies, origins = _storage_state(file, text)
    else:
        cookies, origins = _netscape(file), []
    now = int(time.time())
    fresh = [c for c in cookies if not c.is_expired(now)]
    if cookies and not fresh:
        raise CrawlSetupError(f"crawler.sessions: {platform}: every cookie in {file} has expired: log in again and "
                              "save the session anew")  # fmt: skip
    if not fresh and not origins:
        raise CrawlSetupError(f"crawler.sessions: {platform}: {file} holds no cookies")
    return Session(platform=platform, source=str(file), cookies=tuple(fresh), origins=tuple(origins))


def load_sessions(entries: tuple[str, ...] | list[str]) -> dict[str, Session]:
    """{platform: Session} from `crawler.sessions`; one file per platform."""
    sessions = {}
    for platform, files in per_platform(entries, "crawler.sessions").items():
        if len(files) > 1:
            raise CrawlSetupError(f"crawler.sessions: {platform}: one session file per platform, got {len(files)}")
        sessions[platform] = load_session(platform, files[0])
    return sessions
