"""Apply a profile's field rules to one item (an HTML node or a JSON object) and clean the values."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from typing import Any
from urllib.parse import urljoin

import jmespath
from parsel import Selector
from price_parser import Price

from crawler.profile import FieldRule

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_INT = re.compile(r"\d[\d,]*")
# Currency symbols price-parser reports, to ISO 4217; a bare ¥ on a Chinese marketplace is CNY, not JPY.
SYMBOLS = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "RMB": "CNY", "CN¥": "CNY", "$": "USD", "US$": "USD", "US $": "USD",
    "€": "EUR", "£": "GBP", "HK$": "HKD", "NT$": "TWD", "A$": "AUD", "C$": "CAD", "₩": "KRW", "円": "JPY",
}  # fmt: skip
MAX_TEXT = {"title": 1000, "description": 20000}
_MAX_OTHER = 2000


def raw_values(rule: FieldRule, node: Any) -> list[Any]:
    """Every value the rule's expression selects from an HTML Selector or a decoded JSON value."""
    if rule.source == "const":
        return [rule.expr]
    if rule.source in ("css", "xpath"):
        if not isinstance(node, Selector):
            return []
        found = node.css(rule.expr) if rule.source == "css" else node.xpath(rule.expr)
        return [v for v in found.getall() if v is not None]
    value = jmespath.search(rule.expr, node)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def clean_text(value: Any, *, strip_html: bool = False, limit: int = _MAX_OTHER) -> str:
    """Collapse whitespace, drop control characters and (when asked) markup; scraped text is kept as data only."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value)
    if strip_html:
        text = html_lib.unescape(_TAG.sub(" ", text))
    if not text.isprintable():  # only then can it hold control or format characters: look at each one
        text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs"))
    return _SPACE.sub(" ", text).strip()[:limit]


def _finish(rule: FieldRule, text: str, base_url: str) -> str:
    if rule.regex:
        match = re.search(rule.regex, text)
        if not match:
            return ""
        text = match.group(1) if match.groups() else match.group(0)
    if text and rule.template:
        text = rule.template.replace("{value}", text)
    if text and rule.absolute:
        text = urljoin(base_url, text)
    return text


def apply_rule(rule: FieldRule, node: Any, base_url: str) -> str | list[str] | float | None:
    """The cleaned value of one field: text, a list of texts (rule.all), or a number for JSON prices."""
    values = raw_values(rule, node)
    limit = MAX_TEXT.get(rule.name, _MAX_OTHER)
    if rule.all:
        out = [_finish(rule, clean_text(v, strip_html=rule.html, limit=limit), base_url) for v in values]
        return [v for v in out if v]
    if rule.name == "price":
        for value in values:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return float(value)
    # HTML text nodes of one element arrive in pieces; a title is their concatenation.
    if rule.source in ("css", "xpath") and rule.name in ("title", "description"):
        joined = " ".join(clean_text(v, strip_html=rule.html, limit=limit) for v in values)
        return _finish(rule, clean_text(joined, limit=limit), base_url)
    for value in values:
        text = _finish(rule, clean_text(value, strip_html=rule.html, limit=limit), base_url)
        if text:
            return text
    return None


def parse_price(value: Any) -> tuple[float | None, str]:
    """A price and the ISO currency its symbol implies ('' when unknown); '¥1,299.00' → (1299.0, 'CNY')."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value), ""
    if not isinstance(value, str) or not value.strip():
        return None, ""
    price = Price.fromstring(value)
    currency = ""
    if price.currency:
        symbol = price.currency.strip()
        currency = SYMBOLS.get(symbol) or (symbol.upper() if re.fullmatch(r"[A-Za-z]{3}", symbol) else "")
    return price.amount_float, currency


def parse_int(value: Any) -> int | None:
    """The first whole number in '7261人付款' or '4000+ sold'."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _INT.search(str(value or ""))
    return int(match.group().replace(",", "")) if match else None
