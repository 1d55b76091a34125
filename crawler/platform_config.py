"""Per-platform crawl settings of `[crawler]` — sessions, proxies, daily request budgets — written as lists of
"PLATFORM=VALUE" entries (`*=VALUE` for every platform without its own), and which platform a request is for.

Plain Python: the crawl's runtime (crawler.extensions.runtime) reads the entries once, before anything is fetched,
so a bad entry is a setup error naming the key; the middlewares ask `Platforms.of(url)` for a request's profile.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from crawler.errors import CrawlSetupError
from crawler.profile import Profile

ANY = "*"
_PLATFORM = re.compile(r"^(?:\*|[a-z0-9][a-z0-9._-]*)$")


def per_platform(entries: Iterable[str], key: str) -> dict[str, list[str]]:
    """{"taobao": ["a", "b"], "*": ["c"]} from ["taobao=a", "taobao=b", "*=c"]; a malformed entry is a
    CrawlSetupError naming `key` (e.g. crawler.sessions)."""
    found: dict[str, list[str]] = {}
    for entry in entries:
        platform, sep, value = entry.partition("=")
        platform, value = platform.strip(), value.strip()
        if not sep or not value or not _PLATFORM.match(platform):
            raise CrawlSetupError(f"{key}: {entry!r}: must be PLATFORM=VALUE (a profile's platform name, or *)")
        found.setdefault(platform, []).append(value)
    return found


def for_platform(values: dict[str, Any], platform: str) -> Any:
    """The platform's own value, else that of `*`, else None."""
    return values.get(platform, values.get(ANY))


def profiles_of(spider: Any) -> list[Profile]:
    """The profiles a spider crawls: its `profile` and/or `profiles`."""
    found: list[Profile] = list(getattr(spider, "profiles", None) or ())
    if isinstance(getattr(spider, "profile", None), Profile):
        found.append(spider.profile)
    return found


class Platforms:
    """Which profile a URL belongs to: by its host (the profile's allowed hosts, else its search host); a spider of
    one profile fetches for that one only (the fetch policy keeps it on its hosts)."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        self.profiles = list(profiles)
        self.by_host: dict[str, Profile] = {}
        for profile in self.profiles:
            for host in profile.hosts:
                self.by_host.setdefault(host.lower(), profile)
                self.by_host.setdefault((urlsplit(f"//{host}").hostname or host).lower(), profile)

    def of(self, url: str) -> Profile | None:
        if len(self.profiles) == 1:
            return self.profiles[0]
        try:
            parts = urlsplit(url)
            return self.by_host.get(parts.netloc.lower()) or self.by_host.get((parts.hostname or "").lower())
        except ValueError:
            return None
