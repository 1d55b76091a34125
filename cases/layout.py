"""Geometry of an actor's network for a server-rendered SVG: shops on an outer ring, identifiers on an inner ring
next to the shops that show them, support (similar names) as dashed chords. Plain shapes only: the template draws
them with autoescaped labels and presentation attributes, no script and no style attribute (the UI's CSP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cases.actors import StoredActor

COLORS = {"shop": "#2f6db5", "phone": "#b83a4b", "wechat": "#3a9e5c", "qq": "#4a9aa8", "email": "#7b5ea7",
          "uscc": "#a67c2d", "address": "#d9822b", "payment": "#6b6b6b", "image": "#c2185b",
          "shipper": "#000000"}  # fmt: skip
MAX_SHOPS, MAX_IDENTIFIERS = 60, 60


@dataclass(frozen=True)
class Node:
    key: str
    x: float
    y: float
    kind: str  # shop, or the identifier's kind
    label: str
    color: str


@dataclass(frozen=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    dashed: bool = False


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False


def _short(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def network_graph(actor: StoredActor, size: int = 640) -> Graph:
    """Positions for the shops, identifiers, links and support of `actor` (at most 60 of each, else truncated)."""
    shops = list(actor.shops[:MAX_SHOPS])
    idents = sorted({link.ident for link in actor.links})
    graph = Graph(size, size, truncated=len(actor.shops) > MAX_SHOPS or len(idents) > MAX_IDENTIFIERS)
    centre, outer, inner = size / 2, size / 2 - 90, size / 2 - 210
    angle = {s.key: 2 * math.pi * i / max(1, len(shops)) - math.pi / 2 for i, s in enumerate(shops)}
    at: dict[str, tuple[float, float]] = {}
    for shop in shops:
        a = angle[shop.key]
        at[shop.key] = (centre + outer * math.cos(a), centre + outer * math.sin(a))
        graph.nodes.append(Node(shop.key, *at[shop.key], "shop", _short(shop.name or shop.key), COLORS["shop"]))
    members: dict[str, list[str]] = {}
    for link in actor.links:
        if link.shop in angle:
            members.setdefault(link.ident, []).append(link.shop)

    def mean_angle(ident: str) -> float:
        xs = sum(math.cos(angle[s]) for s in members[ident])
        ys = sum(math.sin(angle[s]) for s in members[ident])
        return math.atan2(ys, xs)

    placed = sorted((i for i in idents if i in members), key=mean_angle)[:MAX_IDENTIFIERS]
    for n, ident in enumerate(placed):
        a = 2 * math.pi * n / max(1, len(placed)) + (mean_angle(placed[0]) if placed else 0.0)
        radius = inner if len(placed) > 1 else 0.0
        at[ident] = (centre + radius * math.cos(a), centre + radius * math.sin(a))
        kind, _, value = ident.partition(":")
        color = COLORS.get(kind, "#444444")
        graph.nodes.append(Node(ident, *at[ident], kind, _short(value, 22), color))
        for shop_key in members[ident]:
            graph.edges.append(Edge(*at[shop_key], *at[ident], color))
    for sup in actor.support:
        if sup.a in at and sup.b in at:
            graph.edges.append(Edge(*at[sup.a], *at[sup.b], "#999999", dashed=True))
    return graph
