"""A case's referral package: transfer letter draft and report in Chinese HTML, JSON, SHA256SUMS; the same inputs
give the same bytes; hostile text stays text; the download is audited; viewers get none."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from contextlib import closing
from pathlib import Path

from cases_helpers import shop_lead

from cases.actors import ActorStore
from cases.db import CasesDB
from cases.network import build_network
from cases.package import build_case_package
from cases.sources import ShopIndex
from cases.store import CaseStore
from cases.valuation import value_case
from evidence.store import EvidenceStore
from triage.audit import AuditLog
from triage.db import TriageDB

HOSTILE = "<script>alert(1)</script>"
RTL = "耐克 \u202eexe.gnp\u202c 高仿"


def test_package_contents(tmp_path: Path) -> None:
    leads = [shop_lead("taobao", "a", 1, contact="13800138000", name=HOSTILE, price=199.0, sales=300),
             shop_lead("jd", "b", 1, contact="138 0013 8000", price=199.0, stock=100, title=RTL)]  # fmt: skip
    evidence = EvidenceStore(tmp_path / "evidence")
    page = evidence.put_bytes(b"<html>x</html>", role="page", media_type="text/html")
    evidence.record(platform="taobao", listing_id="a-1", url=leads[0].url, profile="html", files=[page])
    with closing(TriageDB(tmp_path / "triage.db")) as tdb, CasesDB(tmp_path / "cases.db") as db:
        index = ShopIndex().add_leads(leads)
        actors = ActorStore(db)
        actors.replace_network(build_network(index.shops, index.sightings), index.leads)
        actor = actors.get(actors.ranked()[0].actor_id)
        case = CaseStore(db, AuditLog(tdb, b"k" * 32)).create(HOSTILE, "wang", "investigator", actors=[actor])
        valuation = value_case(leads, as_of="2026-01-01")
        data = build_case_package(case, leads, [actor], valuation, evidence, "2026-12-01T00:00:00Z")
        assert data == build_case_package(case, leads, [actor], valuation, evidence, "2026-12-01T00:00:00Z")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        files = {n.split("/", 1)[1]: zf.read(n) for n in names}
    assert sorted(files) == ["SHA256SUMS", "case.json", "case_report.html", "transfer_letter.html"]
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256(files[name]).hexdigest() == digest
    report = files["case_report.html"].decode()
    letter = files["transfer_letter.html"].decode()
    for html in (report, letter):
        assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "涉嫌犯罪案件移送书（草稿）" in letter and "¥79,600.00" in letter  # (300 + 100) × 199
    assert "初步达到追诉标准" in letter and "2026-11-30 对照官方文本的第三方副本核对" in letter
    assert "尚未与官方文本核对" not in letter and "仍须对照官方公报确认" in letter
    assert page.sha256 in report and "phone:+8613800138000" in report
    assert f'<bdi dir="auto">{RTL}</bdi><br><code>' in report  # an RTL title cannot reorder the listing's URL
    # The report names the thresholds' source, when and how they were checked, every copy read and each article.
    assert 'id="threshold-sources"' in report and "github.com/X-STORAGE/Laws" in report and "第五条第一款" in report
    assert "third-party copies of the official text" in report
    data_json = json.loads(files["case.json"])
    assert data_json["valuation"]["referral_candidate"] and data_json["evidence"][0]["sha256"] == page.sha256
    thresholds = data_json["valuation"]["thresholds"]
    assert thresholds["version"] == "2025" and thresholds["checked"] and thresholds["checked_on"] == "2026-11-30"
    assert len(thresholds["checked_against"]) >= 2 and thresholds["articles"]["art_214"].startswith("第五条")
    assert all(t["article"] for t in data_json["valuation"]["tests"])
    assert data_json["case"]["title"] == HOSTILE and len(data_json["listings"]) == 2
