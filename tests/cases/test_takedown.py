"""Takedown notices: grouped per platform, rights holder and right, the channel's fields, registration numbers from
the watchlist, evidence hashes, escaped text and HTML, a deterministic ZIP; the notice log and its outcomes from
re-checks; the CLI end to end."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from cases_helpers import DYSON, NIKE, shop_lead

from cases.db import CasesDB
from cases.model import CaseError
from cases.notices import NoticeStore, outcome
from cases.takedown import DATA, TakedownError, build_notices, bundle_zip, load_channels, one_line, render_notice
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main
from watchlists.model import Trademark, Watchlist

WATCHLIST = Watchlist(trademarks=(
    Trademark("tm-nike", "NIKE", owner=NIKE, registration="G1234567", office="CNIPA", classes=(25,)),
    Trademark("tm-dyson", "DYSON", owner=DYSON, registration="", classes=(11,)),
))  # fmt: skip


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def append(self, actor: str, action: str, target: str, before: object = None, after: object = None) -> None:
        self.entries.append((actor, action, target))


def leads():  # type: ignore[no-untyped-def]
    hostile = "耐克\n编号：假的\x1b[31m <script>alert(1)</script>"
    return [
        shop_lead("taobao", "a", 1, title=hostile),
        shop_lead("taobao", "a", 2),
        shop_lead("taobao", "b", 1, entry="tm-dyson", owner=DYSON),
        shop_lead("ebay-browse", "c", 1),
        shop_lead("shopx", "d", 1).with_changes(kind="parcel_pattern"),
        shop_lead("parcels", "e", 1),
        shop_lead("jd", "f", 1).with_changes(listing={"id": "f-1", "title": "x", "availability": "taken_down"}),
    ]


def test_notices_grouped_with_channel_fields_and_what_to_complete() -> None:
    bundle = build_notices(leads(), WATCHLIST, None, case_id="case-1")
    by = {(n.platform, n.rights_holder): n for n in bundle.notices}
    assert set(by) == {("taobao", NIKE), ("taobao", DYSON), ("ebay-browse", NIKE)}
    nike = by[("taobao", NIKE)]
    assert nike.channel.key == "alibaba_ipp" and len(nike.listings) == 2
    assert nike.rights[0]["registration"] == "G1234567" and nike.rights[0]["classes"] == [25]
    assert "registration_certificate" in nike.to_complete and "evidence" in nike.to_complete  # no captures here
    assert "registration_numbers" not in nike.to_complete
    assert "registration_numbers" in by[("taobao", DYSON)].to_complete  # the watchlist has no number for it
    assert by[("ebay-browse", NIKE)].channel.key == "ebay_vero"
    assert "signature" in by[("ebay-browse", NIKE)].to_complete
    assert bundle.left_out == {"parcel_pattern lead (no rights holder to notify for)": 1,
                               "parcel lead (personal data; not a listing)": 1, "listing already taken down": 1}  # fmt: skip
    again = build_notices(leads(), WATCHLIST, None, case_id="case-1")
    assert [n.notice_id for n in again.notices] == [n.notice_id for n in bundle.notices]  # stable ids


def test_rendered_notices_keep_scraped_text_inert() -> None:
    bundle = build_notices(leads(), WATCHLIST, None, case_id="case-1")
    nike = next(n for n in bundle.notices if n.platform == "taobao" and n.rights_holder == NIKE)
    zh = render_notice(nike, "zh", "txt", "2026-11-30T00:00:00Z")
    assert "G1234567" in zh and "第四十二条" in zh and "https://taobao.example.com/a-1" in zh
    # The E-Commerce Law summary was checked (and says against what); Alibaba IPP's fields were not confirmed.
    assert "十五日" in zh and "2026年11月30日对照官方文本的第三方副本核对" in zh and "尚未与官方文本核对" not in zh
    assert "未与平台当前的投诉表单核实" in zh
    title_line = next(line for line in zh.splitlines() if "<script>" in line)
    assert "\x1b" not in zh and title_line.strip().startswith("标题：")  # the title's line break cannot fake a field
    en_html = render_notice(nike, "en", "html", "2026-11-30T00:00:00Z")
    assert "<script>" not in en_html and "&lt;script&gt;" in en_html and "default-src 'none'" in en_html
    assert "arts. 42–45" in en_html and "not confirmed against the platform's current form" in en_html
    assert "Alibaba&#39;s own IPP pages" in en_html and "not checked against the official text" not in en_html
    assert one_line("a\nb\u2028c\x00d") == "abcd"


def test_a_right_to_left_title_cannot_reorder_the_notice_around_it() -> None:
    """A title or shop name with a bidi override is isolated in HTML (<bdi>, as alert mail does) and loses the
    override in text, so the seller and dates after it read as they are; every notice and licence-report template."""
    rtl = "Nike \u202eexe.gnp\u202c shoes"
    leads = [shop_lead("taobao", "a", 1, title=rtl, name=rtl),
             shop_lead("taobao", "a", 2, title=rtl, name=rtl, entry="reg:drug", owner="").with_changes(
                 kind="licence_missing")]  # fmt: skip
    notices = build_notices(leads, WATCHLIST, None, case_id="case-1").notices
    assert {n.kind for n in notices} == {"trademark", "licence"}
    for notice in notices:
        for language in ("zh", "en"):
            html = render_notice(notice, language, "html", "2026-11-30T00:00:00Z")
            assert html.count(f'<bdi dir="auto">{rtl}</bdi>') == 2, (notice.kind, language)
            assert "\u202e" not in render_notice(notice, language, "txt", "2026-11-30T00:00:00Z")


def test_bundle_zip_is_deterministic_and_summed() -> None:
    bundle = build_notices(leads(), WATCHLIST, None, case_id="case-1")
    bundle.generated_at = "2026-11-30T00:00:00Z"
    data = bundle_zip(bundle, "case-1")
    assert data == bundle_zip(bundle, "case-1")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        index = json.loads(zf.read("case-1/index.json"))
        sums = zf.read("case-1/SHA256SUMS").decode()
    assert len(index["notices"]) == 3 and index["channels_checked"] is False
    assert index["legal_basis"]["checked"] and index["legal_basis"]["checked_on"] == "2026-11-30"
    assert len(index["legal_basis"]["checked_against"]) >= 2
    assert sum(name.endswith("notice.json") for name in names) == 3
    assert sum(name.endswith((".txt", ".html")) for name in names) == 12
    assert "index.json" in sums and sums.count("\n") == len(names) - 1


def test_notice_log_flow_and_outcomes(tmp_path: Path) -> None:
    audit = Audit()
    bundle = build_notices(leads(), WATCHLIST, None, case_id="case-1")
    with CasesDB(tmp_path / "cases.db") as db:
        store = NoticeStore(db, audit)
        assert len(store.record(bundle.notices, "wang", "investigator")) == 3
        assert store.record(bundle.notices, "wang", "investigator") == []  # logged once
        with pytest.raises(CaseError):
            store.record(bundle.notices, "viewer", "rights_holder_viewer")
        first = bundle.notices[0].notice_id
        sent = store.move(first, "sent", "wang", "investigator", ticket="IPP-2026-0001")
        assert sent.status == "sent" and sent.ticket == "IPP-2026-0001" and sent.sent_at
        with pytest.raises(CaseError):
            store.move(first, "rejected", "wang", "investigator")  # needs a note
        with pytest.raises(CaseError):
            store.move(first, "drafted", "wang", "investigator")
        assert store.counts()["sent"] == 1 and store.counts()["drafted"] == 2
        assert store.counts()["listings"] == 4
        assert len(store.listed(case_id="case-1")) == 3
        lead = leads()[0]
        assert [n.notice_id for n in store.listed(lead_id=lead.lead_id)] == [
            store.listed(lead_id=lead.lead_id)[0].notice_id
        ]
    assert ("wang", "takedown.sent", "notice:" + first) in audit.entries
    assert outcome(lead, "2026-11-25T00:00:00Z") == "pending"
    assert outcome(lead, "2026-11-01T00:00:00Z") == "online"  # seen after the notice was sent
    gone = lead.with_changes(listing={**lead.listing, "availability": "taken_down"})
    assert outcome(gone, "2026-11-25T00:00:00Z") == "removed" and outcome(None, "") == "unknown"


def test_channels_file_loads_and_is_guidance() -> None:
    channels = load_channels()
    assert channels.checked is False  # the channels' fields are not confirmed
    assert channels.legal_checked and channels.legal_provenance["copies"].startswith("third-party copies")
    # the titles of the copies read are kept as recorded (the space between 法 and 第 is the source's, not a fold)
    titles = [c["title"] for c in channels.legal_provenance["checked_against"]]
    assert "中华人民共和国电子商务法 第四十二条" in titles
    assert "阿里巴巴知识产权保护平台 使用说明（一站式投诉）" in [s["title"] for s in channels.channels["alibaba_ipp"].seen]
    assert all(a["url"].startswith("http") and a["title"] for a in channels.legal_provenance["checked_against"])
    for channel in channels.channels.values():  # each says why it is unchecked; the named ones what was read
        assert not channel.checked and channel.unchecked_reason
        assert channel.seen or channel.key == "generic"
    assert any("ipp.alibabagroup.com" in x["url"] for x in channels.channels["alibaba_ipp"].seen)
    assert {"alibaba_ipp", "jd", "pinduoduo", "ebay_vero", "amazon", "generic"} <= set(channels.channels)
    assert channels.for_platform("jd-search").key == "jd" and channels.for_platform("jdx").key == "generic"
    assert channels.for_platform("taobao").key == "alibaba_ipp"


def test_a_legal_basis_marked_checked_needs_two_copies(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert len(data["legal_basis"]["checked_against"]) >= 2 and data["legal_basis"]["checked"] is True
    data["legal_basis"]["checked_against"] = data["legal_basis"]["checked_against"][:1]
    one_copy = tmp_path / "channels.yaml"
    one_copy.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TakedownError, match="two copies under checked_against"):
        load_channels(str(one_copy))


def test_takedown_cli(isolated: Path, capsys, as_user) -> None:
    found = [shop_lead("taobao", "a", 1), shop_lead("jd-search", "b", 1)]
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(found)

    assert as_user("users", "add", "wang", "--role", "investigator") == 0
    assert as_user("cases", "new", "x", "--lead", found[0].lead_id, "--lead", found[1].lead_id, "--user", "wang") == 0
    case_id = capsys.readouterr().out.split("opened ")[1].split(":")[0]
    out = isolated / "notices.zip"
    assert as_user("cases", "takedown", case_id, "--out", str(out), "--user", "wang") == 0
    printed = capsys.readouterr().out
    assert "2 notices, 2 newly logged" in printed and "alibaba_ipp" in printed and "jd" in printed
    with zipfile.ZipFile(out) as zf:
        text = zf.read(next(n for n in zf.namelist() if "/alibaba_ipp/" in n and n.endswith("/notice.zh.txt")))
    assert "Nike Innovate C.V." in text.decode() and found[0].url in text.decode()
    assert main(["cases", "notices", "--case", case_id, "--json"]) == 0
    logged = json.loads(capsys.readouterr().out)
    notice_id = next(n["notice_id"] for n in logged if n["platform"] == "taobao")
    assert as_user("cases", "notice", notice_id, "sent", "--ticket", "IPP-1", "--user", "wang") == 0
    assert as_user("cases", "notice", notice_id, "rejected", "--user", "wang") == 2  # a note is required
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.mark_taken_down(found[0].lead_id, reason="404", at="2026-12-01T00:00:00Z")
    assert main(["cases", "notices", "--lead", found[0].lead_id]) == 0
    assert "sent" in (line := capsys.readouterr().out) and "removed 1" in line and "IPP-1" in line
    assert as_user("cases", "takedown", "--lead", found[1].lead_id, "--out", str(out), "--user", "wang") == 0
    assert as_user("cases", "takedown", case_id, "--lead", found[1].lead_id, "--out", str(out), "--user", "wang") == 2
    assert main(["audit", "verify"]) == 0
