"""A page's schema.org data as plain JSON: JSON-LD scripts and microdata, for `format: jsonld` and `jsonld:` fields.

`structured_data(selector)` gives `{"products": [...], "nodes": [...]}`: `nodes` every top-level JSON-LD node
(`@graph` entries included) and microdata item; `products` the Product nodes among them and inside ItemLists
(`itemListElement[].item`), in page order, JSON-LD first. Microdata items take the JSON-LD shape (`@type`, properties
by name, nested items as objects), so `offers.price` and `brand.name` read both. A script that is not JSON is
skipped; JSON is bounded in depth like every JSON NetSword reads.
"""

from __future__ import annotations

import json
from typing import Any

from parsel import Selector

from netsword import bounded_json

_PRODUCT_TYPES = {"product", "productgroup", "individualproduct", "productmodel", "vehicle", "car"}
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "img": "src", "audio": "src", "video": "src",
              "source": "src", "iframe": "src", "embed": "src", "object": "data"}  # fmt: skip


def _types(node: dict[str, Any]) -> set[str]:
    kinds = node.get("@type")
    listed = kinds if isinstance(kinds, list) else [kinds]
    return {str(k).rsplit("/", 1)[-1].lower() for k in listed if k}


def _jsonld_nodes(page: Selector) -> list[Any]:
    nodes: list[Any] = []
    for script in page.xpath(
        '//script[contains(translate(@type, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"), "ld+json")]'
        "/text()"
    ).getall():
        try:
            data = bounded_json.loads(script.strip())
        except (ValueError, RecursionError):
            try:  # raw newlines and tabs inside strings are common in hand-written JSON-LD
                data = json.loads(script.strip(), strict=False)
                bounded_json.check_depth(data)
            except (ValueError, RecursionError):
                continue
        for node in data if isinstance(data, list) else [data]:
            if isinstance(node, dict) and isinstance(node.get("@graph"), list):
                nodes.extend(n for n in node["@graph"] if isinstance(n, dict))
            elif isinstance(node, dict):
                nodes.append(node)
    return nodes


def _microdata_value(element: Any) -> Any:
    if element.get("itemscope") is not None:
        return _microdata_item(element)
    if element.get("content") is not None:
        return element.get("content")
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if tag in _URL_ATTRS and element.get(_URL_ATTRS[tag]) is not None:
        return element.get(_URL_ATTRS[tag])
    if tag in ("data", "meter") and element.get("value") is not None:
        return element.get("value")
    if tag == "time" and element.get("datetime") is not None:
        return element.get("datetime")
    return " ".join("".join(element.itertext()).split())


def _properties(element: Any) -> list[Any]:
    """The elements carrying this item's itemprops: descendants not inside a nested item."""
    found = []
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.get("itemprop") is not None:
            found.append(child)
        if child.get("itemscope") is None:
            found.extend(_properties(child))
    return found


def _microdata_item(element: Any) -> dict[str, Any]:
    item: dict[str, Any] = {}
    if element.get("itemtype"):
        types = element.get("itemtype").split()
        item["@type"] = types[0].rsplit("/", 1)[-1] if len(types) == 1 else [t.rsplit("/", 1)[-1] for t in types]
    for prop in _properties(element):
        value = _microdata_value(prop)
        for name in prop.get("itemprop").split():
            if name in item:
                existing = item[name]
                item[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                item[name] = value
    return item


def _microdata_nodes(page: Selector) -> list[dict[str, Any]]:
    return [_microdata_item(s.root) for s in page.xpath("//*[@itemscope and not(@itemprop)]")]


def _products(nodes: list[Any]) -> list[dict[str, Any]]:
    products = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        kinds = _types(node)
        if kinds & _PRODUCT_TYPES:
            products.append(node)
        elif "itemlist" in kinds and isinstance(node.get("itemListElement"), list):
            for entry in node["itemListElement"]:
                inner = entry.get("item", entry) if isinstance(entry, dict) else None
                if isinstance(inner, dict) and _types(inner) & _PRODUCT_TYPES:
                    products.append(inner)
    return products


def structured_data(page: Selector) -> dict[str, list[Any]]:
    """The page's schema.org nodes and products (see the module docstring)."""
    nodes = [*_jsonld_nodes(page), *_microdata_nodes(page)]
    return {"products": _products(nodes), "nodes": nodes}


def main_product(data: dict[str, list[Any]]) -> dict[str, Any]:
    """The product a detail page is about: its first Product, else its first node with offers, else {}."""
    if data["products"]:
        return dict(data["products"][0])
    return next((n for n in data["nodes"] if isinstance(n, dict) and "offers" in n), {})
