"""Fetch a courier feed over HTTP(S) into `<var_dir>/parcels/feeds/` so that it can be imported like a file.

Settings: `parcels.fetch_timeout`; the download is streamed, so large feeds are never held in memory.
Every URL passes the fetch policy (netsword.fetch_policy) before a connection is made: http(s) only; the feed's own
host (the operator named it) may be on a private address, any other host — a redirect's — must be public; at most
5 redirects, each checked like the first. The host's checked address is the one connected to (the request goes to
that address, with the host name in Host and TLS SNI), so a name that changes its answer after the check (DNS
rebinding) cannot lead elsewhere.
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from netsword.fetch_policy import FetchPolicy, check_fetch, for_operator_url, redact

MAX_FEED_BYTES = 2 * 1024**3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class FetchError(RuntimeError):
    """The feed could not be downloaded (bad URL, refused by the fetch policy, HTTP error, too large)."""


def fetch_feed(url: str, dest_dir: Path, courier: str, *, timeout: float = 60.0, user_agent: str = "",
               policy: FetchPolicy | None = None) -> Path:  # fmt: skip
    """Download the feed and return the local file; the suffix follows the URL (.jsonl/.csv). `policy`: what may be
    fetched (default: `netsword.fetch_policy.for_operator_url(url)`)."""
    parsed = urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FetchError(f"{redact(url)}: must be an http(s) URL")
    policy = policy or for_operator_url(url, max_bytes=MAX_FEED_BYTES, timeout=timeout)
    suffix = ".jsonl" if parsed.path.lower().endswith((".jsonl", ".ndjson", ".json")) else ".csv"
    dest_dir.mkdir(parents=True, exist_ok=True)
    name = f"{courier}-{hashlib.sha256(url.encode()).hexdigest()[:12]}{suffix}"
    final, partial = dest_dir / name, dest_dir / (name + ".part")
    headers = {"User-Agent": user_agent} if user_agent else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers) as client:
            _download(client, policy, url, partial)
    except httpx.HTTPError as exc:
        partial.unlink(missing_ok=True)
        raise FetchError(f"{redact(url)}: {' '.join(str(exc).split())[:200] or type(exc).__name__}") from None
    except FetchError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)  # only a complete download is ever imported
    return final


def _download(client: httpx.Client, policy: FetchPolicy, url: str, partial: Path) -> None:
    current, origin = url, ""
    for hops in range(policy.max_redirects + 2):
        refusal = policy.check_redirects(current, hops)
        addresses: list[str] = []
        if refusal is None:
            try:
                refusal, addresses = check_fetch(policy, current, origin=origin)
            except OSError as exc:
                raise FetchError(f"{redact(current)}: cannot resolve the host ({exc})") from None
        if refusal is not None:
            raise FetchError(f"refused by the fetch policy: {refusal.message}")
        target, host_header, extensions = _pinned(current, addresses)
        with client.stream("GET", target, headers=host_header, extensions=extensions) as response:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                current, origin = urljoin(current, location), current
                continue
            if response.status_code != 200:
                raise FetchError(f"{redact(current)}: HTTP {response.status_code}")
            size = 0
            with open(partial, "wb") as fh:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise FetchError(f"{redact(current)}: larger than {policy.max_bytes} bytes")
                    fh.write(chunk)
            return
    raise FetchError(f"{redact(url)}: more than {policy.max_redirects} redirects")  # pragma: no cover


def _pinned(url: str, addresses: list[str]) -> tuple[str, dict[str, str], dict[str, str]]:
    """(URL, headers, extensions) that connect to the checked address while naming the host (Host header, TLS SNI
    and certificate check); the URL as it is when no address was checked (a name the policy lets be anywhere)."""
    if not addresses:
        return url, {}, {}
    parts = urlsplit(url)
    host = parts.hostname or ""
    ip = ipaddress.ip_address(addresses[0].split("%", 1)[0])
    literal = f"[{ip}]" if ip.version == 6 else str(ip)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    netloc = userinfo + literal + (f":{parts.port}" if parts.port else "")
    if host.strip("[]") == str(ip):  # the URL names the address already
        return url, {}, {}
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return pinned, {"Host": parts.netloc.rsplit("@", 1)[-1]}, {"sni_hostname": host}
