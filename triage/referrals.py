"""Referral packages for handover to police or prosecutors: records in triage.db and the ZIP they produce.

A referral names confirmed leads; a supervisor approves it (leads become `referred`) and the ZIP holds
`summary.csv` (cells spreadsheet-safe, netsword.csv_safe), a printable `summary.html` (both name the law each lead
concerns: triage.legal_basis), every evidence file under
`evidence/<lead id>/` byte for byte with an extension chosen from its sniffed type (HTML kept as text:
evidence.sniff), and `manifest.json` plus `SHA256SUMS` listing the SHA-256 of each file. The ZIP is deterministic
for the same inputs.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evidence.sniff import archive_suffix, sniff
from evidence.store import EvidenceStore
from leads.store import StatusChange
from netsword.checksummed_zip import checksummed_zip
from netsword.csv_safe import SafeCsvWriter
from netsword.models import Lead, utc_now
from triage.db import TriageDB
from triage.legal_basis import legal_basis

TEMPLATES = Path(__file__).parent / "templates"
CSV_FIELDS = ("lead_id", "score", "kind", "entry_id", "owner", "platform", "listing_id", "url", "title", "seller",
              "price", "currency", "status", "first_seen", "last_seen", "matched", "reasons",
              "legal_basis")  # fmt: skip


class ReferralError(ValueError):
    """A referral that cannot be made or changed as asked."""


class SelfApproval(ReferralError):
    """The creator of a referral tried to approve it while four-eyes approval is on."""


@dataclass(frozen=True)
class Referral:
    referral_id: str
    created_at: str
    created_by: str
    title: str
    lead_ids: tuple[str, ...]
    status: str  # pending | approved | rejected
    decided_by: str = ""
    decided_at: str = ""
    package_sha256: str = ""


def _referral_of(row: Any) -> Referral:
    return Referral(
        referral_id=row["referral_id"], created_at=row["created_at"], created_by=row["created_by"], title=row["title"],
        lead_ids=tuple(json.loads(row["lead_ids"])), status=row["status"], decided_by=row["decided_by"],
        decided_at=row["decided_at"], package_sha256=row["package_sha256"],
    )  # fmt: skip


class ReferralStore:
    def __init__(self, db: TriageDB) -> None:
        self.db = db

    def create(self, title: str, lead_ids: list[str], created_by: str) -> Referral:
        if not lead_ids:
            raise ReferralError("a referral needs at least one confirmed lead")
        referral_id = "ref-" + secrets.token_hex(8)
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO referrals(referral_id, created_at, created_by, title, lead_ids) VALUES (?, ?, ?, ?, ?)",
                (referral_id, utc_now(), created_by, title.strip()[:200], json.dumps(lead_ids)),
            )
        referral = self.get(referral_id)
        assert referral is not None
        return referral

    def get(self, referral_id: str) -> Referral | None:
        rows = self.db.query("SELECT * FROM referrals WHERE referral_id = ?", (referral_id,))
        return _referral_of(rows[0]) if rows else None

    def list(self, limit: int = 100) -> list[Referral]:
        return [
            _referral_of(r) for r in self.db.query("SELECT * FROM referrals ORDER BY created_at DESC LIMIT ?", (limit,))
        ]

    def decide(self, referral_id: str, approve: bool, decided_by: str, *, four_eyes: bool = True) -> Referral:
        """Approve or reject a pending referral; with `four_eyes` (triage.four_eyes) never the creator's approval."""
        with self.db.transaction() as conn:
            row = conn.execute("SELECT created_by FROM referrals WHERE referral_id = ?", (referral_id,)).fetchone()
            if approve and four_eyes and row is not None and row["created_by"] == decided_by:
                raise SelfApproval(f"referral {referral_id}: its creator may not approve it (four eyes)")
            cur = conn.execute(
                "UPDATE referrals SET status = ?, decided_by = ?, decided_at = ? WHERE referral_id = ? AND status = 'pending'",
                ("approved" if approve else "rejected", decided_by, utc_now(), referral_id),
            )
            if cur.rowcount == 0:
                raise ReferralError(f"referral {referral_id} is not pending")
        referral = self.get(referral_id)
        assert referral is not None
        return referral

    def record_package(self, referral_id: str, sha256: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE referrals SET package_sha256 = ? WHERE referral_id = ?", (sha256, referral_id))


def _csv_row(lead: Lead) -> list[Any]:
    row = {**lead.to_dict(), "title": lead.title, "seller": lead.seller_name, "price": lead.price,
           "currency": lead.listing.get("currency", ""),
           "reasons": "; ".join(f"{r.code}: {r.detail}" for r in lead.reasons),
           "legal_basis": legal_basis(lead)}  # fmt: skip
    return [row.get(f, "") if row.get(f) is not None else "" for f in CSV_FIELDS]


def _safe_role(role: str) -> str:
    return "".join(c for c in role if c.isascii() and (c.isalnum() or c in "-_"))[:40] or "file"


def build_package(
    referral: Referral, leads: list[Lead], evidence: EvidenceStore, status_history: Mapping[str, list[StatusChange]]
) -> bytes:
    """The ZIP for a referral. Evidence files missing from the store are listed in the manifest as missing."""
    files: dict[str, bytes] = {}
    evidence_rows: dict[str, list[dict[str, Any]]] = {}
    missing: list[str] = []
    for lead in leads:
        for capture in evidence.captures_for(lead.platform, lead.listing_id):
            for item in capture.files:
                stem = f"evidence/{lead.lead_id}/{capture.capture_id}-{_safe_role(item.role)}"
                try:
                    data = evidence.read(item.sha256)
                except OSError:
                    missing.append(stem)
                    continue
                # The extension comes from the bytes, never from the crawled server's Content-Type; HTML is kept
                # as text, so opening it runs nothing and tells the target nothing (evidence.sniff).
                name = stem + archive_suffix(data)
                files[name] = data
                evidence_rows.setdefault(lead.lead_id, []).append(
                    {
                        "name": name,
                        "role": item.role,
                        "type": sniff(data),
                        "sha256": item.sha256,
                        "captured_at": capture.captured_at,
                        "url": capture.url,
                        "final_url": item.url or capture.final_url,
                    }  # fmt: skip
                )
    buf = io.StringIO()
    writer = SafeCsvWriter(buf)  # scraped titles and seller names never run as spreadsheet formulas
    writer.writerow(CSV_FIELDS)
    for lead in leads:
        writer.writerow(_csv_row(lead))
    files["summary.csv"] = ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    html = env.get_template("referral_summary.html").render(
        referral=referral, leads=leads, evidence=evidence_rows, history=status_history,
        basis={lead.lead_id: legal_basis(lead) for lead in leads},
    )
    files["summary.html"] = html.encode("utf-8")
    manifest = {
        "referral_id": referral.referral_id,
        "title": referral.title,
        "created_by": referral.created_by,
        "approved_by": referral.decided_by,
        "approved_at": referral.decided_at,
        "leads": [lead.lead_id for lead in leads],
        "files": [
            {"name": n, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d)} for n, d in sorted(files.items())
        ],
        "missing": missing,
    }
    # SHA256SUMS lists the files the manifest lists, not the manifest itself (as the package always has)
    manifest_json = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    return checksummed_zip(referral.referral_id, files, unlisted={"manifest.json": manifest_json})
