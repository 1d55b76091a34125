"""Turn one page's body into Listing dicts by a profile's rules. No network, no Scrapy: parser tests call this directly.

`parse_page(profile, body, url)` reads a search page; `parse_page(..., kind="detail")` a detail page.
`listings_from(profile, body, url)` also validates each dict as a `netsword.models.Listing`.
JSON bodies are bounded in depth (netsword.bounded_json): too deep is an error for that page or feed line only.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jmespath
from parsel import Selector

from crawler.embedded import EmbeddedJsonError, extract_embedded
from crawler.fields import apply_rule, parse_int, parse_price
from crawler.profile import PageSpec, Profile
from netsword import bounded_json
from netsword.models import Listing, ListingError


@dataclass
class ParsedPage:
    listings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per malformed item, or one for an unreadable page
    next: str = ""  # the next page's absolute URL (next_link) or the next cursor (cursor); "" at the end


def _text(body: bytes | str) -> str:
    return body if isinstance(body, str) else body.decode("utf-8", errors="replace")


def _document(spec: PageSpec, text: str) -> Any:
    if spec.format == "html":
        return Selector(text=text or "<html/>")
    if spec.format == "embedded":
        try:
            value = extract_embedded(text, spec.embedded)
        except RecursionError:
            raise bounded_json.JsonTooDeep() from None
        bounded_json.check_depth(value)
        return value
    if spec.format == "json":
        return bounded_json.loads(text)
    if spec.format == "jsonl":
        # one bad line of a feed is one error: the listings after it are still read
        rows: list[Any] = []
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(bounded_json.loads(line))
                except bounded_json.JsonTooDeep as exc:
                    rows.append(ValueError(f"line {n}: {exc}"))
                except json.JSONDecodeError as exc:
                    rows.append(ValueError(f"line {n}: not JSON: {exc.msg}"))
        return rows
    return list(csv.DictReader(io.StringIO(text)))


def _items(spec: PageSpec, doc: Any) -> list[Any]:
    if spec.items is None:
        return doc if spec.format in ("jsonl", "csv") else [doc]
    if spec.items.source == "css":
        return list(doc.css(spec.items.expr))
    if spec.items.source == "xpath":
        return list(doc.xpath(spec.items.expr))
    found = jmespath.search(spec.items.expr, doc)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def item_to_dict(profile: Profile, spec: PageSpec, node: Any, url: str) -> dict[str, Any]:
    """Apply every field rule of `spec` to one item; keys follow the Listing JSON shape (only what was found)."""
    values = {name: apply_rule(rule, node, url) for name, rule in spec.fields.items()}
    out: dict[str, Any] = {}
    for key in ("id", "title", "description", "category", "ships_from", "location"):
        if values.get(key):
            out[key] = values[key]
    if values.get("url"):
        out["url"] = urljoin(url, str(values["url"]))
    if "price" in values:
        amount, symbol_currency = parse_price(values["price"])
        if amount is not None:
            out["price"] = amount
            out["currency"] = symbol_currency or profile.currency
    if values.get("currency"):
        out["currency"] = str(values["currency"]).upper()
    if values.get("sales") is not None:
        sales = parse_int(values["sales"])
        if sales is not None:
            out["sales"] = sales
    images = values.get("images")
    if images:
        listed = images if isinstance(images, list) else [images]
        out["images"] = [urljoin(url, str(i)) for i in listed]
    seller = {k: str(values[f"seller_{k}"]) for k in ("id", "name", "url") if values.get(f"seller_{k}")}
    if seller:
        if "url" in seller:
            seller["url"] = urljoin(url, seller["url"])
        out["seller"] = seller
    return out


def parse_page(profile: Profile, body: bytes | str, url: str, *, kind: str = "search") -> ParsedPage:
    """Every item on a page as a Listing-shaped dict (platform set, url defaulted), plus the next page or cursor."""
    spec = profile.search if kind == "search" else profile.detail.page if profile.detail else profile.search
    result = ParsedPage()
    try:
        doc = _document(spec, _text(body))
    except (ValueError, EmbeddedJsonError, csv.Error) as exc:
        result.errors.append(f"{url}: unreadable {spec.format} page: {str(exc)[:200]}")
        return result
    for n, node in enumerate(_items(spec, doc), 1):
        if isinstance(node, Exception):
            result.errors.append(f"{url}: {node}")
            continue
        try:
            item = item_to_dict(profile, spec, node, url)
        except (jmespath.exceptions.JMESPathError, TypeError, ValueError) as exc:
            result.errors.append(f"{url}: item {n}: {exc}")
            continue
        if kind == "search" and not item.get("id"):
            result.errors.append(f"{url}: item {n}: id: not found")
            continue
        item["platform"] = profile.platform
        item.setdefault("url", url)
        result.listings.append(item)
    if kind == "search":
        result.next = _next(profile, doc, url)
    return result


def _next(profile: Profile, doc: Any, url: str) -> str:
    rule = profile.pagination.next
    if rule is None or profile.pagination.type not in ("next_link", "cursor"):
        return ""
    value = apply_rule(rule, doc, url)
    if value in (None, "", []) or isinstance(value, list):
        return ""
    if profile.pagination.type == "cursor":
        return str(value)
    target = urljoin(url, str(value))
    # A next link is followed only when it is another page of the same search: same host, same path.
    search = urlsplit(profile.absolute(profile.search_url.split("?")[0].replace("{keyword}", "")))
    parts = urlsplit(target)
    return target if parts.netloc in profile.hosts and parts.path == search.path else ""


def detail_url(profile: Profile, listing: dict[str, Any]) -> str:
    """The detail page to fetch for a listing, or "" when the profile has none or the URL is not allowed."""
    detail = profile.detail
    if detail is None:
        return ""
    if detail.url:
        return profile.absolute(detail.url.replace("{id}", quote(str(listing.get("id", "")), safe="")))
    return listing_url_allowed(profile, str(listing.get("url", "")))


def listing_url_allowed(profile: Profile, url: str) -> str:
    """`url` when it is on the profile's hosts and matches a `detail.follow` pattern, else "" (never fetched)."""
    if not url or profile.detail is None:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc not in profile.hosts:
        return ""
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return url if any(re.search(p, target) for p in profile.detail.follow) else ""


def merge(search_item: dict[str, Any], detail_item: dict[str, Any]) -> dict[str, Any]:
    """A search result completed by its detail page: the detail page's non-empty values win."""
    merged = dict(search_item)
    for key, value in detail_item.items():
        if value not in (None, "", [], {}) and not (key == "url" and "url" in search_item):
            merged[key] = value
    return merged


def listings_from(profile: Profile, body: bytes | str, url: str, *, kind: str = "search") -> list[Listing]:
    """`parse_page` followed by Listing validation, dropping items that fail it; for tests and one-off imports."""
    out = []
    for item in parse_page(profile, body, url, kind=kind).listings:
        try:
            out.append(Listing.from_dict(item))
        except ListingError:
            continue
    return out
