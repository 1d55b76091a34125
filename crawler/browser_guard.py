"""Chromium's side of the fetch policy (netsword.fetch_policy): what a rendered page may load, and how much of it.

scrapy-playwright routes each request a page makes (the document and every sub-resource) through
PLAYWRIGHT_ABORT_REQUEST, crawler.browser_pages.abort_heavy_request, which asks `refuse_browser_request`: a
navigation of the main frame passes the whole policy (scheme, allowed host, address), any other request the scheme
and address checks (a page may load images from a CDN, never from 10.0.0.1 or from a private host when the page
itself is public). Playwright does not route redirect hops, so each guarded page also has a DevTools (CDP) session
that holds every response before its body: a redirect whose Location the policy refuses, or more than
`max_redirects` of them, and a response whose Content-Length is over the cap, are failed there before Chromium
follows or reads them; a document streamed past the cap without a length is stopped (the page is sent to
about:blank). robots.txt: a guard with a `robots` check (the crawl's robots.txt rules, or crawler.robots_rules
outside a crawl) asks it for every navigation of the main frame that the crawl did not already check — each redirect
hop Chromium is about to follow, a script's or a meta refresh's navigation — so a redirect into a login page that
robots.txt forbids (`Disallow: /member/`) is refused before Chromium fetches it.
A refusal of the page itself is left in the Scrapy request's meta (REFUSED_META), where
crawler.middlewares.fetch_policy turns it into IgnoreRequest. Every refusal is counted (netsword/fetch_refused/…)
and logged in one line. `guard_page` is the playwright_page_init_callback the middleware gives browser requests;
`guard_browser_page` guards a page outside a crawl (`netsword evidence capture`).
Limits: Chromium resolves host names itself, after the check (DNS rebinding); WebSockets and service workers' own
fetches are not routed; sub-resources are capped by Content-Length only.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin

from netsword.fetch_policy import REDIRECTS, TOO_LARGE, FetchPolicy, Refusal, redact, resolve_async

logger = logging.getLogger(__name__)
GUARD_META = "netsword_fetch_guard"  # request meta: the key of the crawl's guard in GUARDS
ORIGINAL_INIT_META = "netsword_page_init_callback"  # the request's own playwright_page_init_callback, called after
REFUSED_META = "netsword_fetch_refused"  # set on a Scrapy request whose page the guard refused: (reason, message)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
UNGUARDED = "unguarded"  # a refusal reason: the page's DevTools session could not be opened, so it loads nothing
STRICT = FetchPolicy(any_host=True)  # for a request whose page no crawl guards: public http(s) only
RobotsCheck = Callable[[str], Awaitable[Refusal | None]]  # a URL → why robots.txt forbids it, or None
BODY_TIMEOUT = 15.0  # seconds to wait for a kept body without a Content-Length before the response is failed


class BodyKeeper(Protocol):
    """Who keeps the raw bodies of a guarded page's responses (crawler.browser_recorder, for evidence)."""

    def wants(self, url: str, status: int, length: int | None) -> bool: ...

    def keep(self, method: str, url: str, body: bytes) -> None: ...


@dataclass
class Guard:
    """One crawl's (or one capture's) policy and where its refusals are counted."""

    policy: FetchPolicy
    count: Callable[[Refusal], None]
    robots: RobotsCheck | None = None  # asked for main-frame navigations the crawl did not check itself


@dataclass(eq=False)
class _PageState:
    guard: Guard
    request: Any = None  # the Scrapy request the page is serving now (its meta hears of a refusal)
    max_bytes: int = 0
    session: Any = None
    main_frame: str = ""
    documents: dict[str, int] = field(default_factory=dict)  # main-frame document request id → bytes received
    hops: dict[str, int] = field(default_factory=dict)  # network request id → redirects followed
    refused: Refusal | None = None
    broken: str = ""  # why the DevTools session could not be opened: the page may then load nothing
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    keeper: BodyKeeper | None = None  # given the bytes of the responses it wants, as the server sent them

    def refuse(self, refusal: Refusal, *, page_itself: bool) -> None:
        self.guard.count(refusal)
        if page_itself:
            self.refused = refusal
            if self.request is not None:
                self.request.meta[REFUSED_META] = (refusal.reason, refusal.message)


GUARDS: dict[int, Guard] = {}  # crawl guards by key (request meta holds the key: meta must stay plain)
_PAGES: weakref.WeakKeyDictionary[Any, _PageState] = weakref.WeakKeyDictionary()


def register(guard: Guard) -> int:
    key = max(GUARDS, default=0) + 1
    GUARDS[key] = guard
    return key


async def guard_page(page: Any, request: Any) -> None:
    """playwright_page_init_callback of browser requests (set by crawler.middlewares.fetch_policy): guard `page`
    with its crawl's policy, then run the request's own init callback."""
    guard = GUARDS.get(request.meta.get(GUARD_META, 0))
    if guard is not None:
        cap = int(request.meta.get("download_maxsize") or guard.policy.max_bytes)
        state = await _attach(page, guard, cap)
        state.request, state.refused = request, None
        state.documents.clear()
        state.hops.clear()
    original = request.meta.get(ORIGINAL_INIT_META)
    if original is not None:
        from scrapy.utils.misc import load_object

        await load_object(original)(page, request)


async def guard_browser_page(
    page: Any, policy: FetchPolicy, count: Callable[[Refusal], None], robots: RobotsCheck | None = None
) -> _PageState:
    """Guard a page opened outside a crawl: its requests are routed here, its responses capped, its navigations
    (redirects included) checked against robots.txt when `robots` is given. The returned state's `refused` says
    whether the page itself was refused."""
    state = await _attach(page, Guard(policy, count, robots), policy.max_bytes)

    async def route(route: Any, request: Any) -> None:
        if await refuse_browser_request(request):
            await route.abort("blockedbyclient")
        else:
            await route.continue_()

    await page.route("**", route)
    return state


def keep_bodies(page: Any, keeper: BodyKeeper) -> bool:
    """Hand `keeper` the raw bytes of the responses of `page` it wants, read from the response Chromium holds
    before its body (Fetch.getResponseBody: the bytes as received, after transfer and content decoding but before
    any charset decoding — unlike Playwright's Response.body(), which for text re-encodes Chromium's decoded
    string as UTF-8). False when the page is not guarded (no DevTools session: nothing raw to give)."""
    state = _PAGES.get(page)
    if state is None or state.session is None:
        return False
    state.keeper = keeper
    return True


async def refuse_browser_request(request: Any) -> bool:
    """Whether the fetch policy refuses a request Chromium is about to send (the route/abort hook's question)."""
    try:
        frame = request.frame
        page = frame.page
        state = _PAGES.get(page)
        main = request.is_navigation_request() and frame.parent_frame is None
    except Exception:  # noqa: BLE001 - a service worker's request has no frame: no page's policy applies
        state, main, frame, page = None, False, None, None
    policy = state.guard.policy if state is not None else STRICT
    url = request.url
    if state is not None and state.broken:
        state.refuse(Refusal(UNGUARDED, f"{redact(url)}: not loaded: {state.broken}"), page_itself=main)
        return True
    origin = ""
    if not main and frame is not None:
        origin = frame.url if frame.url.startswith("http") else page.url
    refusal = policy.check_url(url, resource=not main, origin=origin)
    if refusal is None:
        refusal = await _check_name(policy, url, origin)
    if refusal is None and main and state is not None:
        refusal = await _check_robots(state, url)
    if refusal is None:
        return False
    if state is not None:
        state.refuse(refusal, page_itself=main)
    else:
        logger.warning("fetch refused (%s): %s", refusal.reason, refusal.message)
    return True


async def _check_name(policy: FetchPolicy, url: str, origin: str) -> Refusal | None:
    name = policy.name_to_resolve(url, origin=origin)
    if not name:
        return None
    try:
        addresses = await resolve_async(name)
    except OSError:
        return None  # Chromium cannot resolve it either (its own lookup may differ: see the module's limits)
    return policy.check_addresses(url, addresses, origin=origin)


async def _check_robots(state: _PageState, url: str) -> Refusal | None:
    """robots.txt's word on a main-frame navigation; the crawl's own request was checked by its middleware."""
    robots = state.guard.robots
    if robots is None or (state.request is not None and state.request.url == url):
        return None
    return await robots(url)


async def _attach(page: Any, guard: Guard, max_bytes: int) -> _PageState:
    state = _PAGES.get(page)
    if state is None:
        state = _PageState(guard=guard, max_bytes=max_bytes)
        _PAGES[page] = state
    state.guard, state.max_bytes = guard, max_bytes
    if state.session is None and not state.broken:
        try:
            await _open_session(page, state)
        except Exception as exc:  # noqa: BLE001 - fail closed: an unguarded page loads nothing
            state.broken = f"no DevTools session for the fetch policy ({' '.join(str(exc).split())[:120]})"
            logger.error("browser guard: %s", state.broken)
    return state


async def _open_session(page: Any, state: _PageState) -> None:
    session = await page.context.new_cdp_session(page)
    state.session = session
    tree = await session.send("Page.getFrameTree")
    state.main_frame = tree["frameTree"]["frame"]["id"]
    session.on("Fetch.requestPaused", lambda event: _spawn(state, _on_paused(state, event)))
    session.on("Network.responseReceived", lambda event: _on_response(state, event))
    session.on("Network.dataReceived", lambda event: _on_data(state, event))
    # This session only counts bytes: it keeps no response bodies.
    await session.send("Network.enable", {"maxTotalBufferSize": 0, "maxResourceBufferSize": 0})
    await session.send("Fetch.enable", {"patterns": [{"urlPattern": "*", "requestStage": "Response"}]})


def _spawn(state: _PageState, coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)


async def _on_paused(state: _PageState, event: dict[str, Any]) -> None:
    """A response Chromium holds before its body: fail it when it redirects where the policy refuses, or is too
    large; let it go on otherwise."""
    request_id = event["requestId"]
    try:
        refusal, page_itself = await _judge(state, event)
    except Exception as exc:  # noqa: BLE001 - never leave a response paused: Chromium would wait for ever
        logger.debug("browser guard: %s", exc)
        refusal, page_itself = None, False
    command, params = "Fetch.continueRequest", {"requestId": request_id}
    try:
        if refusal is None and not await _keep_body(state, event):
            url = redact(event["request"]["url"])
            refusal = Refusal(TOO_LARGE, f"{url}: its body did not end in {BODY_TIMEOUT:g} s")
    except Exception as exc:  # noqa: BLE001 - never leave a response paused (the keeper hears of no body)
        logger.debug("browser guard: keeping a body: %s", exc)
    if refusal is not None:
        state.refuse(refusal, page_itself=page_itself)
        command, params = "Fetch.failRequest", {"requestId": request_id, "errorReason": "BlockedByClient"}
    try:
        await state.session.send(command, params)
    except Exception as exc:  # noqa: BLE001 - the request was cancelled meanwhile (the page moved on or closed)
        logger.debug("browser guard: %s: %s", command, exc)


async def _keep_body(state: _PageState, event: dict[str, Any]) -> bool:
    """Give the keeper the response's raw body when it wants it; False when a body without a Content-Length
    did not end within BODY_TIMEOUT (the response is then failed: a stream without end is never kept)."""
    keeper, status = state.keeper, event.get("responseStatusCode")
    if keeper is None or status is None or status in REDIRECT_STATUSES:
        return True
    url = event["request"]["url"]
    length = next((h["value"] for h in event.get("responseHeaders") or () if h["name"].lower() == "content-length"), "")
    if not keeper.wants(url, status, int(length) if length.isdigit() else None):
        return True
    read = state.session.send("Fetch.getResponseBody", {"requestId": event["requestId"]})
    try:
        answer = await (read if length.isdigit() else asyncio.wait_for(read, BODY_TIMEOUT))
    except TimeoutError:
        return False
    except Exception as exc:  # noqa: BLE001 - no body to read (a HEAD, an aborted request): nothing to keep
        logger.debug("browser guard: Fetch.getResponseBody: %s", exc)
        return True
    body = answer.get("body") or ""
    if answer.get("base64Encoded"):
        keeper.keep(event["request"].get("method", "GET"), url, base64.b64decode(body))
    else:  # Chromium gave text: not the server's bytes, so none kept (the keeper says what is missing)
        logger.debug("browser guard: %s: body given as text, not kept", redact(url))
    return True


async def _judge(state: _PageState, event: dict[str, Any]) -> tuple[Refusal | None, bool]:
    status = event.get("responseStatusCode")
    if status is None:  # a network error: nothing to judge
        return None, False
    url = event["request"]["url"]
    page_itself = event.get("resourceType") == "Document" and event.get("frameId") == state.main_frame
    headers = {h["name"].lower(): h["value"] for h in event.get("responseHeaders") or ()}
    policy = state.guard.policy
    location = headers.get("location", "")
    if status in REDIRECT_STATUSES and location:
        target = urljoin(url, location)
        network_id = event.get("networkId") or event["requestId"]
        state.hops[network_id] = hops = state.hops.get(network_id, 0) + 1
        refusal = policy.check_redirects(target, hops)
        if refusal is None:
            refusal = policy.check_url(target, resource=not page_itself, origin=url)
        if refusal is None:
            refusal = await _check_name(policy, target, url)
        if refusal is None and page_itself:
            refusal = await _check_robots(state, target)
        if refusal is not None and refusal.reason != REDIRECTS:
            refusal = Refusal(refusal.reason, f"redirect from {redact(url)} refused: {refusal.message}")
        return refusal, page_itself
    length = headers.get("content-length", "")
    if length.isdigit():
        return policy.check_size(url, int(length), state.max_bytes), page_itself
    return None, page_itself


def _on_response(state: _PageState, event: dict[str, Any]) -> None:
    if event.get("type") == "Document" and event.get("frameId") == state.main_frame:
        state.documents[event["requestId"]] = 0


def _on_data(state: _PageState, event: dict[str, Any]) -> None:
    request_id = event["requestId"]
    if request_id not in state.documents or state.refused is not None:
        return
    state.documents[request_id] += int(event.get("dataLength") or 0)
    if state.documents[request_id] > state.max_bytes > 0:
        url = redact(state.request.url) if state.request is not None else "the page"
        state.refuse(Refusal(TOO_LARGE, f"{url}: larger than {state.max_bytes} bytes (stopped)"), page_itself=True)
        # Stop the download: the page goes to about:blank, and the request is refused, never read half.
        _spawn(state, _send(state, "Page.navigate", {"url": "about:blank"}))


async def _send(state: _PageState, command: str, params: dict[str, Any]) -> None:
    try:
        await state.session.send(command, params)
    except Exception as exc:  # noqa: BLE001 - the page closed meanwhile
        logger.debug("browser guard: %s: %s", command, exc)
