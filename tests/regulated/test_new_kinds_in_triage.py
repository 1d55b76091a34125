"""The new lead kinds (licence_* and copyright) through triage, alerts and referrals: the queue filters by them, the
dashboard counts them per kind, alert rules target them with `kinds:`, and a referral names the law each lead
concerns."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from alerts.rules import load_rules as load_alert_rules
from leads.store import DashboardQuery, LeadQuery, open_store
from leads.store.base import UNSCOPED
from netsword.models import LEAD_KINDS, Lead, Reason
from triage.i18n import translator
from triage.legal_basis import legal_basis
from triage.referrals import Referral, build_package

NEW_KINDS = ("licence_missing", "licence_malformed", "licence_unregistered", "licence_expired", "licence_mismatch",
             "copyright")  # fmt: skip


def _lead(n: int, kind: str, entry: str, reasons: tuple[Reason, ...] = ()) -> Lead:
    return Lead.from_dict({
        "lead_id": f"ld-{n:04d}", "listing_id": f"l{n}", "platform": "demo-feed", "entry_id": entry, "kind": kind,
        "score": 70, "reasons": [r.to_dict() for r in reasons], "first_seen": "2026-11-29T00:00:00Z",
        "last_seen": "2026-11-29T00:00:00Z",
        "listing": {"id": f"l{n}", "platform": "demo-feed", "url": f"https://x/{n}", "title": f"listing {n}"},
    })  # fmt: skip


def test_every_new_kind_is_a_lead_kind_with_labels_in_both_languages() -> None:
    zh, en = translator("zh"), translator("en")
    for kind in NEW_KINDS:
        assert kind in LEAD_KINDS and zh(kind) != kind and en(kind) != kind


def test_the_store_filters_and_the_dashboard_counts_by_kind(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'leads.db'}") as store:
        store.upsert_many([_lead(1, "copyright", "wk-three-body"), _lead(2, "copyright", "wk-csapp"),
                           _lead(3, "licence_expired", "reg:drug"), _lead(4, "trademark", "tm-nike")])  # fmt: skip
        assert {lead.lead_id for lead in store.search(LeadQuery(kind=("copyright",)))} == {"ld-0001", "ld-0002"}
        figures = store.dashboard(DashboardQuery(since="2026-11-01", scope=UNSCOPED))
        assert {b.key: b.count for b in figures.by_kind} == {"trademark": 1, "licence_expired": 1, "copyright": 2}
        assert figures.by_kind[0].key == "copyright" and {b.key: b.count for b in figures.by_status} == {"new": 4}


def test_alert_rules_target_the_new_kinds(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("rules:\n  - id: piracy\n    to: [ip@example.com]\n    kinds: [copyright, licence_expired]\n"
                    "    min_score: 50\n", encoding="utf-8")  # fmt: skip
    (rule,) = load_alert_rules(path).rules
    assert rule.kinds == ("copyright", "licence_expired")
    assert rule.matches(_lead(1, "copyright", "wk-three-body")) and not rule.matches(_lead(2, "trademark", "tm-a"))


def test_a_referral_names_the_law_of_each_lead(tmp_path: Path) -> None:
    from evidence.store import EvidenceStore

    basis = Reason("legal_basis", "《中华人民共和国著作权法》（2020年修正）第五十三条 / Copyright Law art. 53 (articles not "
                                  "verified)")  # fmt: skip
    leads = [_lead(1, "copyright", "wk-three-body", (Reason("cloud_share", "“网盘”"), basis)),
             _lead(2, "trademark", "tm-nike"), _lead(3, "licence_missing", "reg:drug")]  # fmt: skip
    assert "著作权法" in legal_basis(leads[0]) and "商标法" in legal_basis(leads[1]) and legal_basis(leads[2])
    referral = Referral("ref-0001", "2026-11-30T00:00:00Z", "alice", "piracy", ("ld-0001", "ld-0002", "ld-0003"),
                        "approved", "bob", "2026-11-30T01:00:00Z")  # fmt: skip
    data = build_package(referral, leads, EvidenceStore(tmp_path / "evidence"), {})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("ref-0001/summary.csv").decode("utf-8-sig"))))
        html = archive.read("ref-0001/summary.html").decode("utf-8")
    assert [("著作权法" in r["legal_basis"], "商标法" in r["legal_basis"]) for r in rows[:2]] == [
        (True, False),
        (False, True),
    ]
    assert "法律依据 Legal basis" in html and "著作权法" in html and "第五十七条" in html
