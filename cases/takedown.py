"""Takedown notices to platforms (通知—删除, E-Commerce Law arts. 42–45): per case or per selection of leads, one
notice per platform, rights holder and right, in Chinese and English text, HTML and JSON, as one deterministic ZIP.

Each notice names the channel the platform's complaints go to and the fields that channel asks for
(cases/data/takedown_channels.yaml: guidance; each channel says whether its fields were confirmed, and the legal
basis whether and against which copies it was checked), fills what NetSword knows — the rights holder
and registration numbers from the watchlist, the listing URLs, the evidence captures' SHA-256 — and lists what the
sender must still add (certificate, authorisation, contact, signature). Scraped text stays text: HTML is autoescaped,
text files get scraped values on one line with control characters removed.

Each kind of lead gets its own legal basis: trademarks, patents and GIs the E-Commerce Law's notice and takedown;
copyright (works watchlist) adds the Copyright Law and the Regulations on the Protection of the Right to Network
Dissemination of Information, arts. 14–17, with the work's title and registration; licence leads (licence_*, no
rights holder) become a report to the platform of goods offered without a valid licence, one per platform and regime,
citing the E-Commerce Law arts. 12, 13 and 29 and the regime's own regulations (matchers/regulated), each listing
with what is wrong and the number it shows. Citations not checked against the official text say so. Parcel leads
(personal data) are left out and counted.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from evidence.store import EvidenceStore
from leads.store.base import TAKEN_DOWN
from matchers.regulated.rules import Regime, Rules, RulesError, load_rules
from netsword.checksummed_zip import checksummed_zip
from netsword.models import Lead, is_parcel_platform
from watchlists.model import Watchlist

DATA = Path(__file__).parent / "data" / "takedown_channels.yaml"
TEMPLATES = Path(__file__).parent / "templates"
NOTICE_KINDS = frozenset({"trademark", "patent", "false_patent_marking", "geographical_indication", "copyright"})
LICENCE = "licence"  # Notice.kind of a licence report (its leads' kinds: LICENCE_PROBLEMS)
LICENCE_PROBLEMS = {
    "licence_missing": ("未标注许可编号", "no licence number shown"),
    "licence_malformed": ("许可编号格式错误", "a licence number that cannot exist"),
    "licence_unregistered": ("许可编号查无登记", "a licence number no register knows"),
    "licence_expired": ("许可编号过期或注销", "an expired or withdrawn licence number"),
    "licence_mismatch": ("许可编号与产品不符", "a licence number of other goods or another holder"),
}
RIGHT = {
    "trademark": ("注册商标专用权", "registered trademark"),
    "patent": ("专利权", "patent"),
    "false_patent_marking": ("专利权（假冒专利标识）", "patent (false patent marking)"),
    "geographical_indication": ("地理标志", "geographical indication"),
    "copyright": ("著作权（信息网络传播权）", "copyright (right of communication through information networks)"),
    LICENCE: ("无有效许可编号的受监管商品", "regulated goods offered without a valid licence number"),
}
REASON = {
    "trademark": ("未经商标注册人许可，在同一种或类似商品上使用与其注册商标相同或近似的商标，涉嫌销售侵犯注册商标专用权的商品。",
                  "Use, without the registrant's consent, of a mark identical or similar to the registered trademark on "
                  "the same or similar goods: suspected sale of goods infringing the registered trademark."),
    "patent": ("未经专利权人许可，许诺销售、销售涉嫌落入专利权保护范围的产品。",
               "Offering for sale and selling, without the patentee's consent, products suspected to fall within the "
               "scope of the patent."),
    "false_patent_marking": ("商品或其宣传中标注的专利号无效、已失效或与商品不符，涉嫌假冒专利。",
                             "The patent number shown on the goods or in their advertising is invalid, lapsed or does "
                             "not cover them: suspected false patent marking."),
    "geographical_indication": ("在非产自该地理标志所标示地区的商品上使用该地理标志，涉嫌侵犯地理标志。",
                                "Use of the geographical indication on goods not from the region it names."),
    "copyright": ("未经著作权人许可，通过信息网络提供其作品（盗版复制件、破解版、激活码、共享账号或网盘资源等），涉嫌侵犯著作权"
                  "（信息网络传播权）。",
                  "Offering the work through an information network without the copyright owner's permission (pirated "
                  "copies, cracked versions, keys, shared accounts or cloud-drive links): suspected infringement of "
                  "copyright (the right of communication through information networks)."),
    LICENCE: ("以下商品依法须取得并标注许可编号（批准文号、登记证号、注册证号或认证证书编号），而商品信息未标注有效编号，"
              "请平台依法核查并采取必要处置措施。",
              "The goods below may only be sold with a licence number (approval, registration or certificate number) "
              "issued by their regulator, and the listing shows no valid one: please check it and take the necessary "
              "measures."),
}  # fmt: skip
# what each required field is called, and whether NetSword fills it (else the sender must add it)
FIELDS = {
    "rights_holder": ("权利人", "Rights holder", True),
    "holder_contact": ("权利人联系方式", "Rights holder's contact details", False),
    "right_kind": ("权利类型", "Type of right", True),
    "registration_numbers": ("注册号 / 专利号", "Registration / patent numbers", True),
    "registration_certificate": ("权属证明（注册证书）", "Proof of ownership (registration certificate)", False),
    "authorisation": ("授权委托书（代理人投诉时）", "Letter of authorisation (when an agent files)", False),
    "listing_urls": ("被投诉链接", "Reported listing URLs", True),
    "infringement_reason": ("侵权理由", "Reason for the report", True),
    "evidence": ("初步证据（取证哈希）", "Preliminary evidence (capture hashes)", True),
    "good_faith_statement": ("善意声明", "Good-faith statement", True),
    "accuracy_statement": ("真实性声明", "Statement of accuracy", True),
    "signature": ("签名 / 盖章", "Signature / seal", False),
    "reporter": ("举报人", "Reporter", False),
    "reporter_contact": ("举报人联系方式", "Reporter's contact details", False),
    "regulation": ("违反的规定", "Regulation breached", True),
    "licence_problem": ("违规情形（每条链接）", "What is wrong (per listing)", True),
}  # fmt: skip
# what a field is called in a copyright notice, where it differs (copyright arises without registration)
COPYRIGHT_FIELDS = {
    "registration_numbers": ("作品名称 / 著作权登记号", "Work / copyright registration number"),
    "registration_certificate": ("权属证明（著作权登记证书、作品首次发表或出版的证明、授权合同等）",
                                 "Proof of ownership (copyright registration certificate, proof of first "
                                 "publication, licence contract …)"),
}  # fmt: skip
_CONTROL = dict.fromkeys(i for i in range(0x20) if i not in (0x09,))


class TakedownError(ValueError):
    """Nothing to notice, or a channels file that does not load."""


@dataclass(frozen=True)
class Channel:
    key: str
    name: str
    portal: str
    platforms: tuple[str, ...]
    language: str
    requires: tuple[str, ...]
    checked: bool = False  # whether the required fields were confirmed against the platform's current form
    unchecked_reason: str = ""
    seen: tuple[Mapping[str, str], ...] = ()  # what was read ({url, title})


@dataclass(frozen=True)
class Channels:
    version: int
    legal_basis: Mapping[str, str]
    channels: Mapping[str, Channel]
    kind_basis: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # kind → {zh, en}, before legal_basis
    report_basis: Mapping[str, str] = field(default_factory=dict)  # licence reports: zh, en, note_zh, note_en
    report_channel: Channel | None = None  # where licence reports go
    legal_checked: bool = False  # the E-Commerce Law summary (legal_basis) checked against copies of the text
    legal_provenance: Mapping[str, Any] = field(default_factory=dict)  # checked_on, checked_by, copies, checked_against
    kinds_checked: frozenset[str] = frozenset()  # kinds whose kind_basis was checked

    @property
    def checked(self) -> bool:
        """Whether everything in the file was checked: the legal bases and every channel's fields. The licence
        report's articles (report_basis) have no checked record at all, so a file that has them is never wholly
        checked: `index.json`'s channels_checked stays false until they get one."""
        return (self.legal_checked and all(c.checked for c in self.channels.values())
                and set(self.kind_basis) <= self.kinds_checked and not self.report_basis)  # fmt: skip

    def for_platform(self, platform: str) -> Channel:
        """The channel whose platform names start NetSword's platform name (jd-search → jd), else `generic`."""
        name = platform.lower()
        for channel in self.channels.values():
            if any(name == p or name.startswith(p + "-") or name.startswith(p + "_") for p in channel.platforms):
                return channel
        return self.channels["generic"]


@lru_cache(maxsize=1)
def load_channels(path: str = str(DATA)) -> Channels:
    data = _joined(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    try:
        channels = {key: Channel(key, str(c["name"]), str(c.get("portal", "")), tuple(str(p).lower() for p in c.get("platforms") or ()),
                                 str(c.get("language", "zh")), tuple(c["requires"]), c.get("checked") is True,
                                 str(c.get("unchecked_reason") or ""),
                                 tuple({"url": str(x["url"]), "title": str(x["title"])} for x in c.get("seen") or ()))
                    for key, c in data["channels"].items()}  # fmt: skip
        report = data["licence_report"]
        r = report["channel"]
        report_channel = Channel("licence_report", str(r["name"]), str(r.get("portal", "")), (),
                                 str(r.get("language", "zh")), tuple(r["requires"]))  # fmt: skip
        unknown = {f for c in [*channels.values(), report_channel] for f in c.requires} - set(FIELDS)
        if unknown or "generic" not in channels:
            raise TakedownError(f"{path}: unknown fields {sorted(unknown)} or no generic channel")
        kind_basis = {
            str(k): {"zh": str(v["zh"]), "en": str(v["en"])} for k, v in (data.get("kind_basis") or {}).items()
        }
        basis = {"zh": str(report["basis"]["zh"]), "en": str(report["basis"]["en"]),
                 "note_zh": str(report["note_zh"]), "note_en": str(report["note_en"])}  # fmt: skip
        legal = dict(data["legal_basis"])
        legal_checked = legal.get("checked") is True
        against = [{"url": str(x["url"]), "title": str(x["title"]), "showed": str(x.get("showed") or "")}
                   for x in legal.get("checked_against") or ()]  # fmt: skip
        if legal_checked and (not legal.get("checked_on") or len(against) < 2):
            raise TakedownError(
                f"{path}: legal_basis checked: true needs checked_on and two copies under checked_against"
            )
        provenance = {"checked": legal_checked, "checked_on": str(legal.get("checked_on") or ""),
                      "checked_by": str(legal.get("checked_by") or ""), "copies": str(legal.get("copies") or ""),
                      "checked_against": against, "unconfirmed": str(legal.get("unconfirmed") or "")}  # fmt: skip
        texts = {k: str(legal[k]) for k in ("zh", "en", "note_zh", "note_en")}
        kinds_checked = frozenset(k for k, v in (data.get("kind_basis") or {}).items() if v.get("checked") is True)
        return Channels(int(data["version"]), texts, channels, kind_basis, basis, report_channel, legal_checked,
                        provenance, kinds_checked)  # fmt: skip
    except (KeyError, TypeError) as exc:
        raise TakedownError(f"{path}: {exc}") from None


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_FOLDED_CJK = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


_VERBATIM = frozenset({"title", "url"})  # a copy's recorded title and address: kept as written, spaces and all


def _joined(value: Any) -> Any:
    """YAML folds a long line into spaces; between two Chinese characters the space was never there."""
    if isinstance(value, str):
        return _FOLDED_CJK.sub("", value)
    if isinstance(value, dict):
        return {k: v if k in _VERBATIM else _joined(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_joined(v) for v in value]
    return value


def one_line(value: Any, limit: int = 300) -> str:
    """Scraped text for a text notice: NFC, control characters and line breaks out, at most `limit` characters."""
    text = unicodedata.normalize("NFC", str(value)).translate(_CONTROL)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") or ch == "\t")
    return text[:limit] + ("…" if len(text) > limit else "")


@dataclass(frozen=True)
class NoticeListing:
    lead_id: str
    platform: str
    listing_id: str
    url: str
    title: str
    seller: str
    seller_id: str
    first_seen: str
    last_seen: str
    captures: tuple[Mapping[str, str], ...]  # capture_id, captured_at, role, sha256
    # licence reports: what is wrong (the lead's kind), in both languages, the number the listing shows, and the
    # checks' own reasons (`中文 / English`)
    problem: str = ""
    problem_zh: str = ""
    problem_en: str = ""
    cited_number: str = ""
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    notice_id: str
    channel: Channel
    platform: str
    rights_holder: str
    kind: str
    rights: tuple[Mapping[str, Any], ...]  # entry_id, label, registration, office, classes
    listings: tuple[NoticeListing, ...]
    case_id: str = ""
    to_complete: tuple[str, ...] = ()
    # licence reports: the regime (id, name, number, authority) and its sources (title, issuer, article, says,
    # verified, cite); empty for notices of a right
    regime: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id, "case_id": self.case_id, "platform": self.platform,
            "channel": {"key": self.channel.key, "name": self.channel.name, "portal": self.channel.portal,
                        "language": self.channel.language, "requires": list(self.channel.requires),
                        "checked": self.channel.checked, "unchecked_reason": self.channel.unchecked_reason,
                        "seen": [dict(x) for x in self.channel.seen]},
            "rights_holder": self.rights_holder, "right_kind": self.kind,
            "right_kind_zh": RIGHT[self.kind][0], "right_kind_en": RIGHT[self.kind][1],
            "rights": [dict(r) for r in self.rights],
            "infringement_reason": {"zh": REASON[self.kind][0], "en": REASON[self.kind][1]},
            "listings": [{**{k: v for k, v in x.__dict__.items() if k != "captures"},
                          "captures": [dict(c) for c in x.captures]} for x in self.listings],
            "to_complete": list(self.to_complete),
            **({"regime": dict(self.regime)} if self.regime else {}),
        }  # fmt: skip


@dataclass
class Bundle:
    notices: list[Notice]
    left_out: dict[str, int] = field(default_factory=dict)  # reason → leads
    generated_at: str = ""


def _rights(entry_ids: Iterable[str], watchlist: Watchlist | None) -> tuple[Mapping[str, Any], ...]:
    out = []
    for entry_id in sorted(set(entry_ids)):
        entry = watchlist.get(entry_id) if watchlist is not None else None
        row: dict[str, Any] = {"entry_id": entry_id, "label": "", "registration": "", "office": "", "classes": []}
        if entry is not None:
            row["label"] = entry.label
            row["registration"] = str(getattr(entry, "registration", "") or getattr(entry, "number", "") or "")
            row["office"] = str(getattr(entry, "office", "") or "")
            row["classes"] = list(getattr(entry, "classes", ()) or ())
        out.append(row)
    return tuple(out)


def _captures(lead: Lead, evidence: EvidenceStore | None) -> tuple[Mapping[str, str], ...]:
    if evidence is None:
        return ()
    rows = []
    for capture in evidence.captures_for(lead.platform, lead.listing_id)[:3]:
        for item in capture.files:
            if item.role in ("page", "screenshot", "pdf"):
                rows.append({"capture_id": capture.capture_id, "captured_at": capture.captured_at,
                             "role": item.role, "sha256": item.sha256})  # fmt: skip
    return tuple(rows)


def build_notices(leads: Iterable[Lead], watchlist: Watchlist | None, evidence: EvidenceStore | None,
                  *, case_id: str = "", channels: Channels | None = None, rules: Rules | None = None) -> Bundle:  # fmt: skip
    """One notice per (platform, rights holder, kind of right) of the IP leads given, one licence report per
    (platform, regime) of the licence leads; the rest counted as left out. `rules`: the regulated-goods rules whose
    regimes the reports cite (default: the bundled ones)."""
    channels = channels or load_channels()
    groups: dict[tuple[str, str, str], list[Lead]] = defaultdict(list)
    reports: dict[tuple[str, str], list[Lead]] = defaultdict(list)
    left_out: dict[str, int] = defaultdict(int)
    for lead in leads:
        if is_parcel_platform(lead.platform):
            left_out["parcel lead (personal data; not a listing)"] += 1
        elif lead.kind not in NOTICE_KINDS and lead.kind not in LICENCE_PROBLEMS:
            left_out[f"{lead.kind} lead (no rights holder to notify for)"] += 1
        elif lead.status == "dismissed":
            left_out["dismissed lead"] += 1
        elif lead.listing.get("availability") == TAKEN_DOWN:
            left_out["listing already taken down"] += 1
        elif lead.kind in LICENCE_PROBLEMS:
            reports[(lead.platform, lead.entry_id)].append(lead)
        else:
            holder = lead.owner or (watchlist.owner_of(lead.entry_id) if watchlist is not None else "")
            groups[(lead.platform, holder, lead.kind)].append(lead)
    notices = _rights_notices(groups, watchlist, evidence, case_id, channels)
    if reports:
        notices += _licence_reports(reports, evidence, case_id, channels, rules)
    return Bundle(notices, dict(left_out))


def _listing(lead: Lead, evidence: EvidenceStore | None, **extra: Any) -> NoticeListing:
    seller = lead.listing.get("seller") if isinstance(lead.listing.get("seller"), Mapping) else {}
    return NoticeListing(lead.lead_id, lead.platform, lead.listing_id, lead.url, lead.title, lead.seller_name,
                         str((seller or {}).get("id", "")), lead.first_seen, lead.last_seen, _captures(lead, evidence),
                         **extra)  # fmt: skip


def _notice_id(case_id: str, platform: str, who: str, kind: str, members: list[Lead]) -> str:
    key = "\x1f".join([case_id, platform, who, kind, *sorted(lead.lead_id for lead in members)])
    return "tn-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _rights_notices(groups: Mapping[tuple[str, str, str], list[Lead]], watchlist: Watchlist | None,
                    evidence: EvidenceStore | None, case_id: str, channels: Channels) -> list[Notice]:  # fmt: skip
    notices = []
    for (platform, holder, kind), members in sorted(groups.items()):
        members.sort(key=lambda x: (x.listing_id, x.lead_id))
        listings: dict[str, NoticeListing] = {}
        for lead in members:  # a listing matched by two entries of one holder is one URL to remove
            if lead.listing_id not in listings:
                listings[lead.listing_id] = _listing(lead, evidence)
        channel = channels.for_platform(platform)
        rights = _rights((lead.entry_id for lead in members), watchlist)
        to_complete = [f for f in channel.requires if not FIELDS[f][2]]
        if not holder:
            to_complete.insert(0, "rights_holder")
        if kind == "copyright":
            # copyright needs no registration: a work without a number is proved by other papers (art. 14: preliminary
            # proof), which the sender adds whatever the channel's form says
            if any(not r["registration"] for r in rights):
                to_complete.append("registration_certificate")
        elif any(not r["registration"] for r in rights):
            to_complete.append("registration_numbers")
        if "evidence" in channel.requires and any(not x.captures for x in listings.values()):
            to_complete.append("evidence")
        notices.append(Notice(_notice_id(case_id, platform, holder, kind, members), channel, platform, holder, kind,
                              rights, tuple(listings.values()), case_id, tuple(dict.fromkeys(to_complete))))  # fmt: skip
    return notices


def _licence_reports(reports: Mapping[tuple[str, str], list[Lead]], evidence: EvidenceStore | None, case_id: str,
                     channels: Channels, rules: Rules | None) -> list[Notice]:  # fmt: skip
    """One report per (platform, regime): each listing with what is wrong and the number it shows."""
    if rules is None:
        try:
            rules = load_rules()
        except RulesError:
            rules = None  # the leads' own legal_basis reasons still cite the regulation
    channel = channels.report_channel
    if channel is None:
        raise TakedownError("the channels file has no licence_report section")
    notices = []
    for (platform, entry_id), members in sorted(reports.items()):
        members.sort(key=lambda x: (x.listing_id, x.lead_id))
        regime_id = entry_id.removeprefix("reg:")
        regime = rules.get(regime_id) if rules is not None else None
        listings: dict[str, NoticeListing] = {}
        for lead in members:
            zh, en = LICENCE_PROBLEMS[lead.kind]
            details = tuple(r.detail for r in lead.reasons if r.code != "legal_basis")
            if lead.listing_id not in listings:
                listings[lead.listing_id] = _listing(lead, evidence, problem=lead.kind, problem_zh=zh,
                                                     problem_en=en, cited_number=lead.cited_number, details=details)  # fmt: skip
        cited = [r.detail for lead in members for r in lead.reasons if r.code == "legal_basis"]
        to_complete = [f for f in channel.requires if not FIELDS[f][2]]
        if "evidence" in channel.requires and any(not x.captures for x in listings.values()):
            to_complete.append("evidence")
        notices.append(Notice(_notice_id(case_id, platform, "", entry_id, members), channel, platform, "", LICENCE,
                              (), tuple(listings.values()), case_id, tuple(dict.fromkeys(to_complete)),
                              _regime(regime_id, regime, cited)))  # fmt: skip
    return notices


def _regime(regime_id: str, regime: Regime | None, cited: list[str]) -> dict[str, Any]:
    """The regime a report cites; without its rules (a custom rules file that lost it), what its leads cited."""
    if regime is None:
        return {"id": regime_id, "name_zh": regime_id, "name_en": regime_id, "number_zh": "", "number_en": "",
                "authority_zh": "", "authority_en": "",
                "sources": [{"cite": text, "says": "", "verified": False} for text in dict.fromkeys(cited)]}  # fmt: skip
    return {"id": regime.id, "name_zh": regime.name.zh, "name_en": regime.name.en, "number_zh": regime.number.zh,
            "number_en": regime.number.en, "authority_zh": regime.authority.zh, "authority_en": regime.authority.en,
            "sources": [{"title": s.title, "issuer": s.issuer, "article": s.article, "says": s.says,
                         "verified": s.verified, "cite": s.cite()} for s in regime.sources]}  # fmt: skip


def _env(autoescape: bool) -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=autoescape),
                      keep_trailing_newline=True)  # fmt: skip
    env.filters["one_line"] = one_line
    return env


def render_notice(notice: Notice, language: str, fmt: str, generated_at: str,
                  channels: Channels | None = None) -> str:  # fmt: skip
    """A notice as text (`txt`) or HTML (`html`) in Chinese (`zh`) or English (`en`)."""
    channels = channels or load_channels()
    if language not in ("zh", "en") or fmt not in ("txt", "html"):
        raise ValueError(f"language zh|en and format txt|html, got {language!r} {fmt!r}")
    side = 0 if language == "zh" else 1
    names = {**FIELDS, **(COPYRIGHT_FIELDS if notice.kind == "copyright" else {})}
    labels = {key: value[side] for key, value in names.items()}
    if notice.kind == LICENCE:
        legal = [channels.report_basis[language]]
        note = channels.report_basis[f"note_{language}"]
        template = f"licence_report.{language}.{fmt}"
        legal_checked = False  # the licence report's articles were not part of the check (takedown_channels.yaml)
    else:
        extra = channels.kind_basis.get(notice.kind, {})
        legal = [text for text in (extra.get(language, ""), channels.legal_basis[language]) if text]
        note = channels.legal_basis[f"note_{language}"]
        template = f"takedown_notice.{language}.{fmt}"
        legal_checked = channels.legal_checked and (not extra or notice.kind in channels.kinds_checked)
    context = {"n": notice.to_dict(), "lang": language, "labels": labels, "generated_at": generated_at,
               "legal": "\n".join(legal), "legal_parts": legal, "legal_note": note, "legal_checked": legal_checked,
               "channel_checked": notice.channel.checked, "channel_note": notice.channel.unchecked_reason,
               "checked": legal_checked and notice.channel.checked}  # fmt: skip
    return _env(fmt == "html").get_template(template).render(**context)


def bundle_zip(bundle: Bundle, name: str, channels: Channels | None = None) -> bytes:
    """<name>/<channel>/<notice id>/notice.{zh,en}.{txt,html}, notice.json; <name>/index.json; SHA256SUMS."""
    channels = channels or load_channels()
    files: dict[str, bytes] = {}
    for notice in bundle.notices:
        base = f"{notice.channel.key}/{notice.notice_id}/"
        for language in ("zh", "en"):
            for fmt in ("txt", "html"):
                text = render_notice(notice, language, fmt, bundle.generated_at, channels)
                files[f"{base}notice.{language}.{fmt}"] = text.encode("utf-8")
        files[base + "notice.json"] = json.dumps(
            {**notice.to_dict(), "generated_at": bundle.generated_at}, ensure_ascii=False, indent=2, sort_keys=True
        ).encode("utf-8")
    index = {"generated_at": bundle.generated_at, "channels_version": channels.version,
             "channels_checked": channels.checked, "legal_basis": channels.legal_provenance,
             "left_out": bundle.left_out,
             "notices": [{"notice_id": n.notice_id, "channel": n.channel.key, "platform": n.platform,
                          "rights_holder": n.rights_holder, "right_kind": n.kind, "listings": len(n.listings),
                          "to_complete": list(n.to_complete),
                          **({"regime": n.regime["id"]} if n.regime else {})} for n in bundle.notices]}  # fmt: skip
    files["index.json"] = json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    return checksummed_zip(name, files)
