"""Stored actor networks: a build replaces them whole; the UI and the CLI read actors, their shops, leads, links
(with evidence) and support, and what one reader may see of them (`StoredActor.seen_by`)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cases.db import CasesDB
from cases.network import PARCEL_KINDS, Link, Network, Shop, Support
from cases.sources import CaptureLookup, LeadRef, with_captures
from netsword.models import utc_now


@dataclass(frozen=True)
class ActorSummary:
    actor_id: str
    label: str
    shops: int
    leads: int
    identifiers: int
    platforms: tuple[str, ...]
    kinds: tuple[str, ...]
    via_parcels: bool
    support: int


@dataclass(frozen=True)
class StoredActor:
    summary: ActorSummary
    shops: tuple[Shop, ...]
    leads: Mapping[str, tuple[LeadRef, ...]]  # shop key → its leads
    links: tuple[Link, ...]
    support: tuple[Support, ...] = ()
    hidden: int = field(default=0)  # shops left out for the reader (seen_by)

    @property
    def actor_id(self) -> str:
        return self.summary.actor_id

    def lead_ids(self) -> list[str]:
        return [ref.lead_id for refs in self.leads.values() for ref in refs]

    def seen_by(self, may_see: Callable[[LeadRef], bool], parcels: bool) -> StoredActor | None:
        """What a reader may see: shops with a lead in their scope, links they may see (parcel links only with
        `parcels`), evidence from their leads only, and only shops still linked to another visible shop through
        visible links, so nothing shows a link that only hidden data makes. None when fewer than two shops remain.
        """
        leads = {s: tuple(r for r in refs if may_see(r)) for s, refs in self.leads.items()}
        visible = {s for s, refs in leads.items() if refs}
        allowed = {r.lead_id for refs in leads.values() for r in refs}
        links = []
        for link in self.links:
            if link.shop not in visible or (link.via_parcels and not parcels):
                continue
            evidence = tuple(e for e in link.evidence if "lead_id" not in e or e["lead_id"] in allowed)
            if evidence or link.via_parcels:
                links.append(replace(link, evidence=evidence))
        by_ident: dict[str, set[str]] = defaultdict(set)
        for link in links:
            by_ident[link.ident].add(link.shop)
        shared = {i for i, shops in by_ident.items() if len(shops) > 1}
        links = [lk for lk in links if lk.ident in shared]
        linked = {lk.shop for lk in links}
        if len(linked) < 2:
            return None
        shops = tuple(s for s in self.shops if s.key in linked)
        support = tuple(s for s in self.support if s.a in linked and s.b in linked)
        summary = replace(self.summary, shops=len(shops), leads=sum(len(leads[s.key]) for s in shops),
                          identifiers=len(shared), via_parcels=any(lk.via_parcels for lk in links),
                          platforms=tuple(sorted({s.platform for s in shops})),
                          kinds=tuple(sorted({lk.kind for lk in links})), support=len(support))  # fmt: skip
        return StoredActor(summary, shops, {s.key: leads[s.key] for s in shops}, tuple(links), support,
                           hidden=len(self.shops) - len(shops))  # fmt: skip


def _summary_of(row: Any) -> ActorSummary:
    return ActorSummary(
        actor_id=row["actor_id"], label=row["label"], shops=row["shops"], leads=row["leads"],
        identifiers=row["identifiers"], platforms=tuple(json.loads(row["platforms"])),
        kinds=tuple(json.loads(row["kinds"])), via_parcels=bool(row["via_parcels"]), support=row["support"],
    )  # fmt: skip


class ActorStore:
    """Actor networks in cases.db."""

    def __init__(self, db: CasesDB) -> None:
        self.db = db

    def replace_network(self, network: Network, leads: Mapping[str, list[LeadRef]],
                        captures: CaptureLookup | None = None) -> dict[str, int]:  # fmt: skip
        """Store a build in place of the last one (one transaction); returns its counts."""
        rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for actor in network.actors:
            shop_leads = {s: leads.get(s, []) for s in actor.shops}
            biggest = max(actor.shops, key=lambda s: (len(shop_leads[s]), s))
            shop = network.shops.get(biggest)
            label = (shop.name if shop and shop.name else biggest)[:200]
            kinds = sorted({lk.kind for lk in actor.links})
            platforms = sorted({network.shops[s].platform for s in actor.shops if s in network.shops})
            rows["actors"].append((actor.actor_id, label, len(actor.shops), sum(map(len, shop_leads.values())),
                                   len(actor.identifiers), json.dumps(platforms), json.dumps(kinds),
                                   int(bool(PARCEL_KINDS & set(kinds))), len(actor.support)))  # fmt: skip
            for key in actor.shops:
                s = network.shops.get(key) or Shop(key, key.partition(":")[0], "", "")
                rows["actor_shops"].append((actor.actor_id, key, s.platform, s.seller_id, s.name))
                for ref in shop_leads[key]:
                    rows["actor_leads"].append((actor.actor_id, key, ref.lead_id, ref.owner, ref.entry_id))
            for link in actor.links:
                evidence = [with_captures(e, captures) for e in link.evidence]
                rows["actor_links"].append((actor.actor_id, link.shop, link.ident, link.kind,
                                            json.dumps(evidence, ensure_ascii=False, sort_keys=True)))  # fmt: skip
            for sup in actor.support:
                rows["actor_support"].append((actor.actor_id, sup.a, sup.b, sup.kind, sup.score))
        rows["network_hubs"] = [(ident, ident.partition(":")[0], n) for ident, n in network.hubs.items()]
        counts = {"shops": len(network.shops), "actors": len(network.actors), "hubs": len(network.hubs),
                  "linked_shops": sum(len(a.shops) for a in network.actors)}  # fmt: skip
        statements = {
            "actors": "INSERT OR IGNORE INTO actors VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            "actor_shops": "INSERT OR IGNORE INTO actor_shops VALUES (?, ?, ?, ?, ?)",
            "actor_leads": "INSERT OR IGNORE INTO actor_leads VALUES (?, ?, ?, ?, ?)",
            "actor_links": "INSERT OR IGNORE INTO actor_links VALUES (?, ?, ?, ?, ?)",
            "actor_support": "INSERT INTO actor_support VALUES (?, ?, ?, ?, ?)",
            "network_hubs": "INSERT OR IGNORE INTO network_hubs VALUES (?, ?, ?)",
        }
        settings = {"hub_shops": network.settings.hub_shops, "similar_name": network.settings.similar_name}
        with self.db.transaction() as conn:
            for table in ("actor_support", "actor_links", "actor_leads", "actor_shops", "actors", "network_hubs"):
                conn.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            for table, sql in statements.items():
                conn.executemany(sql, rows[table])
            conn.execute("INSERT INTO network_builds(built_at, settings, counts) VALUES (?, ?, ?)",
                         (utc_now(), json.dumps(settings), json.dumps(counts)))  # fmt: skip
        return counts

    def last_build(self) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM network_builds ORDER BY build_id DESC LIMIT 1")
        if not rows:
            return None
        row = rows[0]
        return {"built_at": row["built_at"], "settings": json.loads(row["settings"]), **json.loads(row["counts"])}

    def ranked(self, *, limit: int = 100, offset: int = 0) -> list[ActorSummary]:
        rows = self.db.query("SELECT * FROM actors ORDER BY shops DESC, leads DESC, actor_id LIMIT ? OFFSET ?",
                             (limit, offset))  # fmt: skip
        return [_summary_of(r) for r in rows]

    def count(self) -> int:
        return int(self.db.query("SELECT count(*) FROM actors")[0][0])

    def get(self, actor_id: str) -> StoredActor | None:
        rows = self.db.query("SELECT * FROM actors WHERE actor_id = ?", (actor_id,))
        if not rows:
            return None
        shops = tuple(Shop(r["shop_key"], r["platform"], r["seller_id"], r["name"]) for r in self.db.query(
            "SELECT * FROM actor_shops WHERE actor_id = ? ORDER BY shop_key", (actor_id,)))  # fmt: skip
        leads: dict[str, list[LeadRef]] = {s.key: [] for s in shops}
        for r in self.db.query("SELECT * FROM actor_leads WHERE actor_id = ? ORDER BY lead_id", (actor_id,)):
            leads.setdefault(r["shop_key"], []).append(LeadRef(r["lead_id"], r["owner"], r["entry_id"]))
        links = tuple(Link(r["shop_key"], r["ident"], tuple(json.loads(r["evidence"]))) for r in self.db.query(
            "SELECT * FROM actor_links WHERE actor_id = ? ORDER BY ident, shop_key", (actor_id,)))  # fmt: skip
        support = tuple(Support(r["a"], r["b"], r["kind"], r["score"]) for r in self.db.query(
            "SELECT * FROM actor_support WHERE actor_id = ? ORDER BY a, b", (actor_id,)))  # fmt: skip
        return StoredActor(_summary_of(rows[0]), shops, {k: tuple(v) for k, v in leads.items()}, links, support)

    def actors_of_leads(self, lead_ids: list[str]) -> dict[str, str]:
        """lead id → actor id, for the leads among `lead_ids` whose shop is in an actor."""
        out: dict[str, str] = {}
        for start in range(0, len(lead_ids), 500):
            chunk = lead_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT lead_id, actor_id FROM actor_leads WHERE lead_id IN ({marks})"  # noqa: S608 - placeholders
            out.update({r["lead_id"]: r["actor_id"] for r in self.db.query(sql, tuple(chunk))})
        return out

    def hubs(self, limit: int = 50) -> list[tuple[str, int]]:
        rows = self.db.query("SELECT ident, shops FROM network_hubs ORDER BY shops DESC, ident LIMIT ?", (limit,))
        return [(r["ident"], r["shops"]) for r in rows]
