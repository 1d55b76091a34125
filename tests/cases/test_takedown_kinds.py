"""Takedown notices per kind of lead: copyright notices cite the Copyright Law and the network-dissemination
regulations (arts. 14–17) with the work and its registration; licence leads become a report to the platform under
the regime's regulations (no rights holder), each listing with what is wrong and the number it shows."""

from __future__ import annotations

import io
import json
import zipfile

from cases_helpers import shop_lead

from cases.takedown import LICENCE, LICENCE_PROBLEMS, NOTICE_KINDS, build_notices, bundle_zip, render_notice
from matchers.regulated.checks import reason
from matchers.regulated.rules import load_rules
from netsword.models import LEAD_KINDS, Reason
from watchlists.model import Watchlist, Work

STUDIO = "游戏科学（深圳）有限公司"
WATCHLIST = Watchlist(works=(
    Work("wk-wukong", "黑神话：悟空", "game", titles=("Black Myth: Wukong",), owner=STUDIO,
         registration="软著登字第1234567号"),
    Work("wk-course", "考研数学全程班", "course", owner="某教育科技有限公司"),
))  # fmt: skip
GT = "2026-11-30T00:00:00Z"


def _copyright(platform: str, seller: str, n: int, entry: str, owner: str):  # type: ignore[no-untyped-def]
    return shop_lead(platform, seller, n, entry=entry, owner=owner).with_changes(
        kind="copyright", matched="黑神话悟空", reasons=(Reason("piracy_cue", "破解版"),)
    )


def _licence(platform: str, seller: str, n: int, kind: str, cited: str, title: str):  # type: ignore[no-untyped-def]
    basis = load_rules().get("drug").basis  # type: ignore[union-attr]
    lead = shop_lead(platform, seller, n, entry="reg:drug", owner="", title=title)
    return lead.with_changes(kind=kind, cited_number=cited, matched=cited or "处方药", reasons=(
        reason("malformed_number", f"“{cited}”的类别字母不存在", f"“{cited}”: no such type letter"),
        reason("legal_basis", f"依据{basis.cite()}：{basis.says}", f"legal basis: {basis.title}, {basis.article}"),
    ))  # fmt: skip


def test_every_lead_kind_but_parcel_patterns_gets_a_notice() -> None:
    assert set(LEAD_KINDS) - NOTICE_KINDS - set(LICENCE_PROBLEMS) == {"parcel_pattern"}


def test_copyright_notice_names_the_work_and_cites_the_copyright_rules() -> None:
    leads = [_copyright("taobao", "a", 1, "wk-wukong", STUDIO), _copyright("taobao", "a", 2, "wk-wukong", STUDIO),
             _copyright("taobao", "b", 1, "wk-course", "某教育科技有限公司")]  # fmt: skip
    bundle = build_notices(leads, WATCHLIST, None, case_id="case-c")
    by = {n.rights_holder: n for n in bundle.notices}
    game, course = by[STUDIO], by["某教育科技有限公司"]
    assert game.kind == "copyright" and game.channel.key == "alibaba_ipp" and len(game.listings) == 2
    assert game.rights[0]["label"] == "黑神话：悟空" and game.rights[0]["registration"] == "软著登字第1234567号"
    assert "registration_numbers" not in game.to_complete
    # a work needs no registration: the sender adds other proof of ownership instead of a number
    assert "registration_numbers" not in course.to_complete and "registration_certificate" in course.to_complete
    zh = render_notice(game, "zh", "txt", GT)
    assert (
        "著作权（信息网络传播权）" in zh
        and "软著登字第1234567号" in zh
        and "《信息网络传播权保护条例》第十四条至第十七条" in zh
    )
    assert "《中华人民共和国著作权法》" in zh and "第四十二条" in zh and "法律依据（或其部分）尚未与官方文本核对" in zh
    assert "作品名称 / 著作权登记号" in zh
    en = render_notice(course, "en", "html", GT)
    assert "arts. 14–17" in en and "Copyright Law" in en and "not registered; proof of ownership attached" in en
    assert "Proof of ownership (copyright registration certificate" in en
    trademark_zh = render_notice(build_notices([shop_lead("taobao", "z", 1)], None, None).notices[0], "zh", "txt", GT)
    assert "著作权法" not in trademark_zh  # the copyright basis is copyright's only


def test_every_notice_format_says_when_part_of_its_legal_basis_is_unchecked() -> None:
    """The copyright basis was not checked against the official text: each of its four renderings says so; a
    trademark notice, whose basis was checked, says so in none."""
    unchecked = {"zh": "法律依据（或其部分）尚未与官方文本核对", "en": "The legal basis (or part of it) is not checked"}
    copyright_notice = build_notices([_copyright("taobao", "a", 1, "wk-wukong", STUDIO)], WATCHLIST, None).notices[0]
    trademark_notice = build_notices([shop_lead("taobao", "z", 1)], None, None).notices[0]
    for language, line in unchecked.items():
        for fmt in ("txt", "html"):
            assert line in render_notice(copyright_notice, language, fmt, GT), (language, fmt)
            assert line not in render_notice(trademark_notice, language, fmt, GT), (language, fmt)


def test_licence_leads_become_a_report_under_the_regime() -> None:
    hostile = "处方药 西地那非\n举报人：假的 <script>x</script>"
    leads = [_licence("taobao", "m", 1, "licence_malformed", "国药准字X20021234", hostile),
             _licence("taobao", "m", 2, "licence_missing", "", "处方药 西地那非 片"),
             _licence("jd", "n", 1, "licence_expired", "国药准字H20020001", "某药")]  # fmt: skip
    bundle = build_notices(leads, None, None, case_id="case-r")
    assert bundle.left_out == {}
    by = {n.platform: n for n in bundle.notices}
    report = by["taobao"]
    assert report.kind == LICENCE and report.rights_holder == "" and report.rights == ()
    assert report.channel.key == "licence_report" and report.regime["id"] == "drug"
    assert report.regime["sources"] and all("verified" in s for s in report.regime["sources"])
    assert [x.problem for x in report.listings] == ["licence_malformed", "licence_missing"]
    assert report.listings[0].cited_number == "国药准字X20021234"
    assert "rights_holder" not in report.to_complete and "reporter" in report.to_complete
    zh = render_notice(report, "zh", "txt", GT)
    assert "受监管商品无有效许可编号举报" in zh and "并非权利人的侵权投诉" in zh and "药品管理法" in zh
    assert "第二十九条" in zh and "条款未核实" in zh and "许可编号格式错误" in zh and "国药准字X20021234" in zh
    assert "国家药品监督管理局" in zh and "第四十二条" not in zh and "善意" not in zh
    title_line = next(line for line in zh.splitlines() if "<script>" in line)
    assert title_line.strip().startswith("标题：")  # a title cannot fake the reporter field
    en = render_notice(report, "en", "html", GT)
    assert "&lt;script&gt;" in en and "<script>" not in en and "art. 29" in en and "article unverified" in en
    assert "a licence number that cannot exist" in en and "药品管理法" in en
    bundle.generated_at = GT
    with zipfile.ZipFile(io.BytesIO(bundle_zip(bundle, "case-r"))) as zf:
        index = json.loads(zf.read("case-r/index.json"))
        names = zf.namelist()
    assert {n["regime"] for n in index["notices"]} == {"drug"}
    assert sum(name.startswith("case-r/licence_report/") and name.endswith("notice.json") for name in names) == 2


def test_a_regime_the_rules_lost_still_cites_what_its_leads_cited() -> None:
    lead = _licence("taobao", "m", 1, "licence_malformed", "国药准字X20021234", "药").with_changes(entry_id="reg:gone")
    report = build_notices([lead], None, None).notices[0]
    assert report.regime["id"] == "gone" and "药品管理法" in report.regime["sources"][0]["cite"]
    assert "药品管理法" in render_notice(report, "zh", "txt", GT)


def test_takedown_cli_makes_a_licence_report_and_a_copyright_notice(isolated, capsys, as_user) -> None:  # type: ignore[no-untyped-def]
    from leads.store.sqlite import SqliteLeadStore

    found = [_licence("taobao", "m", 1, "licence_malformed", "国药准字X20021234", "处方药"),
             _copyright("jd", "a", 1, "wk-wukong", STUDIO)]  # fmt: skip
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(found)

    assert as_user("users", "add", "wang", "--role", "investigator") == 0
    out = isolated / "notices.zip"
    argv = ["cases", "takedown", "--lead", found[0].lead_id, "--lead", found[1].lead_id, "--out", str(out)]
    assert as_user(*argv, "--user", "wang") == 0
    printed = capsys.readouterr().out
    assert "2 notices, 2 newly logged" in printed and "licence report (drug)" in printed and STUDIO in printed
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        report = zf.read(next(n for n in names if "/licence_report/" in n and n.endswith("notice.zh.txt"))).decode()
        notice = zf.read(next(n for n in names if "/jd/" in n and n.endswith("notice.en.txt"))).decode()
    assert "国药准字X20021234" in report and "第二十九条" in report
    assert "arts. 14–17" in notice and STUDIO in notice  # the work itself comes from the configured watchlist
