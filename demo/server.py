"""The demo marketplace server: one Starlette app serving all four platform styles, and DemoMarket to run it.

DemoMarket(port=0, seed=…, size=…, rate_limit=…, burst=…, fault_rate=…, slow_rate=…, slow_seconds=…).start()
serves on 127.0.0.1 from a background thread and returns the base URL; .stop() shuts it down. See
docs/demo-marketplace.md for the URL and markup contract.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse

from demo import pages, routes_admin, routes_api, routes_browser, routes_feed, routes_static
from demo.catalogue import DEFAULT_SEED, DEFAULT_SIZE, Catalogue, build_catalogue
from demo.context import MarketContext
from demo.market_state import MarketState
from demo.realism import RealismMiddleware, RealismSettings


def create_app(catalogue: Catalogue, settings: RealismSettings) -> tuple[Any, MarketContext, RealismMiddleware]:
    """The ASGI app (realism middleware around the routes), its shared context, and the middleware itself."""
    ctx = MarketContext(catalogue, MarketState(catalogue))
    holder: dict[str, RealismMiddleware] = {}

    def reset_realism() -> None:
        holder["mw"].reset()

    def hits() -> dict[str, int]:
        return dict(holder["mw"].hits)

    async def not_found(request: Request, exc: Exception) -> HTMLResponse:
        return HTMLResponse(pages.NOT_FOUND, status_code=404)

    app = Starlette(
        routes=[*routes_static.routes(ctx), *routes_browser.routes(ctx), *routes_api.routes(ctx),
                *routes_feed.routes(ctx), *routes_admin.routes(ctx, reset_realism, hits)],
        exception_handlers={404: not_found},
    )  # fmt: skip
    middleware = holder["mw"] = RealismMiddleware(app, settings)
    return middleware, ctx, middleware


class DemoMarket:
    """The demo marketplace on a loopback port, run by uvicorn in a background thread (for tests and `netsword demo`)."""

    def __init__(self, port: int = 0, seed: int = DEFAULT_SEED, *, size: int = DEFAULT_SIZE,
                 rate_limit: float | None = 200.0, burst: float | None = None, fault_rate: float = 0.02,
                 slow_rate: float = 0.01, slow_seconds: float = 0.3, host: str = "127.0.0.1") -> None:  # fmt: skip
        for name, rate in (("fault_rate", fault_rate), ("slow_rate", slow_rate)):
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {rate}")
        if rate_limit is not None and rate_limit < 0:
            raise ValueError(f"rate_limit must be ≥ 0 (0 turns it off), got {rate_limit}")
        self.host = host
        self.port = port
        self.catalogue = build_catalogue(seed, size)
        self.settings = RealismSettings(rate_limit, burst, fault_rate, slow_rate, slow_seconds, seed)
        self.app, self.context, self._realism = create_app(self.catalogue, self.settings)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def hits(self) -> Counter[str]:
        """A snapshot of the requests seen so far, by path and query string (the live counter is the server's)."""
        return Counter(self._realism.hits)

    def ground_truth(self) -> list[dict[str, Any]]:
        return self.catalogue.ground_truth()

    def start(self, timeout: float = 15.0) -> str:
        """Bind (OSError if the port is taken), serve in a background thread, and return the base URL."""
        if self._thread is not None:
            return self.url
        # proto must be IPPROTO_TCP: asyncio only sets TCP_NODELAY on accepted sockets that say so, and without it
        # every keep-alive response waits ~40 ms for a delayed ACK (Nagle)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError:
            sock.close()
            raise
        sock.listen(1024)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off",
                                timeout_keep_alive=30, backlog=1024)  # fmt: skip
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name=f"demo-market-{self.port}", daemon=True)  # fmt: skip
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"demo marketplace did not start on {self.url}")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoMarket:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
