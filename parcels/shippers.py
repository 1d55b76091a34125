"""Shipper resolution: link senders that are one party written differently, with blocking + rapidfuzz, explained.

Blocks: the keyed phone, the name's pinyin and the address's first characters after normalisation; blocks larger
than `parcels.max_block` are too common to say anything and are skipped. A pair is linked when the weighted
similarity of the fields both sides have (phone 0.45, name 0.30, address 0.25; at least two fields) reaches
`parcels.link_threshold`. Resolution decrypts personal data in memory only; links store scores, never values.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from parcels.db import ParcelDB
from parcels.normalize import address_prefix, name_pinyin, normalize_address, normalize_name
from parcels.pii import PiiVault

WEIGHTS = {"phone": 0.45, "name": 0.30, "address": 0.25}
ADDRESS_BLOCK_WIDTH = 8


@dataclass(frozen=True)
class Sender:
    key: str
    phone_key: str
    name: str
    pinyin: str
    address: str


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    score: float
    evidence: dict[str, object]

    def explain(self) -> str:
        return explain(self.evidence)


def explain(evidence: dict[str, object]) -> str:
    """'phone identical; name 100 (same pinyin); address 96 → 98.5' — what agreed and how strongly."""
    parts = []
    if "phone" in evidence:
        parts.append("phone identical after normalisation" if evidence["phone"] == 100 else "phone differs")
    if "name" in evidence:
        via = " (same pinyin, written differently)" if evidence.get("name_via") == "pinyin" else ""
        parts.append(f"name {evidence['name']}{via}")
    if "address" in evidence:
        parts.append(f"address {evidence['address']}")
    return "; ".join(parts) + f" → {evidence.get('score')}"


def compare(x: Sender, y: Sender) -> tuple[float, dict[str, object]]:
    """Weighted similarity 0–100 over the fields both senders have, and the per-field evidence."""
    evidence: dict[str, object] = {}
    agreement: dict[str, float] = {}
    if x.phone_key and y.phone_key:
        evidence["phone"] = 100 if x.phone_key == y.phone_key else 0
        agreement["phone"] = 100.0 if x.phone_key == y.phone_key else 0.0
    if x.name and y.name:
        written = fuzz.ratio(x.name, y.name)
        spoken = fuzz.ratio(x.pinyin, y.pinyin) if x.pinyin and y.pinyin else 0.0
        evidence["name"] = round(max(written, spoken))
        agreement["name"] = max(written, spoken)
        if spoken > written:
            evidence["name_via"] = "pinyin"
    if x.address and y.address:
        agreement["address"] = fuzz.ratio(x.address, y.address)
        evidence["address"] = round(agreement["address"])
    fields = [f for f in WEIGHTS if f in agreement]
    if len(fields) < 2:
        evidence["score"] = 0.0
        return 0.0, evidence
    total = sum(WEIGHTS[f] for f in fields)
    score = round(sum(WEIGHTS[f] * agreement[f] for f in fields) / total, 1)
    evidence["score"] = score
    return score, evidence


def load_senders(db: ParcelDB, vault: PiiVault) -> list[Sender]:
    """Every distinct sender, its personal data decrypted and normalised in memory."""
    with db.lock:
        rows = db.conn.execute("SELECT sender_key, sender_phone_key, pii FROM parcels GROUP BY sender_key").fetchall()
    senders = []
    for key, phone_key, blob in rows:
        pii = vault.decrypt(blob)
        senders.append(Sender(
            key=key, phone_key=phone_key, name=normalize_name(pii.get("sender_name", "")),
            pinyin=name_pinyin(pii.get("sender_name", "")),
            address=normalize_address(pii.get("sender_address", "")),
        ))  # fmt: skip
    return senders


def candidate_pairs(senders: list[Sender], max_block: int) -> set[tuple[int, int]]:
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(senders):
        if s.phone_key:
            blocks["p:" + s.phone_key].append(i)
        if len(s.pinyin) >= 4:
            blocks["n:" + s.pinyin].append(i)
        if len(s.address) >= ADDRESS_BLOCK_WIDTH:
            blocks["a:" + address_prefix(s.address, ADDRESS_BLOCK_WIDTH)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= max_block:
            for n, i in enumerate(members):
                for j in members[n + 1 :]:
                    pairs.add((i, j) if i < j else (j, i))
    return pairs


def link_senders(senders: list[Sender], *, threshold: float, max_block: int) -> list[Link]:
    links = []
    for i, j in sorted(candidate_pairs(senders, max_block)):
        score, evidence = compare(senders[i], senders[j])
        if score >= threshold:
            a, b = sorted((senders[i].key, senders[j].key))
            links.append(Link(a, b, score, evidence))
    return links


def shipper_groups(keys: Iterable[str], links: Iterable[Link]) -> dict[str, str]:
    """sender_key → shipper_id, the connected components of the links (union-find)."""
    parent: dict[str, str] = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for link in links:
        ra, rb = root(link.a), root(link.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the smallest key names the group, so ids are stable
    return {k: "sh-" + root(k)[:16] for k in parent}


@dataclass
class ResolveReport:
    senders: int
    links: int
    shippers: int


def resolve_shippers(db: ParcelDB, vault: PiiVault, *, threshold: float = 85.0, max_block: int = 300) -> ResolveReport:
    """Recompute links and shipper groups for every sender and replace the stored ones (idempotent)."""
    senders = load_senders(db, vault)
    links = link_senders(senders, threshold=threshold, max_block=max_block)
    groups = shipper_groups((s.key for s in senders), links)
    with db.transaction():
        db.conn.execute("DELETE FROM parcel_shipper_links")
        db.conn.execute("DELETE FROM parcel_shippers")
        db.conn.executemany(
            "INSERT INTO parcel_shipper_links(a, b, score, evidence) VALUES (?, ?, ?, ?)",
            [(lk.a, lk.b, lk.score, json.dumps(lk.evidence, sort_keys=True)) for lk in links],
        )
        db.conn.executemany("INSERT INTO parcel_shippers(sender_key, shipper_id) VALUES (?, ?)", groups.items())
    return ResolveReport(senders=len(senders), links=len(links), shippers=len(set(groups.values())))


def links_of(db: ParcelDB, sender_keys: Iterable[str]) -> list[Link]:
    keys = sorted(set(sender_keys))
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    sql = f"SELECT a, b, score, evidence FROM parcel_shipper_links WHERE a IN ({marks}) OR b IN ({marks})"  # noqa: S608
    with db.lock:
        rows = db.conn.execute(sql, [*keys, *keys]).fetchall()
    return [Link(a, b, score, json.loads(ev)) for a, b, score, ev in rows]
