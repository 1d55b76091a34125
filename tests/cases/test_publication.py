"""Public records: a closed penalty case's public summary with personal data withheld (JSON and escaped HTML, CLI
and case page), refused for other cases; the serious-violator list, a supervisor's audited decision, as CSV/JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from cases_helpers import shop_lead

from cases.actors import ActorStore
from cases.db import CasesDB, cases_db_path
from cases.model import CaseError
from cases.network import build_network
from cases.publication import WITHHELD, public_summary, publishable, redact
from cases.sources import ShopIndex
from cases.store import CaseStore
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main

CODE = "91350100M000100Y43"


def test_redact_withholds_personal_identifiers_and_keeps_credit_codes() -> None:
    text = (
        "客服 138-0013-8000 微信 ring_boss QQ：12345678 邮箱 Boss@Example.com 退货地址：福建省莆田市荔城区黄石镇"
        f"工业路8号 收件人 王五 支付宝：pay@example.com 身份证 350302199001011234 营业执照 {CODE} <b>x</b>"
    )
    out = redact(text)
    for secret in ("13800138000", "138-0013-8000", "ring_boss", "12345678", "Boss@Example.com", "工业路8号", "王五",
                   "pay@example.com", "350302199001011234"):  # fmt: skip
        assert secret not in out, secret
    assert CODE in out and "<b>x</b>" in out and out.count(WITHHELD) >= 8  # escaping is the template's job
    assert redact("１３８００１３８０００") == WITHHELD  # full-width digits too


# What a supervisor's penalty note may hold (issue 17/20 review): multi-character cue words, a 5-character name,
# an ID number in groups, a Hong Kong mobile and a bracketed landline, a foreign number, a name with a middle dot.
PERSONAL_NOTE = ("罚款 5 万元。法人代表 李四；联系人姓名：王五；身份证 110105 19491231 002X；电话 +852 9123 4567；"
                 "座机 (0755) 8888 1234；联系人: 欧阳娜娜娜；法定代表人：赵六，旧身份证 110105491231002；"
                 "寄件人:阿卜杜·热合曼 Tel +44 20 7946 0958；Contact person: John Smith")  # fmt: skip
PERSONAL_SECRETS = ("李四", "王五", "19491231", "002X", "9123 4567", "91234567", "8888 1234", "88881234", "欧阳", "娜",
                    "赵六", "110105491231002", "热合曼", "7946", "John", "Smith")  # fmt: skip


def test_redact_withholds_whole_names_after_cue_words_and_numbers_of_any_form() -> None:
    out = redact(PERSONAL_NOTE)
    for secret in PERSONAL_SECRETS:
        assert secret not in out, (secret, out)
    assert out.startswith("罚款 5 万元") and "法人代表 " + WITHHELD in out and "联系人姓名:" + WITHHELD in out
    assert redact("罚款 5 万元,没收 120 件,2026-11-30 结案") == "罚款 5 万元,没收 120 件,2026-11-30 结案"
    assert redact(f"营业执照 {CODE}") == f"营业执照 {CODE}"


def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    leads = [shop_lead("taobao", "a", 1, contact="13800138000", name="王五的店 13800138000", licence=CODE,
                       price=299.0, sales=300),
             shop_lead("jd", "b", 1, description=f"电话13800138000 营业执照 {CODE}", title="耐克 加微信 ring_boss")]  # fmt: skip
    index = ShopIndex().add_leads(leads)
    return leads, index


class Audit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def append(self, actor: str, action: str, target: str, before: object = None, after: object = None) -> None:
        self.entries.append((actor, action, target))


def test_public_summary_only_after_a_penalty_and_without_personal_data(tmp_path: Path) -> None:
    leads, index = world(tmp_path)
    with CasesDB(tmp_path / "cases.db") as db:
        actors = ActorStore(db)
        actors.replace_network(build_network(index.shops, index.sightings), index.leads)
        (summary,) = actors.ranked()
        actor = actors.get(summary.actor_id)
        store = CaseStore(db, Audit())
        case = store.create("王五 13800138000 售假", "wang", "investigator", actors=[actor])
        with pytest.raises(CaseError):
            public_summary(case, leads, [actor])
        for status, note in (
            ("filed", ""),
            ("investigating", ""),
            ("penalised", "罚款 5 万元；联系人 王五 13800138000"),
        ):
            case = store.move(case.case_id, status, "li", "supervisor", note)
        assert "closed" in publishable(case)
        case = store.move(case.case_id, "closed", "li", "supervisor")
        assert publishable(case) == ""
        data = public_summary(case, leads, [actor], {"tm-nike": "Nike Innovate C.V."})
    text = json.dumps(data, ensure_ascii=False)
    assert "13800138000" not in text and "ring_boss" not in text
    assert "联系人 王五" not in text  # a name after a cue word; a bare name (王五的店) is not recognisable as one
    assert "wang" not in text and "https://" not in text  # no staff, no links
    assert data["decision"].startswith("罚款 5 万元") and data["penalised"] and data["closed"]
    assert {p["shop_name"] for p in data["parties"]} == {f"王五的店 {WITHHELD}", "店b"}
    codes = {c for p in data["parties"] for c in p["credit_codes"]}
    assert codes == {CODE} and data["amounts"]["business_volume"] == 89700.0
    assert data["goods"][0]["right_owner"] == "Nike Innovate C.V."


def test_publish_and_violators_cli(isolated: Path, capsys, as_user) -> None:
    leads, index = world(isolated)
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(leads)

    assert as_user("users", "add", "wang", "--role", "investigator") == 0
    assert as_user("users", "add", "li", "--role", "supervisor") == 0
    assert main(["cases", "networks", "build"]) == 0
    capsys.readouterr()
    with CasesDB(cases_db_path(isolated / "var")) as db:
        (summary,) = ActorStore(db).ranked()
        actor_id = summary.actor_id
    assert as_user("cases", "new", "两店 13800138000", "--actor", actor_id, "--user", "wang") == 0
    case_id = capsys.readouterr().out.split("opened ")[1].split(":")[0]
    assert main(["cases", "publish", case_id]) == 2
    assert "only closed cases" in capsys.readouterr().err
    for status in ("filed", "investigating", "penalised", "closed"):
        note = "罚款 13800138000 " + PERSONAL_NOTE
        assert as_user("cases", "move", case_id, status, "--note", note, "--user", "li") == 0
    capsys.readouterr()
    assert main(["cases", "publish", case_id]) == 0
    out = capsys.readouterr().out
    assert "13800138000" not in out and json.loads(out)["case_id"] == case_id
    decision = json.loads(out)["decision"]
    assert decision.startswith("罚款 " + WITHHELD) and not [s for s in PERSONAL_SECRETS if s in decision]
    shown = out.replace("王五的店", "")  # the shop's own name (a bare name is not recognisable as one)
    assert not [secret for secret in PERSONAL_SECRETS if secret in shown]
    html_file = isolated / "public.html"
    assert main(["cases", "publish", case_id, "--format", "html", "--out", str(html_file)]) == 0
    html = html_file.read_text()
    assert "default-src 'none'" in html and "13800138000" not in html and CODE in html
    assert not [secret for secret in PERSONAL_SECRETS if secret in html.replace("王五的店", "")]
    assert as_user("cases", "violator", case_id, "--basis", "两年内两次因售假受到行政处罚", "--user", "wang") == 2
    assert as_user("cases", "violator", case_id, "--basis", "两年内两次因售假受到行政处罚", "--user", "li") == 0
    assert as_user("cases", "violator", case_id, "--basis", "again", "--user", "li") == 0  # listed once
    capsys.readouterr()
    assert main(["cases", "violators"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 2 and {r["credit_codes"] for r in rows} == {CODE} and rows[0]["basis"].startswith("两年内")
    assert "13800138000" not in json.dumps(rows, ensure_ascii=False)
    assert main(["cases", "violators", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["audit", "verify"]) == 0
