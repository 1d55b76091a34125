"""The shippers linked to a lead's seller (from parcel manifests), masked, for roles that may see parcels."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from netsword.config import Config
from netsword.models import Lead

log = logging.getLogger(__name__)


def linked_shippers(config: Config, lead: Lead, role: str) -> list[dict[str, Any]]:
    """[] when the role may not see parcels, the lead is itself a parcel lead, or no parcels were imported."""
    from parcels.access import can_view_parcels
    from parcels.db import ParcelDB, parcels_db_path
    from parcels.links import shippers_for_lead

    if lead.from_parcels or not can_view_parcels(role):
        return []
    path = parcels_db_path(config)
    if not Path(path).exists():
        return []
    try:
        with ParcelDB(path) as db:
            return shippers_for_lead(db, lead, role=role)
    except Exception:  # noqa: BLE001 - a broken parcel database must not take the lead page down
        log.exception("linked shippers for %s", lead.lead_id)
        return []
