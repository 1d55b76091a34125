"""A test site: an HTTP request handler served on 127.0.0.1 (a free port) in a thread, for as long as the `with`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """The site's root URL, without a trailing slash; the server stops when the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)  # daemon threads: a hung request never holds pytest
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
