"""`netsword evidence package`: its default file names, the count of captures without a WARC, and the `packaged`
custody event of a case, one lead or a set of leads (issue 18 review)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from evidence.custody import PACKAGED, custody_of
from evidence.store import Blob, EvidenceStore
from evidence.wacz import write_wacz
from leads.store import open_store_from_config
from netsword.cli import main
from netsword.config import load_config
from netsword.models import Lead, Reason, make_lead_id


def _lead(listing_id: str) -> Lead:
    url = f"https://taobao.example/{listing_id}"
    listing = {"id": listing_id, "platform": "taobao", "url": url, "title": "耐克 Air Max",
               "crawled_at": "2026-11-01T08:00:00Z"}  # fmt: skip
    return Lead(lead_id=make_lead_id("taobao", listing_id, "tm-nike"), listing_id=listing_id, platform="taobao",
                url=url, entry_id="tm-nike", kind="trademark", score=80, matched="耐克",
                reasons=(Reason("mark", "title"),), listing=listing, first_seen="2026-11-01T08:00:00Z",
                last_seen="2026-11-01T08:00:00Z")  # fmt: skip


@pytest.fixture
def two_leads(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Lead], list[str]]:
    """Two leads, each with one capture written without WARC records (as captures kept before WARC existed)."""
    monkeypatch.setenv("NETSWORD_KEYS_DIR", str(isolated / "keys"))
    cfg = load_config()
    leads = [_lead("1"), _lead("2")]
    with open_store_from_config(cfg) as store:
        store.upsert_many(leads)
    evidence = EvidenceStore.for_config(cfg)
    cids = [evidence.add(blobs=[Blob("response", f"<html>{lead.listing_id}</html>".encode(), "text/html", lead.url)],
                         platform="taobao", listing_id=lead.listing_id, url=lead.url,
                         profile="taobao").capture_id for lead in leads]  # fmt: skip
    evidence.close()
    return leads, cids


def test_captures_without_a_warc_are_counted(two_leads: tuple[list[Lead], list[str]], isolated: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    leads, cids = two_leads
    store = EvidenceStore.for_config(load_config())
    captures = [c for c in (store.get(cid) for cid in cids) if c is not None]
    result = write_wacz(store, captures, isolated / "p.wacz", title="t", description="d")
    store.close()
    assert (result.captures, sorted(result.without_warc)) == (2, sorted(cids))
    assert main(["evidence", "package", "--lead", leads[0].lead_id]) == 0
    out = capsys.readouterr().out
    assert "1 captures of 1 listing(s)" in out
    assert "1 capture(s) kept before WARC records were written: their files are in the package" in out
    assert zipfile.is_zipfile(isolated / f"lead-{leads[0].lead_id}.wacz")


def test_default_names_and_the_packaged_event_of_a_case_and_of_a_lead_set(
    two_leads: tuple[list[Lead], list[str]], isolated: Path
) -> None:
    from cases.db import CasesDB, cases_db_path
    from cases.model import INVESTIGATOR
    from cases.store import CaseStore

    class Audit:
        def append(self, *args: object, **kwargs: object) -> None:
            return None

    leads, cids = two_leads
    cfg = load_config()
    with CasesDB(cases_db_path(cfg.var_dir)) as db:
        case = CaseStore(db, Audit()).create("耐克 仿品", "inv", INVESTIGATOR, lead_ids=[x.lead_id for x in leads])
    assert case.case_id.startswith("case-")
    assert main(["evidence", "package", "--case", case.case_id]) == 0
    assert zipfile.is_zipfile(isolated / f"{case.case_id}.wacz")  # the help's case-<id>.wacz, not case-case-…
    assert not list(isolated.glob("case-case-*"))
    assert main(["evidence", "package", "--lead", leads[0].lead_id, "--lead", leads[1].lead_id]) == 0
    assert zipfile.is_zipfile(isolated / f"leads-{leads[0].lead_id}-and-1-more.wacz")
    store = EvidenceStore.for_config(cfg)
    log = custody_of(store)
    try:
        packaged = [e for e in log.events() if e.event == PACKAGED]
        ids = sorted(x.lead_id for x in leads)
        assert [(e.subject, sorted(e.detail["leads"])) for e in packaged] == [(case.case_id, ids), ("leads", ids)]
        for cid in cids:  # each capture's own history has both packages
            assert [e.subject for e in log.events(cid) if e.event == PACKAGED] == [case.case_id, "leads"]
    finally:
        log.close()
        store.close()
