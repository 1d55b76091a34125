"""Parcel imports as a run history: per manifest source and courier, how many parcels, when first and last imported,
and the span of their ship dates. Counts and dates only — never a name, phone or address (the triage UI's runs page).
"""

from __future__ import annotations

from dataclasses import dataclass

from parcels.db import ParcelDB


@dataclass(frozen=True)
class ImportRun:
    source: str
    courier: str
    parcels: int
    first_imported: str
    last_imported: str
    shipped_from: str
    shipped_until: str


def import_history(db: ParcelDB, limit: int = 50) -> list[ImportRun]:
    """The latest imports (by their last batch), newest first."""
    rows = db.query(
        "SELECT source, courier, count(*) AS n, min(imported_at) AS first, max(imported_at) AS last,"
        " min(shipped_at) AS shipped_from, max(shipped_at) AS shipped_until FROM parcels"
        " GROUP BY source, courier ORDER BY last DESC, source LIMIT ?",
        (limit,),
    )
    return [ImportRun(r["source"], r["courier"], int(r["n"]), r["first"], r["last"], r["shipped_from"],
                      r["shipped_until"]) for r in rows]  # fmt: skip
