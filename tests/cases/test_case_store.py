"""Cases: the status flow 线索 → 立案 → 调查 → 处罚 / 移送 → 结案 with its roles, leads and actors, assignment,
deadlines and notes; every change in the triage audit chain, which still verifies."""

from __future__ import annotations

from pathlib import Path

import pytest
from cases_helpers import shop_lead

from cases.actors import ActorStore
from cases.db import CasesDB
from cases.model import STATUSES, CaseError, next_statuses
from cases.network import build_network
from cases.sources import ShopIndex
from cases.store import CaseStore
from triage.audit import AuditLog
from triage.db import TriageDB

SUP, INV = "supervisor", "investigator"


@pytest.fixture
def world(tmp_path: Path):
    triage = TriageDB(tmp_path / "triage.db")
    audit = AuditLog(triage, b"k" * 32)
    db = CasesDB(tmp_path / "cases.db")
    yield CaseStore(db, audit), ActorStore(db), audit
    db.close()
    triage.close()


def test_the_flow_with_roles_notes_and_audit(world) -> None:
    cases, _, audit = world
    case = cases.create("莆田 耐克 售假 团伙", "wang", INV, lead_ids=["ld-1", "ld-2", "ld-1"])
    assert case.status == "clue" and case.lead_ids == ("ld-1", "ld-2") and case.case_id.startswith("case-")
    with pytest.raises(CaseError) as refused:
        cases.move(case.case_id, "filed", "wang", INV)
    assert refused.value.key == "forbidden"  # filing (立案) is a supervisor's decision
    with pytest.raises(CaseError) as wrong:
        cases.move(case.case_id, "penalised", "li", SUP)
    assert wrong.value.key == "case_bad_move"
    cases.move(case.case_id, "filed", "li", SUP)
    cases.move(case.case_id, "investigating", "wang", INV)
    with pytest.raises(CaseError) as bare:
        cases.move(case.case_id, "closed", "li", SUP)
    assert bare.value.key == "case_note_required"
    cases.move(case.case_id, "transferred", "li", SUP, note="涉嫌犯罪，移送公安")
    final = cases.move(case.case_id, "closed", "li", SUP)
    assert [(h.before, h.after) for h in final.history] == [
        ("clue", "filed"),
        ("filed", "investigating"),
        ("investigating", "transferred"),
        ("transferred", "closed"),
    ]
    assert final.history[2].note == "涉嫌犯罪，移送公安" and not final.is_open
    entries = audit.entries(target="case:" + case.case_id)
    assert [e.action for e in reversed(entries)] == ["case.create"] + ["case.status"] * 4
    assert entries[1].before == {"status": "investigating"} and entries[1].after["note"] == "涉嫌犯罪，移送公安"
    assert audit.verify().ok
    assert cases.counts() == {s: (1 if s == "closed" else 0) for s in STATUSES}


def test_next_statuses_by_role() -> None:
    assert next_statuses("clue", SUP) == ("filed", "closed")
    assert next_statuses("clue", INV) == ()
    assert next_statuses("filed", INV) == ("investigating",)
    assert next_statuses("investigating", SUP) == ("penalised", "transferred", "closed")
    assert next_statuses("closed", SUP) == ()
    assert next_statuses("filed", "rights_holder_viewer") == ()


def test_assignment_deadline_notes_and_viewers(world) -> None:
    cases, _, audit = world
    case = cases.create("case", "wang", INV)
    with pytest.raises(CaseError):
        cases.assign(case.case_id, "zhao", "wang", INV)  # investigators take cases for themselves only
    cases.assign(case.case_id, "wang", "wang", INV)
    cases.assign(case.case_id, "zhao", "li", SUP)
    cases.set_deadline(case.case_id, "2026-12-31", "li", SUP)
    for bad in ("31/12/2026", "2026-02-30", "2026-12-31T00:00"):
        with pytest.raises(CaseError) as err:
            cases.set_deadline(case.case_id, bad, "li", SUP)
        assert err.value.key == "bad_date"
    updated = cases.add_note(case.case_id, "  卖家承认从莆田进货  ", "wang", INV)
    assert updated.assignee == "zhao" and updated.deadline == "2026-12-31"
    assert [(n.author, n.text) for n in updated.notes] == [("wang", "卖家承认从莆田进货")]
    assert updated.overdue("2027-01-01") and not updated.overdue("2026-12-31")
    for action in (lambda: cases.create("x", "v", "rights_holder_viewer"),
                   lambda: cases.add_note(case.case_id, "x", "v", "rights_holder_viewer")):  # fmt: skip
        with pytest.raises(CaseError):
            action()
    with pytest.raises(CaseError) as untitled:
        cases.create("   ", "wang", INV)
    assert untitled.value.key == "case_title_required"
    with pytest.raises(CaseError) as missing:
        cases.add_note("case-missing", "x", "wang", INV)
    assert missing.value.key == "not_found"
    assert {e.action for e in audit.entries(target="case:" + case.case_id)} == {
        "case.create",
        "case.assign",
        "case.deadline",
        "case.note",
    }


def test_a_case_from_an_actor_network_keeps_its_shops(world) -> None:
    cases, actors, audit = world
    leads = [shop_lead("taobao", "a", 1, contact="13800138000"), shop_lead("jd", "b", 1, contact="13800138000"),
             shop_lead("jd", "b", 2, contact="13800138000")]  # fmt: skip
    index = ShopIndex().add_leads(leads)
    actors.replace_network(build_network(index.shops, index.sightings), index.leads)
    (summary,) = actors.ranked()
    actor = actors.get(summary.actor_id)
    case = cases.create("network", "wang", INV, actors=[actor])
    assert set(case.lead_ids) == {lead.lead_id for lead in leads}
    (kept,) = case.actors
    assert kept.actor_id == summary.actor_id and kept.shops == ("jd:b", "taobao:a")
    other = cases.create("by hand", "wang", INV, lead_ids=[leads[0].lead_id])
    grown = cases.add_actor(other.case_id, actor, "wang", INV)
    assert set(grown.lead_ids) == {lead.lead_id for lead in leads}
    trimmed = cases.remove_lead(other.case_id, leads[2].lead_id, "wang", INV)
    assert leads[2].lead_id not in trimmed.lead_ids
    assert sorted(cases.cases_of_lead(leads[0].lead_id)) == sorted([case.case_id, other.case_id])
    assert audit.verify().ok
