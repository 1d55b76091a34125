"""A case's referral package for police or prosecutors: a draft transfer letter and a case report in printable
Chinese HTML, the same in machine-readable JSON, and SHA256SUMS, as one deterministic ZIP.

The report holds the case, its goods and listings, the actor networks with the identifiers linking them, the
evidence list (every capture file's SHA-256; the bytes themselves travel in the triage referral ZIP of the leads),
and the valuation table with its rules, thresholds version and caveats. Templates are autoescaped: scraped text
stays text. Parcel shipper links appear by keyed id only, and only when the caller says the reader may see them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cases.actors import StoredActor
from cases.model import STATUS_ZH, Case
from cases.valuation import Valuation
from evidence.custody import record_export
from evidence.store import EvidenceStore
from netsword.checksummed_zip import checksummed_zip
from netsword.models import Lead

TEMPLATES = Path(__file__).parent / "templates"


def _evidence(leads: list[Lead], evidence: EvidenceStore) -> list[dict[str, Any]]:
    rows = []
    for lead in leads:
        for capture in evidence.captures_for(lead.platform, lead.listing_id):
            for item in capture.files:
                rows.append({"lead_id": lead.lead_id, "capture_id": capture.capture_id,
                             "captured_at": capture.captured_at, "url": capture.url, "role": item.role,
                             "media_type": item.media_type, "size": item.size, "sha256": item.sha256})  # fmt: skip
    return rows


def package_data(case: Case, leads: list[Lead], actors: list[StoredActor], valuation: Valuation,
                 evidence: EvidenceStore, generated_at: str) -> dict[str, Any]:  # fmt: skip
    """Everything the package says, as plain JSON values."""
    return {
        "case": {"case_id": case.case_id, "title": case.title, "status": case.status,
                 "status_zh": STATUS_ZH[case.status], "created_at": case.created_at, "created_by": case.created_by,
                 "assignee": case.assignee, "deadline": case.deadline, "summary": case.summary,
                 "history": [asdict(h) for h in case.history]},
        "listings": [{"lead_id": x.lead_id, "platform": x.platform, "listing_id": x.listing_id, "url": x.url,
                      "title": x.title, "seller": x.seller_name, "price": x.price,
                      "currency": x.listing.get("currency", ""), "sales": x.listing.get("sales"),
                      "stock": x.listing.get("stock"), "entry_id": x.entry_id, "owner": x.owner,
                      "first_seen": x.first_seen, "last_seen": x.last_seen, "status": x.status} for x in leads],
        "actors": [{"actor_id": a.actor_id, "label": a.summary.label,
                    "shops": [{"key": s.key, "platform": s.platform, "seller_id": s.seller_id, "name": s.name}
                              for s in a.shops],
                    "links": [{"shop": lk.shop, "identifier": lk.ident, "evidence": list(lk.evidence)}
                              for lk in a.links]} for a in actors],
        "evidence": _evidence(leads, evidence),
        "valuation": {
            "referral_candidate": valuation.referral_candidate, "inputs": valuation.inputs(),
            "thresholds": valuation.version.provenance(),
            "tests": [asdict(t) for t in valuation.tests],
            "items": [asdict(i) for i in valuation.items], "caveats": valuation.caveats,
        },
        "generated_at": generated_at,
    }  # fmt: skip


def record_package_export(case: Case, leads: list[Lead], evidence: EvidenceStore, sha256: str, *, actor: str,
                          via: str) -> None:  # fmt: skip
    """The chain of custody's `exported` event for a package handed out: its SHA-256 and the captures it lists."""
    captures = sorted({c.capture_id for lead in leads for c in evidence.captures_for(lead.platform, lead.listing_id)})
    record_export(evidence, case.case_id, {"what": "case referral package", "sha256": sha256, "captures": captures,
                                           "via": via}, actor=actor)  # fmt: skip


def build_case_package(case: Case, leads: list[Lead], actors: list[StoredActor], valuation: Valuation,
                       evidence: EvidenceStore, generated_at: str,
                       pdfs: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None) -> bytes:  # fmt: skip
    """The ZIP: <case id>/transfer_letter.html, case_report.html, case.json, SHA256SUMS; with `pdfs` (e.g.
    `lambda pages: cases.pdf.pdfs_of(pages, config)`) also transfer_letter.pdf and case_report.pdf."""
    data = package_data(case, leads, actors, valuation, evidence, generated_at)
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    files = {
        "transfer_letter.html": env.get_template("transfer_letter.html").render(d=data).encode("utf-8"),
        "case_report.html": env.get_template("case_report.html").render(d=data).encode("utf-8"),
        "case.json": json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8"),
    }
    if pdfs is not None:  # printable PDFs of both HTML files (cases.pdf: Chromium)
        files.update(pdfs({k: v for k, v in files.items() if k.endswith(".html")}))
    return checksummed_zip(case.case_id, files)
