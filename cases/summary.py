"""The cases figures the dashboard shows (and `netsword cases summary` prints): cases per status, open cases over a
referral threshold today, actor networks, takedown notices per status and the noticed listings a re-check found
removed. Counted over the whole team's work: the caller shows them to investigators and supervisors only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.actors import ActorStore
from cases.db import CasesDB
from cases.notices import NoticeStore
from cases.store import CaseStore
from cases.valuation import value_case
from leads.store.base import TAKEN_DOWN
from netsword.models import Lead

MAX_VALUED = 500  # open cases valued for the referral-candidate count (the newest changed first)


class _Reading:
    def append(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("the summary changes nothing")


@dataclass
class CaseFigures:
    cases: dict[str, int] = field(default_factory=dict)  # status → cases
    referral_candidates: int = 0
    valued: int = 0  # open cases valued for that count
    actors: int = 0
    linked_shops: int = 0
    hubs: int = 0
    built_at: str = ""
    notices: dict[str, int] = field(default_factory=dict)  # status → notices, and `listings`
    removed: int = 0  # noticed (sent) listings a re-check found taken down

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def case_figures(db: CasesDB, get_leads: Any) -> CaseFigures:
    """`get_leads(ids) -> list[Lead]` reads the lead store (LeadStore.get_many)."""
    cases = CaseStore(db, _Reading())
    out = CaseFigures(cases=cases.counts())
    for case in [c for c in cases.ranked(limit=MAX_VALUED) if c.is_open]:
        leads: list[Lead] = get_leads(list(case.lead_ids)) if case.lead_ids else []
        out.valued += 1
        if leads and value_case(leads).referral_candidate:
            out.referral_candidates += 1
    actors = ActorStore(db)
    out.actors = actors.count()
    build = actors.last_build()
    if build:
        out.linked_shops, out.hubs = int(build.get("linked_shops", 0)), int(build.get("hubs", 0))
        out.built_at = str(build.get("built_at", ""))
    notices = NoticeStore(db, _Reading())
    out.notices = notices.counts()
    sent = notices.noticed_leads()
    out.removed = sum(
        1 for lead in (get_leads(list(sent)) if sent else []) if lead.listing.get("availability") == TAKEN_DOWN
    )
    return out
