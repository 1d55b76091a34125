"""When a stored lead is worth an alert: new at a rule's score, risen into a higher band, or back after dismissal.

Each event has a name that is part of the outbox's idempotency key, so the same event is never alerted twice.
"""

from __future__ import annotations

import hashlib
import json

from leads.store.base import CREATED, UPDATED, content_key
from netsword.models import SCORE_BANDS, Lead

BANDS = tuple(floor for floor, _ in SCORE_BANDS)  # a lead rising from one band into a higher one is news


def band_of(score: int) -> int:
    """0 below 50, then 1, 2, 3 for the 50 / 65 / 80 bands."""
    return sum(score >= floor for floor in BANDS)


def change_tag(lead: Lead) -> str:
    """A short fingerprint of what a lead says (not when it was seen), to tell one comeback from another."""
    text = json.dumps(content_key(lead), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def event_for(lead: Lead, outcome: str, stored_status: str, alerted_band: int | None) -> str | None:
    """The event this sighting means for one rule and recipient, or None when it is not news.

    `alerted_band` is the highest band this recipient was already told about for this lead under this rule.
    """
    band = band_of(lead.score)
    if outcome == CREATED:
        return "new"
    if outcome != UPDATED:
        return None  # unchanged re-sightings are never news
    if stored_status == "dismissed":
        return f"returned:{change_tag(lead)}"
    if alerted_band is None:
        return "new"  # first time this lead reaches this rule's score
    if band > alerted_band:
        return f"band:{BANDS[band - 1]}"
    return None
