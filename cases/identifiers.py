"""Hard identifiers in a listing snapshot: phones, WeChat and QQ ids, e-mail, credit codes, return addresses, payment
accounts. Each comes back in one normal form (phones as E.164 through `phonenumbers`, addresses through
`parcels.normalize.normalize_address`), with the field it was found in.

Scraped text is written to dodge filters (全角 digits, "V信", "扣扣", spaces inside numbers), so text is NFKC-folded
and cue words are matched before bare numbers; a cue's value is blanked out of the text before phones are sought,
so a QQ number is never read a second time as a landline. Service numbers (400/800 hotlines, shared-cost and
premium numbers) are kept as `service_phone`: a brand's hotline copied into a counterfeit listing links nobody.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

from cases import uscc
from netsword.image_hash import is_informative
from parcels.normalize import normalize_address

KINDS = ("phone", "service_phone", "wechat", "qq", "email", "uscc", "address", "payment", "image", "shipper")
# Kinds that link shops. service_phone is shown, never linked; shipper comes from parcels (cases.sources).
LINKING_KINDS = frozenset(KINDS) - {"service_phone"}
SERVICE_TYPES = frozenset({PhoneNumberType.TOLL_FREE, PhoneNumberType.SHARED_COST, PhoneNumberType.PREMIUM_RATE,
                           PhoneNumberType.UAN})  # fmt: skip
TEXT_FIELDS = ("title", "description")
# Extra listing fields (crawler profiles may add them): a typed field is read as that kind, "text" is scanned.
EXTRA_FIELDS: dict[str, str] = {
    "contact": "text", "contacts": "text", "shop_contact": "text", "customer_service": "text",
    "phone": "text", "telephone": "text", "mobile": "text", "tel": "text",
    "wechat": "wechat", "weixin": "wechat", "qq": "qq", "email": "text",
    "licence": "uscc", "license": "uscc", "business_licence": "uscc", "business_license": "uscc",
    "credit_code": "uscc", "uscc": "uscc",
    "return_address": "address", "returns_address": "address",
    "payment": "payment", "payee": "payment", "alipay": "payment", "payment_account": "payment",
}  # fmt: skip

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,12}")
_SEP = r"[\s:：=＝号是为同\-—~～]*"
_PAYMENT = re.compile(r"(支付宝|alipay|收款账[户号]|收款人账号|银行卡号?|卡号|对公账[户号])" + _SEP
                      + r"(\d{4,6}(?:[\s-]?\d{3,6}){1,5}(?!\d)|[A-Za-z0-9._%+@-]{5,64})", re.I)  # fmt: skip
_WECHAT = re.compile(r"(?:微信号?|威信|薇信|徽信|[vV]信|vx|wx|weixin|wechat|加[vV]|[+➕][vV])" + _SEP
                     + r"([A-Za-z][-_A-Za-z0-9]{5,19}|\+?\d[\d\s-]{6,16}\d)", re.I)  # fmt: skip
_QQ = re.compile(r"(?:QQ|扣扣|企鹅号?|Q号|秋秋)" + _SEP + r"([1-9]\d{4,10})(?!\d)", re.I)
_USCC = re.compile(r"(?<![0-9A-Z])([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Z])")
_USCC_CUE = re.compile(r"(信用代码|营业执照|执照|注册号|税号|licen[cs]e)", re.I)
_ADDRESS = re.compile(r"(?:退货地址|退换货地址|寄回地址|售后地址|退货请寄|退货寄)" + r"[\s:：]*([^\n；;。|]{6,100})")
_ADDRESS_TAIL = re.compile(r"(收件人|联系人|收货人|电话|手机|联系方式|tel|邮编|[（(]请|,|，)", re.I)
_PHONE = re.compile(
    r"(?<![\dA-Za-z])(?:"
    r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}"  # mainland mobile, any grouping
    r"|(?:(?:\+|00)?86[\s-]?)?\(?0\d{2,3}\)?[\s-]?\d{7,8}"  # landline with area code
    r"|[48]00[\s-]?\d{3}[\s-]?\d{4}"  # 400 / 800 service numbers
    r")(?![\dA-Za-z])"
)
_DIGITS = re.compile(r"\D+")


@dataclass(frozen=True)
class Found:
    """One identifier seen in one field of a listing, in its normal form."""

    kind: str
    value: str
    field: str
    detail: str = ""  # an image's URL (the value is its hash)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


@lru_cache(maxsize=262_144)
def phone_of(text: str) -> tuple[str, str] | None:
    """(kind, E.164) of a written phone number (kind `phone` or `service_phone`), or None when it is not valid."""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = "service_phone" if phonenumbers.number_type(number) in SERVICE_TYPES else "phone"
    return kind, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def luhn_ok(digits: str) -> bool:
    """The Luhn check that bank card numbers carry (UnionPay included)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def address_key(text: str) -> str:
    """The normal form of a return address, cut before the name or phone that usually follows it ('' if too short)."""
    cut = _ADDRESS_TAIL.split(text, maxsplit=1)[0]
    value = normalize_address(cut)
    return value if len(value) >= 6 else ""


def _blank(text: str, span: tuple[int, int]) -> str:
    return text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]


def _account(value: str, field: str, out: list[Found]) -> None:
    """A payment account: e-mail, phone, or a bank card that passes the Luhn check; also the e-mail or phone itself."""
    value = value.strip()
    if "@" in value and _EMAIL.fullmatch(value):
        email = value.lower()
        out += [Found("payment", "alipay:" + email, field), Found("email", email, field)]
        return
    digits = _DIGITS.sub("", value)
    phone = phone_of(value) if digits and len(digits) <= 13 else None
    if phone is not None:
        out += [Found("payment", "account:" + phone[1], field), Found(phone[0], phone[1], field)]
    elif 12 <= len(digits) <= 19 and value.replace(" ", "").replace("-", "").isdigit() and luhn_ok(digits):
        out.append(Found("payment", "bank:" + digits, field))


def identifiers_in_text(text: str, field: str, spans: list[tuple[int, int, str]] | None = None) -> list[Found]:
    """Every identifier in a piece of free text (cue words first, then bare phone numbers and codes). `spans`, when
    given, receives (start, end, kind) of each value written after a cue word or read as an identifier, in the
    NFKC form of the text (what `cases.publication.redact` withholds)."""
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text)
    out: list[Found] = []
    spans = spans if spans is not None else []
    for match in list(_ADDRESS.finditer(text)):
        written = _ADDRESS_TAIL.split(match.group(1), maxsplit=1)[0]
        key = address_key(written)
        if key:
            out.append(Found("address", key, field))
        spans.append((match.start(1), match.start(1) + len(written), "address"))
        text = _blank(text, (match.start(), match.start(1) + len(written)))  # the name or phone after it stays
    for match in list(_PAYMENT.finditer(text)):
        _account(match.group(2), field, out)
        spans.append((*match.span(2), "payment"))
        text = _blank(text, match.span())
    for match in list(_EMAIL.finditer(text)):
        email = match.group(0).lower()
        out.append(Found("email", email, field))
        local, _, domain = email.partition("@")
        if domain == "qq.com" and local.isdigit():
            out.append(Found("qq", local, field))  # a QQ mailbox is named by its QQ number
        spans.append((*match.span(), "email"))
        text = _blank(text, match.span())
    for match in list(_WECHAT.finditer(text)):
        value = match.group(1)
        phone = phone_of(value) if value[0].isdigit() or value[0] == "+" else None
        if phone is not None:
            out += [Found("wechat", phone[1], field), Found(phone[0], phone[1], field)]
        elif not value[0].isdigit():
            out.append(Found("wechat", value.lower(), field))
        spans.append((*match.span(1), "wechat"))
        text = _blank(text, match.span())
    for match in list(_QQ.finditer(text)):
        out.append(Found("qq", match.group(1), field))
        spans.append((*match.span(1), "qq"))
        text = _blank(text, match.span())
    upper = text.upper()
    for match in _USCC.finditer(upper):
        code = match.group(1)
        cued = _USCC_CUE.search(text[max(0, match.start() - 12) : match.start()]) is not None
        if uscc.is_valid(code) and (cued or not code.isdigit()):
            out.append(Found("uscc", code, field))
            spans.append((*match.span(1), "uscc"))
            text = _blank(text, match.span())
    for match in _PHONE.finditer(text):
        phone = phone_of(match.group(0))
        if phone is not None:
            out.append(Found(phone[0], phone[1], field))
            spans.append((*match.span(), phone[0]))
    return out


def _typed(kind: str, value: str, field: str) -> list[Found]:
    """A field whose name says what it holds; still checked like free text, so a wrong value links nobody."""
    value = unicodedata.normalize("NFKC", value).strip()
    if kind == "wechat":
        return identifiers_in_text("微信:" + value, field)
    if kind == "qq":
        return identifiers_in_text("QQ:" + value, field)
    if kind == "uscc":
        return identifiers_in_text("信用代码:" + value, field)
    if kind == "address":
        key = address_key(value)
        return [Found("address", key, field)] if key else []
    if kind == "payment":
        out: list[Found] = []
        _account(value, field, out)
        return out or identifiers_in_text(value, field)
    return identifiers_in_text(value, field)


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield str(value)
    elif isinstance(value, list):
        for item in value[:50]:
            yield from _texts(item)


def identifiers_in_listing(listing: Mapping[str, Any]) -> list[Found]:
    """Every identifier in a listing snapshot (Listing.to_dict form), each (kind, value, field) once."""
    found: list[Found] = []
    for name in TEXT_FIELDS:
        for text in _texts(listing.get(name)):
            found += identifiers_in_text(text, name)
    seller = listing.get("seller")
    if isinstance(seller, Mapping):
        for text in _texts(seller.get("contact")):
            found += identifiers_in_text(text, "seller.contact")
    for name, kind in EXTRA_FIELDS.items():
        for text in _texts(listing.get(name)):
            found += _typed(kind, text, name) if kind != "text" else identifiers_in_text(text, name)
    return list(dict.fromkeys(found + image_hashes(listing)))


def image_hashes(listing: Mapping[str, Any]) -> list[Found]:
    """The listing's image hashes (`image_hashes: [{"url", "phash"}]`, written by the crawl's image pipeline)."""
    rows = listing.get("image_hashes")
    out = []
    for row in rows[:10] if isinstance(rows, list) else []:
        digest = str(row.get("phash", "")).lower() if isinstance(row, Mapping) else ""
        if is_informative(digest):  # a blank placeholder image links nobody
            out.append(Found("image", digest, "image_hashes", str(row.get("url", ""))[:500]))
    return out
