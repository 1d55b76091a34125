"""Import a manifest: validate rows, store parcels idempotently by (courier, waybill), match declared contents.

Re-importing the same file changes nothing: unchanged rows are recognised by their keyed content hash and are
neither rewritten nor matched again (so their leads are not re-sighted either).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from leads.sink import LeadSink
from leads.store.base import UpsertReport
from netsword.models import utc_now
from parcels.authorised import ShipperRegister, name_address_key
from parcels.db import ParcelDB
from parcels.declared import DeclaredMatcher
from parcels.manifest import read_manifest
from parcels.mapping import CourierMapping
from parcels.model import BadRow, Parcel
from parcels.pii import PiiVault
from parcels.records import STORED_COLUMNS, StoredParcel, stored_parcel

if TYPE_CHECKING:
    from matchers import MatchIndex

BATCH = 2000
_INSERT = (
    f"INSERT OR REPLACE INTO parcels ({','.join(STORED_COLUMNS)}, entries) "  # noqa: S608 - fixed column names
    f"VALUES ({','.join('?' * (len(STORED_COLUMNS) + 1))})"
)


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: int = 0
    errors: list[str] = field(default_factory=list)
    leads: UpsertReport = field(default_factory=UpsertReport)
    matched_parcels: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"imported": self.imported, "updated": self.updated, "unchanged": self.unchanged, "bad": self.bad,
                "matched_parcels": self.matched_parcels, **{f"leads_{k}": v for k, v in self.leads.as_dict().items()}}  # fmt: skip


@dataclass
class Importer:
    """Holds what one import run needs; `add` takes parcels in any number of calls, `flush` writes the rest."""

    db: ParcelDB
    vault: PiiVault
    index: MatchIndex | None = None
    sink: LeadSink | None = None
    min_score: int = 50
    source: str = ""
    register: ShipperRegister | None = None
    report: ImportReport = field(default_factory=ImportReport)
    max_errors_kept: int = 1000
    _pending: dict[str, StoredParcel] = field(default_factory=dict)
    _courier: str = ""
    _declared: DeclaredMatcher | None = None

    def __post_init__(self) -> None:
        if self.index is not None:
            self._declared = DeclaredMatcher(self.index, self.register)

    def add_bad(self, bad: BadRow) -> None:
        self.report.bad += 1
        if len(self.report.errors) < self.max_errors_kept:
            self.report.errors.append(str(bad))

    def add(self, parcel: Parcel) -> None:
        if self._courier and parcel.courier != self._courier:
            self.flush()
        self._courier = parcel.courier
        self._pending[parcel.waybill] = stored_parcel(parcel, self.vault)  # a later row for a waybill wins
        if len(self._pending) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        waybills = list(pending)
        with self.db.lock:
            marks = ",".join("?" * len(waybills))
            sql = f"SELECT waybill, content_hash FROM parcels WHERE courier = ? AND waybill IN ({marks})"  # noqa: S608
            known = dict(self.db.conn.execute(sql, [self._courier, *waybills]).fetchall())
        now = utc_now()
        changed: list[StoredParcel] = []
        for waybill, stored in pending.items():
            old_hash = known.get(waybill)
            if old_hash == stored.content_hash:
                self.report.unchanged += 1
                continue
            if old_hash is None:
                self.report.imported += 1
            else:
                self.report.updated += 1
            changed.append(stored)
        entries = [""] * len(changed)
        if self._declared is not None and changed:
            results = self._declared.match(changed, self.sink, authorised=self._authorised(changed),
                                           min_score=self.min_score, now=now)  # fmt: skip
            for n, result in enumerate(results):
                entries[n] = ",".join(sorted({lead.entry_id for lead in result.leads}))
                self.report.matched_parcels += bool(result.leads) or bool(result.report.failed)
                self.report.leads.merge(result.report)
        rows = [
            (*stored.row(self.vault, self.source, now), entry) for stored, entry in zip(changed, entries, strict=True)
        ]
        with self.db.transaction():
            self.db.conn.executemany(_INSERT, rows)

    def _authorised(self, parcels: list[StoredParcel]) -> dict[str, tuple[str, ...]]:
        """sender key → register records it is: by its own keyed phone or name and address, or as the last shipper
        resolution found it (a written form linked to an authorised one by phone or name and address)."""
        if self.register is None or not len(self.register):
            return {}
        found: dict[str, set[str]] = {}
        for stored in parcels:
            p = stored.parcel
            ids = self.register.match(stored.sender_phone_key, name_address_key(self.vault, p.sender_name,
                                                                                p.sender_address))  # fmt: skip
            if ids:
                found.setdefault(stored.sender_key, set()).update(ids)
        keys = sorted({stored.sender_key for stored in parcels})
        marks = ",".join("?" * len(keys))
        sql = f"SELECT sender_key, authorised FROM parcel_shippers WHERE authorised != '' AND sender_key IN ({marks})"  # noqa: S608
        with self.db.lock:
            for key, ids in self.db.conn.execute(sql, keys).fetchall():
                found.setdefault(key, set()).update(i for i in ids.split(",") if i in self.register.shippers)
        return {key: tuple(sorted(ids)) for key, ids in found.items()}

    def feed(self, records: Iterable[Parcel | BadRow]) -> ImportReport:
        for record in records:
            if isinstance(record, BadRow):
                self.add_bad(record)
            else:
                self.add(record)
        self.flush()
        return self.report


def import_manifest(
    path: str | Path,
    mapping: CourierMapping,
    db: ParcelDB,
    vault: PiiVault,
    *,
    index: MatchIndex | None = None,
    sink: LeadSink | None = None,
    min_score: int = 50,
    register: ShipperRegister | None = None,
) -> ImportReport:
    """Read, validate and store one manifest file; bad rows are counted and described, never fatal.

    With a shipper `register`, `index` must be compiled over `register.authorise(watchlist)`.
    """
    importer = Importer(db, vault, index=index, sink=sink, min_score=min_score, source=str(path), register=register)
    return importer.feed(read_manifest(path, mapping))
