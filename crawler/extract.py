"""Turn one page's body into Listing dicts by a profile's rules. No network, no Scrapy: parser tests call this directly.

`parse_page(profile, body, url)` reads a search page; `parse_page(..., kind="detail")` a detail page. A body given
as bytes is decoded as browsers and Scrapy decode it (crawler.decoding: BOM, `content_type`'s charset, `<meta>`,
detection), or with the profile's `encoding`; text is used as it is.
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

from crawler.decoding import decode_body
from crawler.embedded import EmbeddedJsonError, extract_embedded
from crawler.fields import apply_rule, clean_text, parse_price, parse_quantity
from crawler.profile import CONTACT_FIELDS, FieldRule, PageSpec, ParamsRule, Profile
from crawler.structured import main_product, structured_data
from netsword import bounded_json
from netsword.models import Listing, ListingError


@dataclass
class ParsedPage:
    listings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line per malformed item, or one for an unreadable page
    next: str = ""  # the next page's absolute URL (next_link) or the next cursor (cursor); "" at the end
    encoding: str = ""  # how a bytes body was decoded ("" when text was given)
    read: int = 0  # items read (before the ones without an id are dropped)
    empty: dict[str, int] = field(default_factory=dict)  # field → items on which its rule found nothing usable

    def mostly_empty(self) -> list[str]:
        """Fields empty on more than half of this page's items: a selector that no longer fits the page."""
        return sorted(name for name, count in self.empty.items() if self.read and count * 2 > self.read)


def page_text(profile: Profile, body: bytes | str, content_type: str = "") -> tuple[str, str]:
    """(text, encoding) of a page: bytes decoded by crawler.decoding with the profile's override; text unchanged."""
    if isinstance(body, str):
        return body, ""
    return decode_body(body, content_type, profile.encoding)


def _document(spec: PageSpec, text: str) -> Any:
    if spec.format == "html":
        return Selector(text=text or "<html/>")
    if spec.format == "jsonld":
        return structured_data(Selector(text=text or "<html/>"))
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
        if spec.format == "jsonld":
            return [main_product(doc)]
        return doc if spec.format in ("jsonl", "csv") else [doc]
    if spec.items.source == "css":
        return list(doc.css(spec.items.expr))
    if spec.items.source == "xpath":
        return list(doc.xpath(spec.items.expr))
    found = jmespath.search(spec.items.expr, doc)
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


MAX_ALTS = 100  # alt texts kept per listing
MAX_PARAMS = 200  # parameter rows kept per listing
MAX_PARAM_VALUE = 2000
_OUTPUT_KEY = {"seller_id": "seller", "seller_name": "seller", "seller_url": "seller"}


def _read_item(profile: Profile, spec: PageSpec, node: Any, url: str, product: Any) -> tuple[dict[str, Any], list[str]]:
    """The item's Listing-shaped dict and the names of the fields whose rule found nothing usable."""
    values = {name: apply_rule(rule, node, url, product) for name, rule in spec.fields.items()}
    out: dict[str, Any] = {}
    for key in ("id", "title", "description", "category", "ships_from", "location", *CONTACT_FIELDS):
        if values.get(key):
            out[key] = values[key]
    if values.get("url"):
        out["url"] = _joined(spec, "url", url, values["url"])
    if "price" in values:
        amount, symbol_currency = parse_price(values["price"])
        if amount is not None:
            out["price"] = amount
            out["currency"] = symbol_currency or profile.currency
    if values.get("currency"):
        out["currency"] = str(values["currency"]).upper()
    for key in ("sales", "stock"):  # stock is kept in the listing's extra
        if values.get(key) is not None:
            count = parse_quantity(values[key])
            if count is not None:
                out[key] = count
    alts = values.get("image_alts")
    if alts:  # images' alt text (a licence number shown only in a picture), bounded
        out["image_alts"] = [str(a) for a in (alts if isinstance(alts, list) else [alts])][:MAX_ALTS]
    if spec.params is not None:
        params = read_params(spec.params, node, url)
        if params:
            out["params"] = params
    images = values.get("images")
    if images:
        listed = images if isinstance(images, list) else [images]
        out["images"] = [_joined(spec, "images", url, i) for i in listed]
    seller = {k: str(values[f"seller_{k}"]) for k in ("id", "name", "url") if values.get(f"seller_{k}")}
    if seller:
        if "url" in seller:
            seller["url"] = _joined(spec, "seller_url", url, seller["url"])
        out["seller"] = seller
    empty = [
        name
        for name, rule in spec.fields.items()
        if rule.source != "const"
        and values.get(name) in (None, "", [])
        or (name in ("price", "sales", "stock") and name not in out)
    ]
    return out, empty


def _joined(spec: PageSpec, name: str, url: str, value: Any) -> str:
    """`value` made absolute against the page's URL; a rule marked `absolute` has done that already (urljoin gives
    the same URL again, at a cost: it was a tenth of reading a search page)."""
    rule = spec.fields.get(name)
    return str(value) if rule is not None and rule.absolute else urljoin(url, str(value))


def _select(rule: FieldRule, node: Any) -> list[Any]:
    """The nodes (HTML) or values (JSON) a rule's expression selects within `node`."""
    if rule.source == "css":
        return list(node.css(rule.expr)) if isinstance(node, Selector) else []
    if rule.source == "xpath":
        return list(node.xpath(rule.expr)) if isinstance(node, Selector) else []
    if rule.source == "json":
        found = jmespath.search(rule.expr, node)
        return [] if found is None else found if isinstance(found, list) else [found]
    return []


def read_params(rule: ParamsRule, node: Any, url: str) -> dict[str, str]:
    """An item's parameter table as {name: value} (first value of a repeated name kept; bounded in rows and size):
    each row's `key` and `value`, or, with `rows` only, the JSON object(s) the rows select."""
    out: dict[str, str] = {}

    def add(name: Any, value: Any) -> None:
        name, value = clean_text(name, limit=200), clean_text(value, limit=MAX_PARAM_VALUE)
        if name and value and name not in out and len(out) < MAX_PARAMS:
            out[name] = value

    for row in _select(rule.rows, node)[: MAX_PARAMS * 2]:
        if rule.key is not None and rule.value is not None:
            name, value = apply_rule(rule.key, row, url), apply_rule(rule.value, row, url)
            add(name if isinstance(name, str) else "", value if isinstance(value, (str, int, float)) else "")
        elif isinstance(row, dict):
            if isinstance(row.get("value"), (str, int, float)) and any(k in row for k in ("name", "key", "label")):
                add(row.get("name", row.get("key", row.get("label"))), row["value"])
            else:
                for name, value in row.items():
                    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                        add(name, value)
    return out


def _page_product(spec: PageSpec, doc: Any) -> Any:
    """The page's schema.org Product when an HTML page's rules read it (`jsonld:`), else None."""
    rules: list[FieldRule] = list(spec.fields.values())
    if spec.format != "html" or not any(rule.source == "jsonld" for rule in rules):
        return None
    return main_product(structured_data(doc))


def parse_page(
    profile: Profile, body: bytes | str, url: str, *, kind: str = "search", content_type: str = ""
) -> ParsedPage:
    """Every item on a page as a Listing-shaped dict (platform set, url defaulted), plus the next page or cursor.
    `content_type` is the response's Content-Type header, for decoding a bytes body."""
    spec = profile.search if kind == "search" else profile.detail.page if profile.detail else profile.search
    result = ParsedPage()
    text, result.encoding = page_text(profile, body, content_type)
    try:
        doc = _document(spec, text)
        product = _page_product(spec, doc)
    except (ValueError, EmbeddedJsonError, csv.Error) as exc:
        result.errors.append(f"{url}: unreadable {spec.format} page: {str(exc)[:200]}")
        return result
    for n, node in enumerate(_items(spec, doc), 1):
        if isinstance(node, Exception):
            result.errors.append(f"{url}: {node}")
            continue
        try:
            item, empty = _read_item(profile, spec, node, url, product)
        except (jmespath.exceptions.JMESPathError, TypeError, ValueError) as exc:
            result.errors.append(f"{url}: item {n}: {exc}")
            continue
        result.read += 1
        for name in empty:
            result.empty[name] = result.empty.get(name, 0) + 1
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
    """`url` when it is on the profile's hosts and its path matches a `detail.follow` pattern, else "" (never
    fetched). With `detail.follow_query`, the patterns see the path and the query ("/item?id=7")."""
    return url if url and profile.detail is not None and not refusal(profile, url) else ""


def refusal(profile: Profile, url: str) -> str:
    """Why a listing URL is not followed to its detail page ("" when it is), for the refused-URL log."""
    if profile.detail is None or not profile.detail.follow:
        return "the profile follows no listing URLs"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"not http(s): {parts.scheme or 'no scheme'}"
    if parts.netloc not in profile.hosts:
        return f"host {parts.netloc} is not among {', '.join(profile.hosts)}"
    target = parts.path + (f"?{parts.query}" if parts.query and profile.detail.follow_query else "")
    if not any(re.search(p, target) for p in profile.detail.follow):
        return f"{target} matches no detail.follow pattern"
    return ""


def merge(search_item: dict[str, Any], detail_item: dict[str, Any]) -> dict[str, Any]:
    """A search result completed by its detail page, field by field: the detail page's non-empty values win, and
    within a nested value (the seller: id, name, url …) only the keys the detail page carries replace the search
    page's, so a seller id read on the search page survives a detail page that names the seller only."""
    merged = dict(search_item)
    for key, value in detail_item.items():
        if _empty(value) or (key == "url" and "url" in search_item):
            continue
        current = merged.get(key)
        merged[key] = merge(current, value) if isinstance(current, dict) and isinstance(value, dict) else value
    return merged


@dataclass(frozen=True)
class PageBody:
    """A fetched page as it is read: its URL, its body (text when Chromium rendered it: read as rendered; else the
    bytes sent, decoded by `content_type` and the page itself) and its Content-Type header."""

    url: str
    body: bytes | str
    content_type: str = ""


def read_detail(profile: Profile, listing: dict[str, Any], page: PageBody) -> tuple[dict[str, Any], ParsedPage]:
    """The search result `listing` completed by its detail page (`merge`), and how the page read (errors, empty
    fields; its listings dropped). Where it runs (the spider, or the crawl's lead process) changes nothing of that."""
    parsed = parse_page(profile, page.body, page.url, kind="detail", content_type=page.content_type)
    detail = parsed.listings[0] if parsed.listings else {}
    parsed.listings = []
    return merge(listing, detail), parsed


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def listings_from(
    profile: Profile, body: bytes | str, url: str, *, kind: str = "search", content_type: str = ""
) -> list[Listing]:
    """`parse_page` followed by Listing validation, dropping items that fail it; for tests and one-off imports."""
    out = []
    for item in parse_page(profile, body, url, kind=kind, content_type=content_type).listings:
        try:
            out.append(Listing.from_dict(item))
        except ListingError:
            continue
    return out
