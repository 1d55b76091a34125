"""BrowserRecorder: what Chromium fetched while it opened a page for evidence, as WARC exchanges and a Fetch.

Attached once to a Playwright page (`attach`), it hears every response (the navigation, its redirects and the
page's sub-resources) and, between `start()` and `finish()`, keeps each as an evidence.warc.Exchange: the status,
the headers Chromium saw (evidence.warc keeps the allow-listed ones only) and the body, within SubresourceLimits
(what is left out is counted and said in the capture's `missing`). `finish()` also returns the navigation as a
Fetch: the URL asked for, each redirect, the final URL and status, and the request's start and end (Chromium's
own resource timing).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Error as PlaywrightError

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


class BrowserRecorder:
    def __init__(self, limits: SubresourceLimits | None = None) -> None:
        self.limits = limits or SubresourceLimits()
        self.recording: Recording | None = None
        self.pages: weakref.WeakSet[Any] = weakref.WeakSet()

    def attach(self, page: Any) -> None:
        """Hear `page`'s responses (once, however often it is offered)."""
        if page not in self.pages:
            self.pages.add(page)
            page.on("response", self._on_response)

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
        notes = [f"warc: {rec.left_out} sub-resource(s) left out (over the size or count limit, or unreadable)"]
        return await _navigation(rec.navigations), rec.exchanges, notes if rec.left_out else []

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
            body = b""
            if not 300 <= response.status < 400 and response.status not in (204, 304):
                declared = dict((k.lower(), v) for k, v in received).get("content-length", "")
                if declared.isdigit() and int(declared) > self.limits.each:
                    rec.left_out += 1
                    return
                body = await response.body()
        except PlaywrightError:  # a body Chromium dropped (the page navigated on), an aborted request
            rec.left_out += 1
            return
        if len(body) > self.limits.each or rec.body_bytes + len(body) > self.limits.total:
            rec.left_out += 1
            return
        rec.body_bytes += len(body)
        start = (request.timing or {}).get("startTime") or 0
        rec.exchanges.append(
            Exchange(
                url=response.url, status=response.status, response_headers=received, body=body,
                request_headers=sent, method=request.method, date=utc_stamp(start / 1000) if start > 0 else "",
                resource=request.resource_type,
            )
        )  # fmt: skip


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
