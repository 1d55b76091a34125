"""Which HTTP headers an evidence manifest may keep: an allow-list of harmless names, and never a configured secret.

Manifests go to police, prosecutors and courts, so a header is kept only when its name is on the allow-list below
(a deny-list missed `X-RapidAPI-Key`, `X-Auth-Token`, `Api-Key` …) AND its value holds none of the secrets the
caller names: values of environment variables a profile header refers to as `${NAME}`, cookie values and the
configuration's secret fields (`configured_secrets`). The names of request headers left out are listed, so a
manifest still says honestly that, for instance, an API key header was sent.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

# What a browser or a crawler sends for any page: nothing here carries a credential.
REQUEST_HEADERS = frozenset({
    "accept", "accept-encoding", "accept-language", "cache-control", "content-length", "content-type", "dnt",
    "if-modified-since", "if-none-match", "pragma", "referer", "upgrade-insecure-requests", "user-agent",
})  # fmt: skip
# What a server says about the page it sent: its type, size, dates, version and where it redirected.
RESPONSE_HEADERS = frozenset({
    "age", "cache-control", "content-encoding", "content-language", "content-length", "content-location",
    "content-type", "date", "etag", "expires", "last-modified", "location", "server", "vary",
})  # fmt: skip
_ENV_REF = re.compile(r"\$\{(\w+)\}")
_MAX_VALUE = 2000  # a hostile server's header is still only evidence, not a place to store megabytes
_MIN_SECRET = 4  # shorter "secrets" (a placeholder "1") would hide ordinary headers and protect nothing


def kept_headers(
    headers: Mapping[str, str], *, allowed: frozenset[str], secrets: Iterable[str] = ()
) -> tuple[dict[str, str], list[str]]:
    """(headers that may be recorded, sorted names of those left out): allow-listed names without a secret value."""
    hidden = [s for s in secrets if len(s) >= _MIN_SECRET]
    kept: dict[str, str] = {}
    left_out: set[str] = set()
    for name, value in headers.items():
        text = str(value)
        if name.lower() in allowed and not any(secret in text for secret in hidden):
            kept[name] = text[:_MAX_VALUE]
        else:
            left_out.add(_printable_name(name))
    return kept, sorted(left_out)


def env_secrets(header_templates: Mapping[str, str]) -> list[str]:
    """The values of the environment variables that header templates name as `${NAME}` (profile headers)."""
    names = {name for value in header_templates.values() for name in _ENV_REF.findall(str(value))}
    return [os.environ[name] for name in sorted(names) if os.environ.get(name)]


def configured_secrets(config: Any) -> list[str]:
    """Every non-empty field marked `secret` in a configuration dataclass and its sections (netsword.config)."""
    found: list[str] = []
    if not dataclasses.is_dataclass(config):
        return found
    for fld in dataclasses.fields(config):
        value = getattr(config, fld.name, None)
        if fld.metadata.get("secret") and isinstance(value, str) and value:
            found.append(value)
        elif dataclasses.is_dataclass(value):
            found.extend(configured_secrets(value))
    return found


def _printable_name(name: str) -> str:
    return "".join(c for c in str(name) if c.isprintable())[:100]
