"""ProvenanceMiddleware: when each fetch started and ended, for evidence manifests (`fetch_of`).

Next to the download handler, it stamps a request's meta with the time it went to the network and the time its
response came back. A redirect's next hop keeps the first hop's start (the chain began then); a retry starts again.
Scrapy's RedirectMiddleware and NetSword's meta refresh list the hops in `redirect_urls` and `redirect_reasons`.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.http import Response

from evidence.store import Fetch, Hop, utc_stamp

STARTED = "netsword_fetch_started"
ENDED = "netsword_fetch_ended"


class ProvenanceMiddleware:
    def process_request(self, request: Request) -> None:
        redirected = bool(request.meta.get("redirect_urls"))
        if not (redirected and STARTED in request.meta):
            request.meta[STARTED] = time.time()
        request.meta.pop(ENDED, None)

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[ENDED] = time.time()
        return response


def fetch_of(response: Response) -> Fetch:
    """How `response` was fetched: the URL first asked for, the redirects, final URL and status, start and end."""
    meta: dict[str, Any] = response.meta if response.request is not None else {}
    urls = [str(u) for u in meta.get("redirect_urls") or ()]
    reasons = list(meta.get("redirect_reasons") or ())
    hops = tuple(Hop(url, reasons[i] if i < len(reasons) else "") for i, url in enumerate(urls))
    started, ended = meta.get(STARTED), meta.get(ENDED)
    return Fetch(
        url=urls[0] if urls else (response.request.url if response.request is not None else response.url),
        final_url=response.url,
        status=response.status,
        redirects=hops,
        started_at=utc_stamp(started) if isinstance(started, float) else "",
        ended_at=utc_stamp(ended) if isinstance(ended, float) else "",
    )
