"""Score `netsword demo` leads against the marketplace's ground truth at the lead level (listing × entry)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from netsword.models import Lead


@dataclass(frozen=True)
class LeadScores:
    leads: int
    expected: int
    true_positives: int
    seen_infringing: int
    all_infringing: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.leads if self.leads else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 0.0


def _lead_key(lead: Lead) -> str:
    return f"{lead.entry_id}#{lead.kind}" if lead.entry_id.startswith("reg:") else lead.entry_id


def lead_level_scores(
    leads: Iterable[Lead], truth: Sequence[Mapping[str, Any]], crawled: Mapping[str, Iterable[str]]
) -> LeadScores:
    """A lead is right when ground truth marks its listing infringing on its entry (a licence lead: when the row's
    `regulated` truth names its regime and kind); recall counts the pairs of listings the crawl actually saw
    (`crawled`: platform → listing ids), so it measures matching, not reach."""
    seen = {(platform, str(i)) for platform, ids in crawled.items() for i in ids}
    infringing = [row for row in truth if row.get("label") == "infringing" and row.get("platform") in crawled]
    expected = {
        (row["platform"], str(row["listing_id"]), entry)
        for row in infringing
        if (row["platform"], str(row["listing_id"])) in seen
        for entry in row.get("entry_ids", [])
    }
    right = {
        (row["platform"], str(row["listing_id"]), entry) for row in infringing for entry in row.get("entry_ids", [])
    }
    # licence leads (docs/regulated-goods.md): right when the listing should raise that regime's lead of that kind
    licences = {(row["platform"], str(row["listing_id"]), f"{t['entry_id']}#{t['kind']}")
                for row in truth if row.get("platform") in crawled for t in row.get("regulated", [])}  # fmt: skip
    expected |= {key for key in licences if key[:2] in seen}
    right |= licences
    found = {(lead.platform, lead.listing_id, _lead_key(lead)) for lead in leads}
    return LeadScores(
        leads=len(found),
        expected=len(expected),
        true_positives=len(found & right),
        seen_infringing=sum(1 for row in infringing if (row["platform"], str(row["listing_id"])) in seen),
        all_infringing=len(infringing),
    )


# the lead kinds of each family the demo reports apart: watchlist marks, licence numbers, copyright works
FAMILIES = {
    "marks": ("trademark", "patent", "false_patent_marking", "geographical_indication"),
    "licences": ("licence_missing", "licence_malformed", "licence_unregistered", "licence_expired", "licence_mismatch"),
    "copyright": ("copyright",),
}


def scores_by_family(
    leads: Iterable[Lead], truth: Sequence[Mapping[str, Any]], crawled: Mapping[str, Iterable[str]]
) -> dict[str, LeadScores]:
    """lead_level_scores for each family on its own: its leads against its part of the truth (a copyright row's
    entries for works, the `regulated` column for licences, the other rows' entries for marks)."""
    leads = list(leads)
    crawled = {p: list(ids) for p, ids in crawled.items()}
    out = {}
    for family, kinds in FAMILIES.items():
        rows = []
        for row in truth:
            works = row.get("kind") == "copyright"
            keep_entries = works if family == "copyright" else (family == "marks" and not works)
            rows.append({**row, "entry_ids": row.get("entry_ids", []) if keep_entries else [],
                         "regulated": row.get("regulated", []) if family == "licences" else []})  # fmt: skip
        out[family] = lead_level_scores([lead for lead in leads if lead.kind in kinds], rows, crawled)
    return out
