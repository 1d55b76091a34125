"""Actor networks: shops linked into one actor by the hard identifiers they show, as connected components.

The graph is bipartite, shop — identifier, and every edge keeps its evidence (which lead, listing, field and capture
showed the identifier). An identifier joins the shops it was seen in (union-find), except:
- a hub, seen in more than `hub_shops` shops: a platform's service number, a courier's depot, a template text
  copied everywhere; it is listed as a hub and links nobody (listings without a seller, each its own shop, do not
  count toward the threshold: many of them showing one phone are one ring, not many shops);
- a kind that never links (`cases.identifiers.LINKING_KINDS`: 400/800 service numbers).
Soft signals (similar shop names) never join shops; within an actor they are kept as support for its links.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from cases.identifiers import LINKING_KINDS
from cases.images import MAX_DISTANCE as IMAGE_DISTANCE
from cases.images import near_duplicate_groups

HUB_SHOPS = 20  # an identifier seen in more shops than this is a hub (see the module docstring)
SIMILAR_NAME = 85.0  # rapidfuzz ratio of normalised shop names counted as support
MAX_EVIDENCE = 5  # sightings kept per shop and identifier (the newest first, when the caller orders them so)
SUPPORT_MAX_SHOPS = 300  # names are compared pairwise only in actors up to this size


@dataclass(frozen=True)
class Shop:
    """A seller on one platform (by its seller id, else its name); a listing without a seller is its own shop."""

    key: str
    platform: str
    seller_id: str
    name: str


@dataclass(frozen=True)
class Sighting:
    """A shop showed an identifier; `evidence` says where (lead_id, listing_id, url, field, capture …)."""

    shop: str
    ident: str  # "kind:value"
    evidence: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return self.ident.partition(":")[0]


PARCEL_KINDS = frozenset({"shipper"})


@dataclass(frozen=True)
class Link:
    """One edge of an actor's graph: a shop and an identifier it shares with another shop of the actor."""

    shop: str
    ident: str
    evidence: tuple[Mapping[str, Any], ...]

    @property
    def kind(self) -> str:
        return self.ident.partition(":")[0]

    @property
    def value(self) -> str:
        return self.ident.partition(":")[2]

    @property
    def via_parcels(self) -> bool:
        """A link through the parcel channel (a resolved shipper): shown only to roles that may see parcels."""
        return self.kind in PARCEL_KINDS


@dataclass(frozen=True)
class Support:
    """A soft signal between two shops of one actor (never a link by itself)."""

    a: str
    b: str
    kind: str
    score: float


@dataclass(frozen=True)
class Actor:
    actor_id: str
    shops: tuple[str, ...]
    links: tuple[Link, ...]
    support: tuple[Support, ...] = ()

    @property
    def identifiers(self) -> tuple[str, ...]:
        return tuple(sorted({link.ident for link in self.links}))


@dataclass
class NetworkSettings:
    hub_shops: int = HUB_SHOPS
    similar_name: float = SIMILAR_NAME
    max_evidence: int = MAX_EVIDENCE
    image_distance: int = IMAGE_DISTANCE


@dataclass
class Network:
    shops: dict[str, Shop]
    actors: list[Actor]
    hubs: dict[str, int] = field(default_factory=dict)  # identifier → number of shops it was seen in
    settings: NetworkSettings = field(default_factory=NetworkSettings)

    def actor_of(self) -> dict[str, str]:
        """shop key → actor id, for the shops in an actor."""
        return {shop: actor.actor_id for actor in self.actors for shop in actor.shops}


def actor_id_of(shops: Iterable[str]) -> str:
    """A stable id: the same smallest shop key gives the same id after a rebuild."""
    return "ac-" + hashlib.sha256(min(shops).encode("utf-8")).hexdigest()[:12]


def normalize_shop_name(name: str) -> str:
    """Shop names compared for support: NFKC, case folded, without spaces, punctuation and the word 店/shop."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = "".join(ch for ch in text if ch.isalnum())
    for noise in ("旗舰店", "专营店", "专卖店", "官方", "店铺", "小店", "shop", "store", "店"):
        text = text.replace(noise, "")
    return text


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def root(self, item: str) -> str:
        parent = self.parent
        parent.setdefault(item, item)
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: str, b: str) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def build_network(shops: Mapping[str, Shop], sightings: Iterable[Sighting],
                  settings: NetworkSettings | None = None) -> Network:  # fmt: skip
    """Components of two or more shops joined by shared non-hub identifiers, each with its links and support."""
    settings = settings or NetworkSettings()
    sightings = _same_images(list(sightings), settings.image_distance)
    ident_shops: dict[str, set[str]] = defaultdict(set)
    evidence: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for sighting in sightings:
        ident_shops[sighting.ident].add(sighting.shop)
        kept = evidence[(sighting.shop, sighting.ident)]
        if len(kept) < settings.max_evidence:
            kept.append(sighting.evidence)
    hubs: dict[str, int] = {}
    linking: dict[str, set[str]] = {}
    uf = _UnionFind()
    for ident, members in ident_shops.items():
        if len(members) < 2 or ident.partition(":")[0] not in LINKING_KINDS:
            continue
        # A listing without a seller is its own shop, but many of them showing one number are one ring's
        # anonymous listings, not many shops: only shops with a seller count toward the hub threshold.
        counted = sum(1 for key in members if key not in shops or shops[key].seller_id or shops[key].name)
        if counted > settings.hub_shops:
            hubs[ident] = counted
            continue
        linking[ident] = members
        first, *rest = members
        for other in rest:
            uf.union(first, other)
    components: dict[str, list[str]] = defaultdict(list)
    for shop in uf.parent:
        components[uf.root(shop)].append(shop)
    links_of: dict[str, list[Link]] = defaultdict(list)
    for ident, members in linking.items():
        root = uf.root(next(iter(members)))
        for shop in sorted(members):
            links_of[root].append(Link(shop, ident, tuple(evidence[(shop, ident)])))
    actors = []
    for root, component in components.items():
        component.sort()
        support = _name_support(component, shops, settings.similar_name)
        links = tuple(sorted(links_of[root], key=lambda lk: (lk.ident, lk.shop)))
        actors.append(Actor(actor_id_of(component), tuple(component), links, support))
    actors.sort(key=lambda a: (-len(a.shops), a.actor_id))
    return Network(shops=dict(shops), actors=actors, hubs=hubs, settings=settings)


def _same_images(sightings: list[Sighting], max_distance: int) -> list[Sighting]:
    """Image sightings under their group's hash (cases.images), each keeping the hash it showed in its evidence."""
    hashes = [s.ident[6:] for s in sightings if s.ident.startswith("image:")]
    if not hashes:
        return sightings
    group = near_duplicate_groups(hashes, max_distance)
    out = []
    for s in sightings:
        if s.ident.startswith("image:") and group.get(s.ident[6:], s.ident[6:]) != s.ident[6:]:
            s = Sighting(s.shop, "image:" + group[s.ident[6:]], {**s.evidence, "phash": s.ident[6:]})
        out.append(s)
    return out


def _name_support(members: list[str], shops: Mapping[str, Shop], threshold: float) -> tuple[Support, ...]:
    if len(members) > SUPPORT_MAX_SHOPS:
        return ()
    names = [(key, normalize_shop_name(shops[key].name) if key in shops else "") for key in members]
    out = []
    for i, (a, name_a) in enumerate(names):
        if not name_a:
            continue
        for b, name_b in names[i + 1 :]:
            if name_b:
                score = fuzz.ratio(name_a, name_b)
                if score >= threshold:
                    out.append(Support(a, b, "similar_name", round(score, 1)))
    return tuple(out)


def pairwise_scores(predicted: Mapping[str, str], truth: Mapping[str, str]) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of a clustering (item → cluster id) against the truth (item → true id).

    Items missing from `predicted` are singletons. Returns (precision, recall, true pairs found, pairs predicted,
    true pairs); precision is 1.0 when nothing was predicted, recall 1.0 when there is nothing to find.
    """

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    items = list(truth)
    pred = {item: predicted.get(item, "single:" + item) for item in items}
    both: dict[tuple[str, str], int] = defaultdict(int)
    by_pred: dict[str, int] = defaultdict(int)
    by_true: dict[str, int] = defaultdict(int)
    for item in items:
        both[(pred[item], truth[item])] += 1
        by_pred[pred[item]] += 1
        by_true[truth[item]] += 1
    found, predicted_pairs, true_pairs = pairs(both.values()), pairs(by_pred.values()), pairs(by_true.values())
    precision = found / predicted_pairs if predicted_pairs else 1.0
    recall = found / true_pairs if true_pairs else 1.0
    return precision, recall, found, predicted_pairs, true_pairs
