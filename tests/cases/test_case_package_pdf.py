"""The referral package with PDFs: Chromium renders the letter and the report from the HTML in memory, with a
Chinese font embedded, and SHA256SUMS covers them."""

from __future__ import annotations

import hashlib
import io
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from cases_helpers import shop_lead

from cases.db import CasesDB
from cases.package import build_case_package
from cases.pdf import pdfs_of
from cases.store import CaseStore
from cases.valuation import value_case
from evidence.store import EvidenceStore
from netsword.browser import cjk_fonts
from netsword.config import Config
from triage.audit import AuditLog
from triage.db import TriageDB

pytestmark = pytest.mark.browser


def test_package_with_pdfs(tmp_path: Path) -> None:
    leads = [shop_lead("taobao", "a", 1, price=199.0, sales=300)]
    with closing(TriageDB(tmp_path / "triage.db")) as tdb, CasesDB(tmp_path / "cases.db") as db:
        case = CaseStore(db, AuditLog(tdb, b"k" * 32)).create("莆田 耐克 售假团伙", "wang", "investigator",
                                                              lead_ids=[leads[0].lead_id])  # fmt: skip
    data = build_case_package(case, leads, [], value_case(leads, as_of="2026-01-01"), EvidenceStore(tmp_path / "ev"),
                              "2026-11-30T00:00:00Z", lambda pages: pdfs_of(pages, Config()))  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        files = {name.split("/", 1)[1]: zf.read(name) for name in zf.namelist()}
    assert {"transfer_letter.pdf", "case_report.pdf", "transfer_letter.html", "case.json"} <= set(files)
    for name in ("transfer_letter.pdf", "case_report.pdf"):
        pdf = files[name]
        assert pdf.startswith(b"%PDF-") and len(pdf) > 5_000
        families = [f.replace(" ", "") for f in cjk_fonts()]
        assert any(f.encode() in pdf for f in families), families  # the Chinese text is set in a CJK font
        assert f"{hashlib.sha256(pdf).hexdigest()}  {name}" in files["SHA256SUMS"].decode()
