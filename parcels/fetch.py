"""Fetch a courier feed over HTTP(S) into `<var_dir>/parcels/feeds/` so that it can be imported like a file.

Settings: `parcels.fetch_timeout`; the download is streamed, so large feeds are never held in memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlparse

import httpx

MAX_FEED_BYTES = 2 * 1024**3


class FetchError(RuntimeError):
    """The feed could not be downloaded (bad URL, HTTP error, too large)."""


def fetch_feed(url: str, dest_dir: Path, courier: str, *, timeout: float = 60.0, user_agent: str = "") -> Path:
    """Download the feed and return the local file; the suffix follows the URL (.jsonl/.csv)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(f"{url}: must be an http(s) URL")
    suffix = ".jsonl" if parsed.path.lower().endswith((".jsonl", ".ndjson", ".json")) else ".csv"
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = f"{courier}-{hashlib.sha256(url.encode()).hexdigest()[:12]}{suffix}"
    final, partial = dest_dir / name, dest_dir / (name + ".part")
    headers = {"User-Agent": user_agent} if user_agent else {}
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True, headers=headers) as response:
            if response.status_code != 200:
                raise FetchError(f"{url}: HTTP {response.status_code}")
            size = 0
            with open(partial, "wb") as fh:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_FEED_BYTES:
                        raise FetchError(f"{url}: larger than {MAX_FEED_BYTES} bytes")
                    fh.write(chunk)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{url}: {exc}") from None
    except FetchError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)  # only a complete download is ever imported
    return final
