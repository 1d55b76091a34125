"""The leads side of a re-check: which listings are due, which profile may fetch each, and the lead as seen now.

A lead's `platform` is the `platform:` of the profile that found it. Of the profiles naming that platform (the
bundled ones and any files given), the one whose hosts hold the lead's URL fetches it, so a platform crawled through
an API (api.ebay.com) never sends its API credentials to the shop's own pages (www.ebay.com). No profile for the
platform → the listing is skipped; profiles for it but none on the URL's host → the listing is refused as offsite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.page_state import PageState
from crawler.profile import Profile
from crawler.profile_loader import ProfileError, available_profiles, load_profile
from leads.store import LeadQuery, LeadStore
from leads.store.base import TAKEN_DOWN
from netsword.models import Lead

NO_PROFILE, OFFSITE = "no_profile", "offsite"
_TAKEDOWN_KEYS = ("availability", "taken_down_at", "taken_down_reason")


@dataclass(frozen=True)
class Due:
    """One listing URL to revisit, the open leads on it, and the profile that fetches it (or why none may)."""

    url: str
    leads: tuple[Lead, ...]
    profile: Profile | None
    refusal: str = ""  # NO_PROFILE | OFFSITE when the listing must not be fetched


def load_profiles(files: Sequence[str] = (), *, base_url: str = "", platforms: Sequence[str] = ()) -> list[Profile]:
    """The profiles a re-check may use: the files given first (they win for their platform), then the bundled ones.

    With `platforms`, only profiles of those platforms; `base_url` points each of them at another address (a mirror).
    Raises ProfileError for a file given that cannot be used; a bundled profile that fails to load is left out.
    """
    profiles = [load_profile(path) for path in files]
    for name in available_profiles():
        try:
            profiles.append(load_profile(name))
        except ProfileError:
            continue
    chosen = [p for p in profiles if not platforms or p.platform in platforms]
    return [p.with_base_url(base_url) for p in chosen] if base_url else chosen


def profile_for(profiles: Sequence[Profile], platform: str, url: str) -> tuple[Profile | None, str]:
    """The profile that may fetch `url` for `platform`, else None and NO_PROFILE or OFFSITE.

    Among several on the URL's host, the first given wins, then one with detail-page rules (it reads the price).
    """
    mine = [p for p in profiles if p.platform == platform]
    if not mine:
        return None, NO_PROFILE
    netloc = urlsplit(url).netloc
    on_host = [p for p in mine if netloc in p.hosts]
    if not on_host:
        return None, OFFSITE
    return sorted(on_host, key=lambda p: p.detail is None)[0], ""


def _checked_at(leads: Sequence[Lead]) -> str:
    return min(str(lead.listing.get("crawled_at") or lead.last_seen or "") for lead in leads)


def listings_due(store: LeadStore, profiles: Sequence[Profile], *, statuses: Sequence[str] = (),
                 platforms: Sequence[str] = (), limit: int = 0, include_taken_down: bool = False,
                 ) -> list[Due]:  # fmt: skip
    """Open leads grouped by listing URL, the longest unchecked first, at most `limit` URLs (0: all)."""
    query = LeadQuery(status=tuple(statuses), platform=tuple(platforms), sort="last_seen")
    by_url: dict[str, list[Lead]] = defaultdict(list)
    for lead in store.iter_leads(query):
        if not lead.url.startswith(("http://", "https://")):
            continue
        if lead.listing.get("availability") == TAKEN_DOWN and not include_taken_down:
            continue
        by_url[lead.url].append(lead)
    ordered = sorted(by_url.items(), key=lambda item: (_checked_at(item[1]), item[0]))
    due = []
    for url, leads in ordered[: limit or None]:
        profile, refusal = profile_for(profiles, leads[0].platform, url)
        due.append(Due(url, tuple(leads), profile, refusal))
    return due


def refreshed(lead: Lead, state: PageState, now: str) -> Lead:
    """The lead as seen online now: snapshot refreshed, takedown marks cleared, the new price when one was read."""
    listing = {k: v for k, v in lead.listing.items() if k not in _TAKEDOWN_KEYS}
    listing["crawled_at"] = now
    if state.price is not None:
        listing["price"] = state.price
        if state.currency:
            listing["currency"] = state.currency
    return lead.with_changes(listing=listing, last_seen=now)
