"""BrowserRecorder: what Chromium fetched while it opened a page for evidence, as WARC exchanges and a Fetch.

Attached once to a Playwright page (`attach`), it hears every response (the navigation, its redirects and the
page's sub-resources) and, between `start()` and `finish()`, keeps each as an evidence.warc.Exchange: the status,
the headers Chromium saw (evidence.warc keeps the allow-listed ones only) and the body, within SubresourceLimits
(what is left out is counted and said in the capture's `missing`). `finish()` also returns the navigation as a
Fetch: the URL asked for, each redirect, the final URL and status, and the request's start and end (Chromium's
own resource timing).
Bodies are the bytes the server sent: on a page the fetch policy guards (crawler.browser_guard), the guard reads
each wanted response's body from Chromium before the page gets it (`keep_bodies`), so a GBK page is kept in GBK.
Playwright's Response.body() is not used for them: for text, Chromium hands it a decoded string that it re-encodes
as UTF-8, which is not what the server sent. A body with no raw bytes (an unguarded page) is kept as Chromium
decoded it, and the capture's `missing` says so.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError

from crawler.browser_guard import keep_bodies
from evidence.store import Fetch, Hop, utc_stamp
from evidence.warc import Exchange, SubresourceLimits

logger = logging.getLogger(__name__)
READ_TIMEOUT = 15.0  # seconds to wait for the bodies still being read when the page is done


@dataclass
class Recording:
    exchanges: list[Exchange] = field(default_factory=list)
    navigations: list[Any] = field(default_factory=list)  # Playwright responses of the main frame's navigations
    tasks: list[asyncio.Future[Any]] = field(default_factory=list)
    left_out: int = 0  # sub-resources over a limit, or whose body Chromium no longer had
    body_bytes: int = 0
    raw: dict[tuple[str, str], list[bytes]] = field(default_factory=dict)  # (method, URL) → bodies as sent
    raw_bytes: int = 0
    decoded: int = 0  # bodies kept as Chromium decoded them (no raw bytes were read)


class BrowserRecorder:
    def __init__(self, limits: SubresourceLimits | None = None) -> None:
        self.limits = limits or SubresourceLimits()
        self.recording: Recording | None = None
        self.pages: weakref.WeakSet[Any] = weakref.WeakSet()
        self.raw_pages: weakref.WeakSet[Any] = weakref.WeakSet()  # pages whose guard gives raw bodies

    def attach(self, page: Any) -> None:
        """Hear `page`'s responses (once, however often it is offered); attach after the page's guard."""
        if page not in self.raw_pages and keep_bodies(page, self):
            self.raw_pages.add(page)
        if page not in self.pages:
            self.pages.add(page)
            page.on("response", self._on_response)

    def wants(self, url: str, status: int, length: int | None) -> bool:
        """The guard's question (crawler.browser_guard.BodyKeeper): read this response's raw body?"""
        rec = self.recording
        if rec is None or 300 <= status < 400 or status in (204, 304) or len(rec.tasks) >= self.limits.count:
            return False
        return length is None or (length <= self.limits.each and rec.raw_bytes + length <= self.limits.total)

    def keep(self, method: str, url: str, body: bytes) -> None:
        rec = self.recording
        if rec is not None and len(body) <= self.limits.each and rec.raw_bytes + len(body) <= self.limits.total:
            rec.raw_bytes += len(body)
            rec.raw.setdefault((method, _defragment(url)), []).append(body)

    def start(self) -> None:
        self.recording = Recording()

    async def finish(self) -> tuple[Fetch | None, list[Exchange], list[str]]:
        """(the navigation as a Fetch or None, the exchanges in the order they were heard, notes for `missing`)."""
        rec, self.recording = self.recording, None
        if rec is None:
            return None, [], []
        if rec.tasks:
            _, late = await asyncio.wait(rec.tasks, timeout=READ_TIMEOUT)
            for task in late:
                task.cancel()
                rec.left_out += 1
        notes = []
        if rec.left_out:
            notes.append(f"warc: {rec.left_out} sub-resource(s) left out (over the size or count limit, or unreadable)")
        if rec.decoded:
            notes.append(f"warc: {rec.decoded} body(ies) as Chromium decoded them, not the server's bytes")
        return await _navigation(rec.navigations), rec.exchanges, notes

    def _on_response(self, response: Any) -> None:
        rec = self.recording
        if rec is None:
            return
        try:
            if response.request.is_navigation_request() and response.frame == response.frame.page.main_frame:
                rec.navigations.append(response)
        except PlaywrightError:
            pass
        if len(rec.tasks) >= self.limits.count:
            rec.left_out += 1
            return
        rec.tasks.append(asyncio.ensure_future(self._record(rec, response)))

    async def _record(self, rec: Recording, response: Any) -> None:
        request = response.request
        try:
            received = [(h["name"], h["value"]) for h in await response.headers_array()]
            sent = [(h["name"], h["value"]) for h in await request.headers_array()]
            body, decoded = b"", False
            if not 300 <= response.status < 400 and response.status not in (204, 304):
                declared = dict((k.lower(), v) for k, v in received).get("content-length", "")
                if declared.isdigit() and int(declared) > self.limits.each:
                    rec.left_out += 1
                    return
                kept = rec.raw.get((request.method, _defragment(response.url)))
                if kept:
                    body = kept.pop(0)
                else:
                    body, decoded = await response.body(), True
        except PlaywrightError:  # a body Chromium dropped (the page navigated on), an aborted request
            rec.left_out += 1
            return
        if len(body) > self.limits.each or rec.body_bytes + len(body) > self.limits.total:
            rec.left_out += 1
            return
        rec.body_bytes += len(body)
        rec.decoded += decoded
        start = (request.timing or {}).get("startTime") or 0
        rec.exchanges.append(
            Exchange(
                url=response.url, status=response.status, response_headers=received, body=body,
                request_headers=sent, method=request.method, date=utc_stamp(start / 1000) if start > 0 else "",
                resource=request.resource_type,
            )
        )  # fmt: skip


def _defragment(url: str) -> str:
    return url.split("#", 1)[0]


async def _navigation(responses: list[Any]) -> Fetch | None:
    """The main frame's last navigation as a Fetch (its redirect chain from Chromium's `redirected_from`)."""
    if not responses:
        return None
    final = responses[-1]
    chain: list[Hop] = []
    request = final.request.redirected_from
    while request is not None and len(chain) < 50:
        answer = await request.response()
        chain.append(Hop(request.url, answer.status if answer is not None else ""))
        request = request.redirected_from
    chain.reverse()
    first = final.request
    while first.redirected_from is not None:
        first = first.redirected_from
    start = (first.timing or {}).get("startTime") or 0
    timing = final.request.timing or {}
    end = (timing.get("startTime") or 0) + max(timing.get("responseEnd") or 0, 0)
    return Fetch(
        url=first.url,
        final_url=final.url,
        status=final.status,
        redirects=tuple(chain),
        started_at=utc_stamp(start / 1000) if start > 0 else "",
        ended_at=utc_stamp(end / 1000) if end > 0 else "",
    )
