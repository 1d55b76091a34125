"""Apply a profile's field rules to one item (an HTML node or a JSON object) and clean the values."""

from __future__ import annotations

import html as html_lib
import re
import unicodedata
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin

import jmespath
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from price_parser import Price

from crawler.profile import FieldRule

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
# A count with an optional Chinese or shorthand multiplier and "+": "1.2万" 12000, "10万+" 100000, "3k" 3000.
_QUANTITY = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(百万|[万千亿]|[wWkK](?![A-Za-z]))?")
_MULTIPLIERS = {"千": 1_000, "k": 1_000, "K": 1_000, "万": 10_000, "w": 10_000, "W": 10_000, "百万": 1_000_000,
                "亿": 100_000_000}  # fmt: skip
# "30天内已售1.2万": the 30 is a period, not the count.
_PERIOD = re.compile(r"\s*(?:天|日|小时|个月|月内|周|days?\b|hours?\b)")
_SKIP_TAGS = frozenset({"script", "style", "template", "noscript"})
# Struck-through text: a former list price (原价 <del>￥399.00</del>), never the selling price. Skipped in price fields.
_STRUCK_TAGS = frozenset({"del", "s", "strike"})
_LINE_THROUGH = re.compile(r"text-decoration[^;]*line-through", re.IGNORECASE)
# Currency symbols price-parser reports, to ISO 4217; a bare ¥ on a Chinese marketplace is CNY, not JPY.
SYMBOLS = {
    "¥": "CNY", "￥": "CNY", "元": "CNY", "RMB": "CNY", "CN¥": "CNY", "$": "USD", "US$": "USD", "US $": "USD",
    "€": "EUR", "£": "GBP", "HK$": "HKD", "NT$": "TWD", "A$": "AUD", "C$": "CAD", "₩": "KRW", "円": "JPY",
}  # fmt: skip
MAX_TEXT = {"title": 1000, "description": 20000}
_MAX_OTHER = 2000


def element_text(element: Any, *, skip_struck: bool = False) -> str:
    """All the text inside an element, joined as a browser's textContent joins it (no script or style); with
    `skip_struck`, without struck-through text (`<del>`, `<s>`, `<strike>`, an inline `line-through` style)."""
    if not isinstance(getattr(element, "tag", None), str):
        return "" if element is None else str(element)
    if not skip_struck and all(node is element for node in element.iter(*_SKIP_TAGS)):
        return "".join(element.itertext())  # nothing to skip: lxml joins the same text (no comments), in C
    parts: list[str] = []

    def skipped(node: Any) -> bool:
        tag = node.tag.lower()
        if tag in _SKIP_TAGS:
            return True
        return skip_struck and (tag in _STRUCK_TAGS or bool(_LINE_THROUGH.search(node.get("style") or "")))

    def walk(node: Any, top: bool) -> None:
        if isinstance(node.tag, str) and (top or not skipped(node)):
            parts.append(node.text or "")
            for child in node:
                walk(child, False)
        if not top:
            parts.append(node.tail or "")

    walk(element, True)
    return "".join(parts)


_TRANSLATOR = HTMLTranslator()
_NAMESPACES = dict(Selector._default_namespaces)  # parsel's: re:, set:


@lru_cache(maxsize=1024)
def _css_xpath(expr: str) -> etree.XPath:
    """A profile's CSS rule as parsel reads it (its translator: ::text, ::attr()), compiled once per crawl."""
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(expr), namespaces=_NAMESPACES, smart_strings=False)
    except etree.XPathError as exc:
        raise ValueError(f"XPath error: {exc} in {expr}") from None


def _serialized(value: Any) -> str:
    """What parsel's Selector.get() gives for one result: an element's HTML, else its text ("1"/"0": booleans)."""
    if isinstance(getattr(value, "tag", None), str):
        return str(etree.tostring(value, method="html", encoding="unicode", with_tail=False))
    if value is True or value is False:
        return "1" if value else "0"
    return str(value)


def _select(expr: str, node: Selector) -> list[Any]:
    # lxml directly, without a parsel Selector per result: the same results as node.css(expr), a fraction of the work
    result = _css_xpath(expr)(node.root)
    return result if isinstance(result, list) else [result]


def _css_values(expr: str, node: Selector, *, skip_struck: bool = False) -> list[Any]:
    # `sel::text` (and Scrapy's `sel ::text`) means each matched element's whole text: ¥<em>54</em>.00 is ¥54.00.
    expr = expr.strip()
    if expr.endswith("::text") and "," not in expr:
        base = expr[: -len("::text")].strip()
        elements = _select(base, node) if base else [node.root]
        return [element_text(e, skip_struck=skip_struck) for e in elements]
    return [_serialized(v) for v in _select(expr, node) if v is not None]


def raw_values(rule: FieldRule, node: Any, product: Any = None) -> list[Any]:
    """Every value the rule's expression selects from an HTML Selector or a decoded JSON value; `jsonld` rules
    read `product`, the page's schema.org Product (crawler.structured)."""
    if rule.source == "const":
        return [rule.expr]
    if rule.source == "css":
        return _css_values(rule.expr, node, skip_struck=rule.name == "price") if isinstance(node, Selector) else []
    if rule.source == "xpath":
        return [v for v in node.xpath(rule.expr).getall() if v is not None] if isinstance(node, Selector) else []
    if rule.source == "jsonld":
        node = product if product is not None else {}
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


def apply_rule(rule: FieldRule, node: Any, base_url: str, product: Any = None) -> str | list[str] | float | None:
    """The cleaned value of one field: text, a list of texts (rule.all), or a number for JSON prices and counts."""
    values = raw_values(rule, node, product)
    limit = MAX_TEXT.get(rule.name, _MAX_OTHER)
    if rule.all:
        out = [_finish(rule, clean_text(v, strip_html=rule.html, limit=limit), base_url) for v in values]
        return [v for v in out if v]
    if rule.name in ("price", "sales", "stock") and not rule.regex:
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


def parse_quantity(value: Any) -> int | None:
    """A count as marketplaces write it: '7261人付款' 7261, '1.2万' 12000, '10万+' 100000, '已售 3千+' 3000,
    '4000+ sold' 4000, '2.5亿' 250000000, '30天内已售 1.2万' 12000 (a number followed by a period is skipped)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if value >= 0 else None
    text = str(value or "")
    for match in _QUANTITY.finditer(text):
        if _PERIOD.match(text, match.end(1)):
            continue
        number = float(match.group(1).replace(",", ""))
        return round(number * _MULTIPLIERS.get(match.group(2) or "", 1))
    return None
