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
