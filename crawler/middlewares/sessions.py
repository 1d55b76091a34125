"""SessionCookiesMiddleware: Scrapy's cookie middleware, with each platform's logged-in session (`crawler.sessions`,
crawler/sessions.py) in every cookie jar from the start, and the session in the Chromium context of browser requests.

HTTP: every cookie jar (Scrapy's `cookiejar` meta names them) starts with the cookies of all sessions; the jar sends
each only to the hosts and paths its domain and path allow, and keeps what the site sets afterwards (a site that
renews its token is answered with the renewed one). Browser: a request for a platform with a session is rendered in
a context of its own (`<context>@<platform>`) made with the session as its storage state (cookies and
localStorage).
Secrets stay in memory: the session never travels in settings, and what travels with a request is left out when
Scrapy saves its queue to JOBDIR (`Unsaved`); the Cookie header is taken off the request once its answer is in, so a
retry saved to JOBDIR or the request headers a listing's evidence records carry no cookie. Installed by the NetSword
add-on in the place of Scrapy's CookiesMiddleware (700), with its settings (COOKIES_ENABLED, COOKIES_DEBUG — keep
that off: it logs cookies).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.http import Response

from crawler.platform_config import Platforms, for_platform, profiles_of
from crawler.sessions import Session

CONTEXT_KWARGS = "playwright_context_kwargs"


class Unsaved(dict):  # type: ignore[type-arg]
    """A request meta value that is never written when Scrapy saves its queue (it pickles as an empty dict); the
    middleware that set it sets it again when the request comes back from the queue."""

    def __reduce__(self) -> Any:
        return (dict, ())

    def __repr__(self) -> str:
        return f"<{len(self)} unsaved settings>"


def browser_context(request: Request, suffix: str, **kwargs: Any) -> None:
    """Send a browser request to a context of its own (`<context><suffix>`), made with `kwargs` (never saved)."""
    meta = request.meta
    name = str(meta.get("playwright_context", "default"))
    if not name.endswith(suffix):
        meta["playwright_context"] = name + suffix
    meta[CONTEXT_KWARGS] = Unsaved({**(meta.get(CONTEXT_KWARGS) or {}), **kwargs})


class SessionCookiesMiddleware(CookiesMiddleware):
    def __init__(self, debug: bool = False) -> None:
        super().__init__(debug)
        self._sessions: dict[str, Session] | None = None
        self._platforms = Platforms(())
        self.seeded: set[Any] = set()

    def sessions(self) -> dict[str, Session]:
        if self._sessions is None:
            from crawler.extensions.runtime import NetSwordRuntime

            extension = self.crawler.get_extension(NetSwordRuntime)
            self._sessions = dict(extension.runtime.sessions) if extension is not None else {}
            self._platforms = Platforms(profiles_of(self.crawler.spider))
        return self._sessions

    def process_request(self, request: Request) -> Request | Response | None:  # type: ignore[override]
        sessions = self.sessions()
        if sessions and not request.meta.get("dont_merge_cookies", False):
            key = request.meta.get("cookiejar")
            if key not in self.seeded:
                self.seeded.add(key)
                jar = self.jars[key]
                for cookie in (c for one in sessions.values() for c in one.cookies):
                    jar.set_cookie(cookie)
            if request.meta.get("playwright"):
                profile = self._platforms.of(request.url)
                own: Session | None = for_platform(sessions, profile.platform) if profile is not None else None
                if own is not None:
                    state = {"cookies": own.playwright_cookies(), "origins": list(own.origins)}
                    browser_context(request, f"@{own.platform}", storage_state=state)
        return super().process_request(request)

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        request.headers.pop(b"Cookie", None)
        return result

    def process_exception(self, request: Request, exception: Exception) -> None:
        request.headers.pop(b"Cookie", None)
