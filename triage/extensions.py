"""Extension points of the lead detail page: providers of related leads.

The built-in provider lists other leads from the same seller. The `parcels` package (seller–shipper links,
sellers sharing contacts) registers its own with `register_related("shared_contacts", provider)`; the UI
shows each provider's leads under its title, filtered by what the signed-in user may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leads.store import LeadStore
from netsword.models import Lead

RelatedProvider = Callable[[Lead, LeadStore], list[Lead]]


@dataclass(frozen=True)
class RelatedSource:
    name: str
    title_key: str  # an i18n key, or plain text when no translation exists
    provider: RelatedProvider


def same_seller(lead: Lead, store: LeadStore) -> list[Lead]:
    """Other leads of this seller on the same platform (`LeadStore.same_seller`); the page filters by the user."""
    return store.same_seller(lead)


_SOURCES: dict[str, RelatedSource] = {"same_seller": RelatedSource("same_seller", "same_seller", same_seller)}


def register_related(name: str, provider: RelatedProvider, title_key: str = "related") -> None:
    """Add (or replace) a provider of related leads shown on every lead's page."""
    _SOURCES[name] = RelatedSource(name, title_key, provider)


def related_sources() -> list[RelatedSource]:
    return list(_SOURCES.values())
