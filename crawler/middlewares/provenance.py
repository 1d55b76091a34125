"""ProvenanceMiddleware: when each fetch started and ended, and the redirects on the way, for evidence (`fetch_of`,
`hop_exchanges`).

Next to the download handler, it stamps a request's meta with the time it went to the network and the time its
response came back. A redirect's next hop keeps the first hop's start (the chain began then); a retry starts again.
Scrapy's RedirectMiddleware and NetSword's meta refresh list the hops in `redirect_urls` and `redirect_reasons`;
this middleware, which hears each 3xx answer before RedirectMiddleware does, also keeps it (status, headers, at most
MAX_HOP_BODY bytes of body) so that the capture's WARC holds every exchange of the chain, not only the last.
"""

from __future__ import annotations

import time
from typing import Any

from scrapy import Request
from scrapy.http import Response

from evidence.store import Fetch, Hop, utc_stamp
from evidence.warc import Exchange

STARTED = "netsword_fetch_started"
ENDED = "netsword_fetch_ended"
HOP_STARTED = "netsword_hop_started"
HOPS = "netsword_hops"  # the 3xx exchanges of a redirect chain, in order (a list every hop's request shares)
MAX_HOP_BODY = 64 * 1024
MAX_HOPS = 20


class ProvenanceMiddleware:
    def process_request(self, request: Request) -> None:
        redirected = bool(request.meta.get("redirect_urls"))
        if not (redirected and STARTED in request.meta):
            request.meta[STARTED] = time.time()
            request.meta[HOPS] = []
        request.meta[HOP_STARTED] = time.time()
        request.meta.pop(ENDED, None)

    def process_response(self, request: Request, response: Response) -> Response:
        request.meta[ENDED] = time.time()
        hops = request.meta.get(HOPS)
        if 300 <= response.status < 400 and isinstance(hops, list) and len(hops) < MAX_HOPS:
            # Scrapy builds the next hop's request with a copy of this meta: the list goes along
            hops.append(_exchange(request, response, request.meta.get(HOP_STARTED)))
        return response


def _exchange(request: Request, response: Response, started: Any) -> Exchange:
    return Exchange(
        url=response.url,
        status=response.status,
        response_headers=_pairs(response.headers),
        body=response.body[:MAX_HOP_BODY],
        request_headers=_pairs(request.headers),
        method=request.method,
        date=utc_stamp(started) if isinstance(started, float) else "",
    )


def _pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    return tuple((k.decode("latin-1"), v.decode("latin-1")) for k, values in headers.items() for v in values)


def hop_exchanges(response: Response) -> tuple[Exchange, ...]:
    """The redirects `response` came through, as they were answered (none when it was not redirected)."""
    meta: dict[str, Any] = response.meta if response.request is not None else {}
    hops = meta.get(HOPS) if meta.get("redirect_urls") else None
    return tuple(h for h in hops or () if isinstance(h, Exchange))


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
