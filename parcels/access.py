"""Who may see parcels: masked views for investigators and supervisors, reveal for supervisors, nothing for others.

Roles are the triage roles (investigator, supervisor, rights_holder_viewer), taken from an authenticated account.
Every reveal goes to the caller's audit chain (triage.audit, tamper-evident) and to `parcel_reveal_log`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from netsword.models import utc_now
from parcels.db import ParcelDB
from parcels.model import PERSON_FIELDS
from parcels.pii import PiiVault

PARCEL_ROLES = frozenset({"supervisor", "investigator"})
REVEAL_ROLES = frozenset({"supervisor"})
_PUBLIC_COLUMNS = (
    "courier", "waybill", "shipped_at", "declared_contents", "declared_value", "currency", "weight", "origin",
    "destination", "entries",
)  # fmt: skip


RevealRecorder = Callable[[dict[str, Any]], object]


class AccessDenied(PermissionError):
    """The caller's role may not see parcels, or may not reveal personal data."""


def can_view_parcels(role: str) -> bool:
    """Investigators and supervisors see parcels (masked); rights-holder viewers never do."""
    return role in PARCEL_ROLES


def can_reveal(role: str) -> bool:
    return role in REVEAL_ROLES


def _row(db: ParcelDB, courier: str, waybill: str) -> Any:
    with db.lock:
        return db.conn.execute(
            f"SELECT {','.join(_PUBLIC_COLUMNS)}, masked, pii, sender_key FROM parcels "  # noqa: S608 - fixed columns
            "WHERE courier = ? AND waybill = ?",
            (courier, waybill),
        ).fetchone()


def masked_view(db: ParcelDB, courier: str, waybill: str, role: str) -> dict[str, Any] | None:
    """The parcel with personal data masked (张** / 138****1234 / 广东省深圳市***), or None when unknown."""
    if not can_view_parcels(role):
        raise AccessDenied(f"role {role!r} may not see parcels")
    row = _row(db, courier, waybill)
    if row is None:
        return None
    view = {name: row[name] for name in _PUBLIC_COLUMNS}
    view.update(json.loads(row["masked"]))
    view["shipper"] = shipper_of(db, row["sender_key"])
    return view


def reveal(
    db: ParcelDB, vault: PiiVault, courier: str, waybill: str, *, role: str, user: str, reason: str,
    record: RevealRecorder,
) -> dict[str, Any] | None:  # fmt: skip
    """The unmasked parcel, for roles allowed to reveal, with the reason written to the reveal log.

    `role` and `user` must come from an authenticated account, never from what a caller says it is; `record` writes
    the reveal to the audit chain before any personal data is returned (if it fails, nothing is revealed).
    """
    if not can_reveal(role):
        raise AccessDenied(f"role {role!r} may not reveal personal data (supervisors may)")
    if not reason.strip():
        raise AccessDenied("a reason is required to reveal personal data")
    view = masked_view(db, courier, waybill, role)
    if view is None:
        return None
    row = _row(db, courier, waybill)
    pii = vault.decrypt(row["pii"])
    record({"courier": courier, "waybill": waybill, "reason": reason.strip(), "role": role,
            "fields": [name for name in PERSON_FIELDS if pii.get(name)]})  # fmt: skip
    view.update({name: pii.get(name, "") for name in PERSON_FIELDS})
    with db.transaction():
        db.conn.execute(
            "INSERT INTO parcel_reveal_log(at, role, user, courier, waybill, reason) VALUES (?, ?, ?, ?, ?, ?)",
            (utc_now(), role, user, courier, waybill, reason.strip()),
        )
    return view


def shipper_of(db: ParcelDB, sender_key: str) -> str:
    with db.lock:
        row = db.conn.execute("SELECT shipper_id FROM parcel_shippers WHERE sender_key = ?", (sender_key,)).fetchone()
    return str(row[0]) if row else "sh-" + sender_key[:16]


def reveal_log(db: ParcelDB) -> list[dict[str, Any]]:
    with db.lock:
        rows = db.conn.execute("SELECT at, role, user, courier, waybill, reason FROM parcel_reveal_log ORDER BY id")
        return [dict(r) for r in rows.fetchall()]
