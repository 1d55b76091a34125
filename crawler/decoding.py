"""Turn a page's bytes into text the way browsers and Scrapy do, and tell when text came out garbled.

Order (WHATWG and Scrapy's TextResponse alike): a byte-order mark, the Content-Type charset, a `<meta charset>` or
`http-equiv` declaration, then detection. w3lib's `html_to_unicode` (what Scrapy uses) does the first three and reads
GBK and GB2312 labels as GB18030, their superset. Detection differs from Scrapy's (ASCII, UTF-8, else cp1252): an
undeclared page that is not UTF-8 is tried as GB18030 before cp1252, because on Chinese marketplaces it nearly
always is. A profile's `encoding:` overrides all of this for pages fetched over HTTP.
"""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import html_to_unicode, resolve_encoding

# UTF-8 lead byte read as cp1252/Latin-1, followed by continuation bytes read the same way: "Ã©", "ä¸­", "â€™".
_LATIN_MOJIBAKE = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6"
                             r"\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")  # fmt: skip
_CJK = re.compile(r"[\u3400-\u9fff]")


# WHATWG's labels of its GBK encoding; browsers decode them all as GB18030.
_GBK_LABELS = {"chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk"}


def known_encoding(name: str) -> str:
    """The codec Python uses for an encoding label (gbk → gb18030), or "" when the label is unknown."""
    if name.strip().lower() in _GBK_LABELS:
        return "gb18030"
    resolved = resolve_encoding(name)
    if resolved:
        return resolved
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _detect(body: bytes) -> str | None:
    for candidate in ("utf-8", "gb18030"):
        try:
            body.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "cp1252"


def decode_body(body: bytes, content_type: str = "", override: str = "") -> tuple[str, str]:
    """(text, encoding) of a page body; `content_type` is the Content-Type header, `override` a profile's encoding."""
    if override:
        encoding = known_encoding(override) or "utf-8"
        if body.startswith(codecs.BOM_UTF8) and encoding.replace("-", "").lower() == "utf8":
            body = body[len(codecs.BOM_UTF8) :]
        return body.decode(encoding, errors="replace"), encoding
    encoding, text = html_to_unicode(content_type or None, body, auto_detect_fun=_detect)
    return text, encoding


def garbled(text: str) -> str:
    """Why `text` looks wrongly decoded ("" when it does not): U+FFFD, or UTF-8 read as cp1252 or as GBK."""
    if "\ufffd" in text:
        return "replacement characters (U+FFFD): the page was decoded with the wrong encoding"
    if text.isascii():
        return ""
    if len(_LATIN_MOJIBAKE.findall(text)) >= 2:
        return "mojibake: UTF-8 text read as cp1252/Latin-1"
    # UTF-8 read as GBK gives rare but valid CJK characters; encoding them back and reading UTF-8 repairs them.
    try:
        repaired = text.encode("gb18030").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return ""
    if repaired != text and len(_CJK.findall(repaired)) >= 2:
        return "mojibake: UTF-8 text read as GBK"
    return ""
