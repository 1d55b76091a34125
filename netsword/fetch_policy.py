"""The one fetch policy of crawls, re-checks, evidence capture and courier feeds: which URLs may be fetched at all.

A URL passes when its scheme is http or https; its host is one of the allowed hosts (a profile's hosts and their
subdomains; an entry with a port allows that port only, one without allows 80 and 443); and every address the host
stands for is public. Private, loopback, link-local, multicast, reserved, shared and unspecified addresses are
refused, IPv4 and IPv6 alike (IPv4-mapped, 6to4 and NAT64 IPv6 addresses by the IPv4 address inside; decimal,
octal and hex IPv4 forms such as `2130706433` or `0x7f.1` read as browsers read them), unless the host is one of
`private_hosts`: the hosts of a profile with `allow_private_addresses: true`, or one the operator named (`--base-url`).
Each redirect hop passes the same checks, at most `max_redirects` of them; pages are cut at `max_bytes`.
Framework-free: the crawler's downloader middleware, its Chromium guard and parcels/fetch.py apply it. Refusals
carry a stats reason (`netsword/fetch_refused/<reason>`) and a one-line message without query strings or passwords.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = ("http", "https")
LOCAL_SCHEMES = ("data", "blob", "about")  # a browser makes these of bytes it holds: no network fetch
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_TIMEOUT = 30.0
STATS_PREFIX = "netsword/fetch_refused/"
# Refusal reasons, each a stats key under STATS_PREFIX.
SCHEME, HOST, PRIVATE_ADDRESS, REDIRECTS, TOO_LARGE = "scheme", "host", "private_address", "redirects", "too_large"

_LOOSE_IPV4 = re.compile(r"[0-9a-fA-FxX.]+")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Refusal:
    """Why a URL is not fetched: `reason` (a stats key) and a one-line `message` naming no secret."""

    reason: str
    message: str

    @property
    def stat(self) -> str:
        return STATS_PREFIX + self.reason


@dataclass(frozen=True)
class FetchPolicy:
    """What may be fetched: plain values only, so it can travel in settings, request meta and child processes."""

    hosts: tuple[str, ...] = ()  # allowed hosts (`host` or `host:port`); empty and not any_host: nothing
    private_hosts: tuple[str, ...] = ()  # hosts whose addresses may be private, loopback, …
    any_host: bool = False  # hosts are not restricted (address and scheme checks still apply)
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    max_redirects: int = MAX_REDIRECTS

    @cached_property
    def _entries(self) -> tuple[tuple[str, int | None], ...]:
        return tuple(e for e in map(_entry, self.hosts) if e)

    @cached_property
    def _private(self) -> tuple[tuple[str, int | None], ...]:
        return tuple(e for e in map(_entry, self.private_hosts) if e)

    def check_url(self, url: str, *, resource: bool = False, origin: str = "") -> Refusal | None:
        """Scheme, host and (for an address written in the URL) address; names still need `check_addresses`.

        `resource`: a browser's sub-resource (image, script, XHR …): any host, and data:/blob: URLs, may be loaded,
        but never from a non-public address the policy does not allow. `origin`: the URL that redirected here, or
        the page that loads this resource (see `allows_private`)."""
        try:
            parts = urlsplit(url)
            scheme, port = parts.scheme.lower(), parts.port
        except ValueError:
            return Refusal(HOST, f"{redact(url)}: not a URL that can be fetched")
        if resource and scheme in LOCAL_SCHEMES:
            return None
        if scheme not in SCHEMES:
            return Refusal(SCHEME, f"{redact(url)}: scheme {scheme or 'none'}: only http and https are fetched")
        host = canonical_host(parts.hostname or "")
        if not host:
            return Refusal(HOST, f"{redact(url)}: no host")
        if not (resource or self.any_host or _matches(host, port, scheme, self._entries)):
            return Refusal(HOST, f"{redact(url)}: host {host} is not among the allowed hosts")
        literal = ip_literal(host)
        if literal is not None:
            return self.check_addresses(url, [literal], origin=origin)
        return None

    def name_to_resolve(self, url: str, *, origin: str = "") -> str:
        """The host name whose addresses must be looked up and checked; "" for an address or an allowed one."""
        parts = urlsplit(url)
        host = canonical_host(parts.hostname or "")
        if not host or ip_literal(host) is not None or self.allows_private(url, origin=origin):
            return ""
        return host

    def allows_private(self, url: str, *, origin: str = "") -> bool:
        """Whether `url`'s host may be on a non-public address: it is one of `private_hosts`, and so is `origin`
        when there is one — a public page can never lead, by redirect or sub-resource, to a private address (as
        browsers' Private Network Access rule has it), not even to a demo profile's loopback host."""
        return _private_host(url, self._private) and (not origin or _private_host(origin, self._private))

    def check_addresses(self, url: str, addresses: Iterable[str | IPAddress], *, origin: str = "") -> Refusal | None:
        """Every address the URL's host stands for must be public, unless the policy allows this host's."""
        if self.allows_private(url, origin=origin):
            return None
        for address in addresses:
            ip = address if not isinstance(address, str) else _parse_ip(address)
            kind = non_public(ip) if ip is not None else "unreadable"
            if kind:
                host = canonical_host(urlsplit(url).hostname or "")
                shown = "" if str(ip) == host else f" {ip}"
                return Refusal(PRIVATE_ADDRESS, f"{redact(url)}: {host} is not a public address ({kind}{shown})")
        return None

    def check_redirects(self, url: str, hops: int) -> Refusal | None:
        if hops > self.max_redirects:
            return Refusal(REDIRECTS, f"{redact(url)}: more than {self.max_redirects} redirects")
        return None

    def check_size(self, url: str, size: int, limit: int = 0) -> Refusal | None:
        limit = limit or self.max_bytes
        if limit and size > limit:
            return Refusal(TOO_LARGE, f"{redact(url)}: larger than {limit} bytes")
        return None


def for_operator_url(url: str, *, max_bytes: int = DEFAULT_MAX_BYTES, timeout: float = DEFAULT_TIMEOUT) -> FetchPolicy:
    """A policy for one URL the operator typed (a courier feed): any host, and that URL's own host may be on a
    private address; redirects elsewhere may not."""
    return FetchPolicy(any_host=True, private_hosts=(urlsplit(url).netloc,), max_bytes=max_bytes, timeout=timeout)


@lru_cache(maxsize=4096)  # every request asks about the same few hosts (a crawl's CPU: issue 19)
def canonical_host(host: str) -> str:
    """Lower case, no brackets or trailing dot, IDNA-encoded; an IPv4 in any form as its dotted quad."""
    host = host.strip().strip("[]").rstrip(".").lower()
    literal = ip_literal(host)
    if literal is not None:
        return str(literal)
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


@lru_cache(maxsize=4096)
def ip_literal(host: str) -> IPAddress | None:
    """The address a host written as one stands for — also IPv4 in decimal, octal or hex, whole or by parts, as
    browsers and inet_aton read `http://2130706433/`, `http://0177.1/` or `http://0x7f.0.0.1/` — else None."""
    host = host.strip("[]").rstrip(".")
    ip = _parse_ip(host)
    if ip is not None:
        return ip
    last = host.rsplit(".", 1)[-1].lower()
    if _LOOSE_IPV4.fullmatch(host) and (last.isdigit() or last.startswith("0x")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except (OSError, ValueError):
            return None
    return None


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: the zone does not change the kind
    except ValueError:
        return None


def non_public(ip: IPAddress) -> str:
    """What kind of non-public address `ip` is (loopback, private, link-local …); "" for a public one."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is None and ip in _NAT64:
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None and non_public(inner):
            return non_public(inner)
    for kind in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved", "site_local"):
        if getattr(ip, f"is_{kind}", False):
            return kind.replace("_", "-")
    if not ip.is_global:
        return "non-global"  # 100.64.0.0/10 (carrier-grade NAT) and other special-purpose ranges
    return ""


def resolve(host: str, port: int | None = None) -> list[str]:
    """Every address `host` resolves to (blocking); raises OSError when it does not resolve."""
    infos = socket.getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def resolve_async(host: str, port: int | None = None) -> list[str]:
    """`resolve` on the running event loop, without blocking it."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port or 0, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def check_fetch(policy: FetchPolicy, url: str, *, origin: str = "") -> tuple[Refusal | None, list[str]]:
    """All checks of one URL, resolving its host (blocking): (refusal or None, the addresses checked). `origin`:
    the URL that redirected here."""
    refusal = policy.check_url(url, origin=origin)
    if refusal is not None:
        return refusal, []
    name = policy.name_to_resolve(url, origin=origin)
    if not name:
        literal = ip_literal(canonical_host(urlsplit(url).hostname or ""))
        return None, [str(literal)] if literal is not None else []
    addresses = resolve(name, urlsplit(url).port)
    return policy.check_addresses(url, addresses, origin=origin), addresses


def redact(url: str, limit: int = 200) -> str:
    """The URL for a log line: scheme, host, port and path; never a password, query string or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparsable URL>"
    if ":" in host:
        host = f"[{host}]"
    shown = f"{parts.scheme}://{host}{port}{parts.path}" if parts.netloc else f"{parts.scheme}:{parts.path[:40]}"
    shown = "".join(c if c.isprintable() else "?" for c in shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _private_host(url: str, entries: Sequence[tuple[str, int | None]]) -> bool:
    try:
        parts = urlsplit(url)
        return _matches(canonical_host(parts.hostname or ""), parts.port, parts.scheme.lower(), entries)
    except ValueError:
        return False


def _entry(netloc: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(f"//{netloc.strip()}")
        return canonical_host(parts.hostname or ""), parts.port
    except ValueError:
        return None


def _matches(host: str, port: int | None, scheme: str, entries: Sequence[tuple[str, int | None]]) -> bool:
    if not host:
        return False
    effective = port or _DEFAULT_PORTS.get(scheme)
    for name, allowed_port in entries:
        same = host == name or (ip_literal(name) is None and host.endswith("." + name))
        if same and (effective == allowed_port if allowed_port else effective in (80, 443)):
            return True
    return False
