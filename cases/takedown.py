"""Takedown notices to platforms (通知—删除, E-Commerce Law arts. 42–45): per case or per selection of leads, one
notice per platform, rights holder and right, in Chinese and English text, HTML and JSON, as one deterministic ZIP.

Each notice names the channel the platform's complaints go to and the fields that channel asks for
(cases/data/takedown_channels.yaml, guidance marked `checked: false`), fills what NetSword knows — the rights holder
and registration numbers from the watchlist, the listing URLs, the evidence captures' SHA-256 — and lists what the
sender must still add (certificate, authorisation, contact, signature). Scraped text stays text: HTML is autoescaped,
text files get scraped values on one line with control characters removed. Only IP leads are noticed: parcel leads
(personal data) and licence leads (a regulator's matter, no rights holder) are left out and counted.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
import zipfile
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
from netsword.models import Lead, is_parcel_platform
from watchlists.model import Watchlist

DATA = Path(__file__).parent / "data" / "takedown_channels.yaml"
TEMPLATES = Path(__file__).parent / "templates"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)
NOTICE_KINDS = frozenset({"trademark", "patent", "false_patent_marking", "geographical_indication"})
RIGHT = {
    "trademark": ("注册商标专用权", "registered trademark"),
    "patent": ("专利权", "patent"),
    "false_patent_marking": ("专利权（假冒专利标识）", "patent (false patent marking)"),
    "geographical_indication": ("地理标志", "geographical indication"),
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


@dataclass(frozen=True)
class Channels:
    version: int
    checked: bool
    legal_basis: Mapping[str, str]
    channels: Mapping[str, Channel]

    def for_platform(self, platform: str) -> Channel:
        """The channel whose platform names start NetSword's platform name (jd-search → jd), else `generic`."""
        name = platform.lower()
        for channel in self.channels.values():
            if any(name == p or name.startswith(p + "-") or name.startswith(p + "_") for p in channel.platforms):
                return channel
        return self.channels["generic"]


@lru_cache(maxsize=1)
def load_channels(path: str = str(DATA)) -> Channels:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    try:
        channels = {key: Channel(key, str(c["name"]), str(c.get("portal", "")), tuple(str(p).lower() for p in c.get("platforms") or ()),
                                 str(c.get("language", "zh")), tuple(c["requires"]))
                    for key, c in data["channels"].items()}  # fmt: skip
        unknown = {f for c in channels.values() for f in c.requires} - set(FIELDS)
        if unknown or "generic" not in channels:
            raise TakedownError(f"{path}: unknown fields {sorted(unknown)} or no generic channel")
        return Channels(int(data["version"]), bool(data.get("checked")), dict(data["legal_basis"]), channels)
    except (KeyError, TypeError) as exc:
        raise TakedownError(f"{path}: {exc}") from None


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice_id": self.notice_id, "case_id": self.case_id, "platform": self.platform,
            "channel": {"key": self.channel.key, "name": self.channel.name, "portal": self.channel.portal,
                        "language": self.channel.language, "requires": list(self.channel.requires)},
            "rights_holder": self.rights_holder, "right_kind": self.kind,
            "right_kind_zh": RIGHT[self.kind][0], "right_kind_en": RIGHT[self.kind][1],
            "rights": [dict(r) for r in self.rights],
            "infringement_reason": {"zh": REASON[self.kind][0], "en": REASON[self.kind][1]},
            "listings": [{**{k: v for k, v in x.__dict__.items() if k != "captures"},
                          "captures": [dict(c) for c in x.captures]} for x in self.listings],
            "to_complete": list(self.to_complete),
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
                  *, case_id: str = "", channels: Channels | None = None) -> Bundle:  # fmt: skip
    """One notice per (platform, rights holder, kind of right) of the IP leads given; the rest counted as left out."""
    channels = channels or load_channels()
    groups: dict[tuple[str, str, str], list[Lead]] = defaultdict(list)
    left_out: dict[str, int] = defaultdict(int)
    for lead in leads:
        if is_parcel_platform(lead.platform):
            left_out["parcel lead (personal data; not a listing)"] += 1
        elif lead.kind not in NOTICE_KINDS:
            left_out[f"{lead.kind} lead (no rights holder to notify for)"] += 1
        elif lead.status == "dismissed":
            left_out["dismissed lead"] += 1
        elif lead.listing.get("availability") == TAKEN_DOWN:
            left_out["listing already taken down"] += 1
        else:
            holder = lead.owner or (watchlist.owner_of(lead.entry_id) if watchlist is not None else "")
            groups[(lead.platform, holder, lead.kind)].append(lead)
    notices = []
    for (platform, holder, kind), members in sorted(groups.items()):
        members.sort(key=lambda x: (x.listing_id, x.lead_id))
        listings: dict[str, NoticeListing] = {}
        for lead in members:  # a listing matched by two entries of one holder is one URL to remove
            seller = lead.listing.get("seller") if isinstance(lead.listing.get("seller"), Mapping) else {}
            listings.setdefault(lead.listing_id, NoticeListing(
                lead.lead_id, lead.platform, lead.listing_id, lead.url, lead.title, lead.seller_name,
                str((seller or {}).get("id", "")), lead.first_seen, lead.last_seen, _captures(lead, evidence)))  # fmt: skip
        channel = channels.for_platform(platform)
        rights = _rights((lead.entry_id for lead in members), watchlist)
        to_complete = [f for f in channel.requires if not FIELDS[f][2]]
        if not holder:
            to_complete.insert(0, "rights_holder")
        if any(not r["registration"] for r in rights):
            to_complete.append("registration_numbers")
        if "evidence" in channel.requires and any(not x.captures for x in listings.values()):
            to_complete.append("evidence")
        key = "\x1f".join([case_id, platform, holder, kind, *sorted(lead.lead_id for lead in members)])
        notice_id = "tn-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        notices.append(Notice(notice_id, channel, platform, holder, kind, rights, tuple(listings.values()),
                              case_id, tuple(dict.fromkeys(to_complete))))  # fmt: skip
    return Bundle(notices, dict(left_out))


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
    labels = {key: names[0 if language == "zh" else 1] for key, names in FIELDS.items()}
    context = {"n": notice.to_dict(), "lang": language, "labels": labels, "generated_at": generated_at,
               "legal": channels.legal_basis[language], "legal_note": channels.legal_basis[f"note_{language}"],
               "checked": channels.checked}  # fmt: skip
    return _env(fmt == "html").get_template(f"takedown_notice.{language}.{fmt}").render(**context)


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
             "channels_checked": channels.checked, "left_out": bundle.left_out,
             "notices": [{"notice_id": n.notice_id, "channel": n.channel.key, "platform": n.platform,
                          "rights_holder": n.rights_holder, "right_kind": n.kind, "listings": len(n.listings),
                          "to_complete": list(n.to_complete)} for n in bundle.notices]}  # fmt: skip
    files["index.json"] = json.dumps(index, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in sorted(files.items())).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{name}/{path}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[path])
    return out.getvalue()
