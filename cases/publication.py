"""Public records: the publishable summary of a closed administrative penalty case (行政处罚信息公示), and the list of
serious violators (严重违法失信名单) — both with personal data withheld.

Only a case that was penalised (处罚) and then closed (结案) is published: a transferred case is the police's, a case
closed without penalty has no decision to publish. The summary holds what a penalty notice shows about a business:
the case, its dates, the shops (platform, shop name, the unified social credit code a business must display), the
goods (listing titles, the marks and their owners), the amounts, and the decision as the supervisor wrote it in the
penalty note. It leaves out the team's notes, names, deadline and evidence, and every personal identifier found in
any published text (phone numbers, WeChat and QQ ids, e-mail, return addresses, payment accounts, ID numbers
in any spacing, phone numbers of any region, names after cue words) is replaced by 〔已隐去〕 — through the same reader the actor networks use (cases.identifiers). Listing
URLs and seller ids are left out (they lead to the person behind a shop).

The serious-violator list names the actors (shop networks) a supervisor listed from such cases, with the basis
written at the listing. GUIDANCE: which cases are published and who is listed is the agency's decision under its
rules (the SAMR rules on publishing administrative penalty information and on the serious-violator list); a lawyer
checks these fields and the redaction against them before anything is published.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import phonenumbers

from cases import uscc
from cases.actors import StoredActor
from cases.db import CasesDB
from cases.identifiers import identifiers_in_text
from cases.model import SUPERVISOR, Case, CaseError
from cases.store import AuditWriter
from cases.valuation import value_case
from netsword.models import Lead, is_parcel_platform, utc_now

WITHHELD = "〔已隐去〕"
PUBLIC_KINDS = frozenset({"uscc"})  # a business's credit code is public by law; every other identifier is withheld
GUIDANCE = ("依据行政处罚信息公示与严重违法失信名单管理的有关规定由执法机关决定是否公示；本文件由 NetSword 生成，"
            "公示前须经法制审核。Guidance only: the agency decides under its rules; legal review before publication.")  # fmt: skip
# Cue words before a person's name, longest first so 法人代表 is read whole (not 法人 + the name 代表).
_NAME_CUES = sorted(
    ("法定代表人", "法人代表", "法人", "联系人姓名", "联系人", "负责人姓名", "负责人", "经营者姓名", "经营者", "店主",
     "收件人姓名", "收件人", "寄件人姓名", "寄件人", "收货人姓名", "收货人", "发货人", "户名", "开户名", "开户人", "持卡人",
     "收款人", "付款人", "业主", "个体户", "姓名", "contact person"),
    key=len, reverse=True,
)  # fmt: skip
# A name is the whole token after the cue (and any separators), up to the next separator or punctuation, bounded:
# a 5-character or compound name (欧阳娜娜娜, 阿卜杜·热合曼) is withheld whole; Latin names may hold spaces.
_NAME_CUE = re.compile(
    r"(?:" + "|".join(re.escape(c) for c in _NAME_CUES) + r")[\s:：,，、=]*"
    r"([A-Za-z][A-Za-z.'-]*(?: [A-Za-z][A-Za-z.'-]*){0,4}|[^\s,，、;；:：。.!！?？()（）\[\]【】<>《》\"'“”‘’|/〔〕]{1,16})",
    re.I,
)
# ID numbers with any spacing or hyphens: 18 digits (the last may be X) or the old 15-digit form.
_ID_CARD = re.compile(r"(?<![\dA-Za-z])(?:\d(?:[\s-]?\d){16}[\s-]?[\dXx]|\d(?:[\s-]?\d){14})(?![\dA-Za-z])")
_CREDIT_CUE = re.compile(r"(信用代码|营业执照|执照|注册号|税号|licen[cs]e)", re.I)  # an all-digit code so cued is kept
# A landline with its area code in brackets and the number in groups: (0755) 8888 1234, （021）6123-4567.
_LANDLINE = re.compile(r"[(（]\s*0\d{1,3}\s*[)）][\s-]*\d{3,4}[\s-]?\d{3,4}(?!\d)")
# Regions whose numbers a shop's or a party's text shows, read by phonenumbers (numbers with +CC from any region).
_PHONE_REGIONS = ("CN", "HK", "MO", "TW", "SG", "MY", "JP", "KR", "US", "GB")


def _personal_spans(text: str) -> list[tuple[int, int]]:
    """Spans of `text` holding personal data: cases.identifiers' values (credit codes excepted), ID numbers, phone
    numbers of any region, bracketed landlines."""
    found: list[tuple[int, int, str]] = []
    identifiers_in_text(text, "text", found)
    spans = [(start, end) for start, end, kind in found if kind not in PUBLIC_KINDS]
    for match in _ID_CARD.finditer(text):
        compact = re.sub(r"[\s-]", "", match.group(0)).upper()
        if not (uscc.is_valid(compact) and _CREDIT_CUE.search(text[max(0, match.start() - 12) : match.start()])):
            spans.append(match.span())
    spans += [m.span() for m in _LANDLINE.finditer(text)]
    for region in _PHONE_REGIONS:
        spans += [(m.start, m.end) for m in phonenumbers.PhoneNumberMatcher(text, region)]
    return spans


def _withhold(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each (merged) span replaced by 〔已隐去〕 once."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + WITHHELD + text[end:]
    return text


def redact(text: str) -> str:
    """`text` (NFKC) with personal data replaced by 〔已隐去〕: each value cases.identifiers reads (after a cue word,
    or as a phone number, e-mail, address, account) except credit codes (public by law); ID numbers (18 or 15 digits,
    any spacing); phone numbers of any region (phonenumbers' matcher) and bracketed landlines; and the whole name
    after a cue word (法人代表 李四, 联系人姓名：王五). It prefers withholding too much to too little."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _withhold(text, _personal_spans(text))
    return _withhold(text, [m.span(1) for m in _NAME_CUE.finditer(text) if WITHHELD not in m.group(1)])


def publishable(case: Case) -> str:
    """'' when the case may be published, else why not (one line)."""
    if case.status != "closed":
        return f"{case.case_id} is {case.status}: only closed cases are published"
    if not any(h.after == "penalised" for h in case.history):
        return f"{case.case_id} was closed without an administrative penalty: there is no decision to publish"
    return ""


def _decision(case: Case) -> tuple[str, str, str]:
    """(filed date, penalty date, closed date) and the penalty note."""
    filed = next((h.at for h in case.history if h.after == "filed"), "")
    penalty = next((h for h in reversed(case.history) if h.after == "penalised"), None)
    closed = next((h.at for h in reversed(case.history) if h.after == "closed"), "")
    return filed[:10], (penalty.at[:10] if penalty else ""), closed[:10] + "\x1f" + (penalty.note if penalty else "")


def public_summary(case: Case, leads: Sequence[Lead], actors: Sequence[StoredActor],
                   owners: Mapping[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    """The case as it may be published (CaseError when it may not be: see `publishable`)."""
    why = publishable(case)
    if why:
        raise CaseError("not_publishable", why)
    filed, penalised, rest = _decision(case)
    closed, note = rest.split("\x1f", 1)
    goods = [lead for lead in leads if not is_parcel_platform(lead.platform) and lead.status != "dismissed"]
    valuation = value_case(goods)
    shops: list[dict[str, Any]] = [
        {**shop, "actor_id": actor.actor_id} for actor in actors for shop in public_summary_shops(actor)
    ]
    in_actors = {str(s["platform"]) + "\x1f" + str(s["shop_name"]) for s in shops}
    for lead in goods:  # shops of leads outside any network
        key = lead.platform + "\x1f" + redact(lead.seller_name)
        if lead.seller_name and key not in in_actors:
            in_actors.add(key)
            shops.append({"platform": lead.platform, "shop_name": redact(lead.seller_name), "credit_codes": [],
                          "actor_id": ""})  # fmt: skip
    owners = owners or {}
    return {
        "case_id": case.case_id,
        "title": redact(case.title),
        "filed": filed, "penalised": penalised, "closed": closed,
        "decision": redact(note),
        "parties": shops,
        "goods": [{"platform": lead.platform, "title": redact(lead.title), "entry_id": lead.entry_id,
                   "right_owner": lead.owner or owners.get(lead.entry_id, ""), "matched": redact(lead.matched)}
                  for lead in goods],
        "amounts": {"business_volume": valuation.business_volume, "sales": valuation.sales,
                    "unsold_value": valuation.unsold_value, "currency": "CNY",
                    "note": "由标价与页面显示的销量、库存估算，以处罚决定书认定的数额为准 (estimated from listed prices and counts; "
                            "the penalty decision's figures prevail)"},
        "withheld": "个人信息（电话、微信、QQ、电子邮箱、地址、收款账户、身份证号、姓名）、链接与卖家编号、办案人员与内部记录 "
                    "(personal data, listing links and seller ids, staff and internal notes)",
        "guidance": GUIDANCE,
        "generated_at": utc_now(),
    }  # fmt: skip


@dataclass(frozen=True)
class Violator:
    case_id: str
    actor_id: str
    listed_at: str
    listed_by: str
    basis: str
    shops: tuple[Mapping[str, Any], ...]  # platform, shop_name, credit_codes


class ViolatorStore:
    """The serious-violator list: actors a supervisor listed from penalised, closed cases (audited)."""

    def __init__(self, db: CasesDB, audit: AuditWriter) -> None:
        self.db = db
        self.audit = audit

    def add(self, case: Case, actors: Sequence[StoredActor], basis: str, by: str, role: str) -> list[str]:
        if role != SUPERVISOR:
            raise CaseError("forbidden", "listing a serious violator is a supervisor's decision")
        why = publishable(case)
        if why:
            raise CaseError("not_publishable", why)
        basis = " ".join(basis.split())[:1000]
        if not basis:
            raise CaseError("case_note_required", "say on what basis the actor is listed")
        if not actors:
            raise CaseError("bad_request", f"{case.case_id} holds no actor network to list")
        now, added = utc_now(), []
        with self.db.transaction() as conn:
            for actor in actors:
                shops = public_summary_shops(actor)
                cur = conn.execute(
                    "INSERT OR IGNORE INTO serious_violators(case_id, actor_id, listed_at, listed_by, basis, shops)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (case.case_id, actor.actor_id, now, by, basis, _json(shops)),
                )
                if cur.rowcount:
                    added.append(actor.actor_id)
        for actor_id in added:
            self.audit.append(by, "case.violator", "case:" + case.case_id, None, {"actor": actor_id, "basis": basis})
        return added

    def listed(self) -> list[Violator]:
        return [Violator(r["case_id"], r["actor_id"], r["listed_at"], r["listed_by"], r["basis"],
                         tuple(json.loads(r["shops"])))
                for r in self.db.query("SELECT * FROM serious_violators ORDER BY listed_at, case_id, actor_id")]  # fmt: skip


def public_summary_shops(actor: StoredActor) -> list[dict[str, Any]]:
    codes_of: dict[str, set[str]] = {}
    for link in actor.links:
        if link.kind == "uscc":
            codes_of.setdefault(link.shop, set()).add(link.value)
    return [{"platform": s.platform, "shop_name": redact(s.name), "credit_codes": sorted(codes_of.get(s.key, ()))}
            for s in actor.shops]  # fmt: skip


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


VIOLATOR_COLUMNS = ("actor_id", "case_id", "listed_at", "basis", "platform", "shop_name", "credit_codes")


def violator_rows(violators: Sequence[Violator]) -> list[dict[str, str]]:
    """One row per listed shop, in VIOLATOR_COLUMNS (the documented CSV/JSON format); the lister's name is internal."""
    rows = []
    for v in violators:
        for shop in v.shops:
            rows.append({"actor_id": v.actor_id, "case_id": v.case_id, "listed_at": v.listed_at[:10],
                         "basis": v.basis, "platform": str(shop.get("platform", "")),
                         "shop_name": str(shop.get("shop_name", "")),
                         "credit_codes": " ".join(shop.get("credit_codes", []))})  # fmt: skip
    return rows
