"""Build the actor networks from what NetSword holds and store them: `rebuild_networks(config, store)`.

Reads every non-parcel lead through `LeadStore.iter_leads`, the shipper links of each shop from the parcel database
when one exists (`parcels.links.shippers_for_seller`: keyed shipper ids and counts only), and the newest evidence
capture of each listing that ends up in an actor's evidence (`EvidenceStore.captures_for`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cases.actors import ActorStore
from cases.db import CasesDB, cases_db_path
from cases.network import Network, NetworkSettings, build_network
from cases.sources import CaptureLookup, ShipperLookup, ShopIndex, shipper_sightings
from evidence.store import EvidenceStore
from leads.store import LeadQuery, LeadStore
from netsword.config import Config

log = logging.getLogger(__name__)
# parcels.access asks whose eyes the shipper links are for; the build keeps ids and counts only (docs/cases.md)
BUILD_ROLE = "investigator"


@dataclass
class BuildReport:
    leads: int
    shops: int
    sightings: int
    actors: int
    linked_shops: int
    hubs: int
    parcel_links: int


def network_of(store: LeadStore, settings: NetworkSettings, shippers: ShipperLookup | None = None
               ) -> tuple[Network, ShopIndex, int]:  # fmt: skip
    """The network of every stored lead (parcel leads aside), the shop index, and the number of parcel sightings.
    Leads come highest score first, so the evidence kept per shop and identifier (MAX_EVIDENCE) is theirs."""
    # by score: the store pages through its score index (sorting 100,000 leads by last_seen for every page of 1,000
    # took 2 minutes); parcel leads are skipped by ShopIndex itself, cheaper than the store's filter
    index = ShopIndex().add_leads(store.iter_leads(LeadQuery(sort="score")))
    parcel = shipper_sightings(index.shops.values(), shippers) if shippers else []
    network = build_network(index.shops, [*index.sightings, *parcel], settings)
    return network, index, len(parcel)


def capture_lookup(evidence: EvidenceStore) -> CaptureLookup:
    def newest(platform: str, listing_id: str) -> tuple[str, str, str] | None:
        captures = evidence.captures_for(platform, listing_id)
        if not captures:
            return None
        capture = captures[0]
        page = capture.file("page") or (capture.files[0] if capture.files else None)
        return capture.capture_id, capture.captured_at, page.sha256 if page else ""

    return newest


def shipper_lookup(config: Config) -> tuple[ShipperLookup | None, Any]:
    """A lookup of the shippers linked to a seller, and the parcel database to close; (None, None) without one."""
    from parcels.db import ParcelDB, parcels_db_path
    from parcels.links import shippers_for_seller

    path = parcels_db_path(config)
    if not Path(path).exists():
        return None, None
    db = ParcelDB(path)

    def lookup(platform: str, seller_id: str) -> list[Mapping[str, Any]]:
        return list(shippers_for_seller(db, platform, seller_id, role=BUILD_ROLE))

    return lookup, db


def rebuild_networks(config: Config, store: LeadStore, settings: NetworkSettings | None = None,
                     *, use_parcels: bool = True) -> BuildReport:  # fmt: skip
    """Recompute every actor network and replace the stored ones (idempotent)."""
    settings = settings or NetworkSettings()
    shippers, parcel_db = shipper_lookup(config) if use_parcels else (None, None)
    try:
        network, index, parcel_links = network_of(store, settings, shippers)
    finally:
        if parcel_db is not None:
            parcel_db.close()
    with CasesDB(cases_db_path(config.var_dir)) as db:
        counts = ActorStore(db).replace_network(
            network, index.leads, capture_lookup(EvidenceStore(config.evidence_dir))
        )
    return BuildReport(leads=index.leads_read, shops=len(index.shops), sightings=len(index.sightings),
                       actors=counts["actors"], linked_shops=counts["linked_shops"], hubs=counts["hubs"],
                       parcel_links=parcel_links)  # fmt: skip
