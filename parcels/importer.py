"""Import a manifest: validate rows, store parcels idempotently by (courier, waybill), match declared contents.

Re-importing the same file changes nothing: unchanged rows are recognised by their keyed content hash and are
neither rewritten nor matched again (so their leads are not re-sighted either).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from leads.sink import LeadSink
from leads.store.base import UpsertReport
from matchers import MatchIndex
from netsword.models import utc_now
from parcels.db import ParcelDB
from parcels.declared import match_declared
from parcels.manifest import read_manifest
from parcels.mapping import CourierMapping
from parcels.model import BadRow, Parcel
from parcels.pii import PiiVault
from parcels.records import STORED_COLUMNS, StoredParcel, stored_parcel

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
    report: ImportReport = field(default_factory=ImportReport)
    max_errors_kept: int = 1000
    _pending: dict[str, StoredParcel] = field(default_factory=dict)
    _courier: str = ""

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
        if self.index is not None and changed:
            results = match_declared(changed, self.index, self.sink, min_score=self.min_score, now=now)
            for n, result in enumerate(results):
                entries[n] = ",".join(sorted({lead.entry_id for lead in result.leads}))
                self.report.matched_parcels += bool(result.leads) or bool(result.report.failed)
                self.report.leads.merge(result.report)
        rows = [
            (*stored.row(self.vault, self.source, now), entry) for stored, entry in zip(changed, entries, strict=True)
        ]
        with self.db.transaction():
            self.db.conn.executemany(_INSERT, rows)

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
) -> ImportReport:
    """Read, validate and store one manifest file; bad rows are counted and described, never fatal."""
    importer = Importer(db, vault, index=index, sink=sink, min_score=min_score, source=str(path))
    return importer.feed(read_manifest(path, mapping))
