"""Shipper resolution: link senders that are one party written differently or using several phones, explained.

Two senders are linked when they share a strong identifier — the same phone; the same name together with the same
address; or a share of their receivers (at least `parcels.min_shared_receivers` and a third of the smaller one's)
— or when the weighted similarity of the fields both have (phone 0.45, name 0.30, address 0.25; at least two
fields) reaches `parcels.link_threshold`. Hubs link nobody: a phone or address written with `parcels.hub_size` or
more different names (a courier outlet, a parcel locker; addresses naming one, such as 菜鸟驿站 or 丰巢, always),
and a receiver with parcels from that many senders. Candidate pairs come from blocks (keyed phone, name pinyin,
address start; blocks over `parcels.max_block` are skipped) and from shared receivers.
Connected senders form one shipper, named after its first-seen sender (so it keeps its name as it grows). With a shipper register, each sender linked to an authorised shipper by phone
or by name and address (never by receivers alone) is recorded as authorised. Personal data is decrypted in memory
only; links store scores and what agreed, never values.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from parcels.authorised import ShipperRegister, name_address_key
from parcels.db import ParcelDB
from parcels.normalize import address_prefix, name_pinyin, normalize_address, normalize_name
from parcels.pii import PiiVault

WEIGHTS = {"phone": 0.45, "name": 0.30, "address": 0.25}
ADDRESS_BLOCK_WIDTH = 8
STRONG_NAME = 90  # name agreement (written or pinyin) that, with the same address, makes one party
MIN_SHARED_RECEIVER_SHARE = 1 / 3
CHANCE_LIFT = 5  # receivers in common must be this many times what two unrelated senders would share by chance
# addresses of courier outlets and parcel lockers, where anyone may send from or receive at
HUB_WORDS = ("驿站", "快递柜", "丰巢", "代收点", "自提点", "快递点", "快递超市", "菜鸟", "速递易", "收发室", "营业部")
IDENTITY_VIA = frozenset({"phone", "name+address"})


@dataclass(frozen=True)
class Sender:
    key: str
    phone_key: str
    name: str
    pinyin: str
    address: str
    name_address: str = ""  # keyed name and address, as the shipper register keys them
    receivers: frozenset[str] = frozenset()
    first_seen: str = ""  # the sender's first parcel: the first-seen form names its shipper


@dataclass(frozen=True)
class Hubs:
    """Phones, addresses and receivers too widely shared to say who anyone is."""

    phones: frozenset[str] = frozenset()
    addresses: frozenset[str] = frozenset()
    receivers: frozenset[str] = frozenset()
    all_receivers: int = 0  # distinct receivers in the store, for the overlap two senders would have by chance


@dataclass(frozen=True)
class LinkSettings:
    threshold: float = 85.0
    max_block: int = 300
    hub_size: int = 8
    min_shared_receivers: int = 3


@dataclass(frozen=True)
class Link:
    a: str
    b: str
    score: float
    evidence: dict[str, object]

    @property
    def via(self) -> list[str]:
        via = self.evidence.get("via")
        return [str(v) for v in via] if isinstance(via, list) else []

    def explain(self) -> str:
        return explain(self.evidence)


def explain(evidence: dict[str, object]) -> str:
    """'phone identical after normalisation; name 100 (same pinyin …); address same → 100.0; linked by phone' —
    what agreed, how strongly, and which strong identifiers made the link."""
    parts = []
    phone: object = evidence.get("phone")
    if phone == "hub":
        parts.append("phone is a hub (written with many names), not counted")
    elif phone is not None:
        parts.append("phone identical after normalisation" if phone == 100 else "phone differs")
    if "name" in evidence:
        via = " (same pinyin, written differently)" if evidence.get("name_via") == "pinyin" else ""
        parts.append(f"name {evidence['name']}{via}")
    if evidence.get("address") == "hub":
        parts.append("address is a hub (courier outlet or locker), not counted")
    elif "address" in evidence:
        same = {"same": " (same after normalisation)", "shorter": " (one the other cut short)"}
        parts.append(f"address {evidence['address']}{same.get(str(evidence.get('address_same')), '')}")
    if "receivers" in evidence:
        parts.append(f"{evidence['receivers']} receivers in common")
    text = "; ".join(parts) + f" → {evidence.get('score')}"
    strong = evidence.get("via")
    if isinstance(strong, list) and strong:
        text += "; linked by " + ", ".join(str(v).replace("+", " + ") for v in strong)
    return text


def _address_same(x: str, y: str) -> str:
    """'same' when equal after normalisation, 'shorter' when one is the other cut at a unit boundary, else ''."""
    if x == y:
        return "same"
    short, long = sorted((x, y), key=len)
    if len(short) >= ADDRESS_BLOCK_WIDTH and long.startswith(short) and long[len(short)] == "#":
        return "shorter"
    return ""


def compare(
    x: Sender, y: Sender, hubs: Hubs | None = None, min_shared_receivers: int = 0
) -> tuple[float, dict[str, object]]:
    """Weighted similarity 0–100 over the fields both senders have, the per-field evidence, and under `via` the
    strong identifiers they share (phone, name+address, receivers); hubs count for nothing."""
    hubs = hubs or Hubs()
    evidence: dict[str, object] = {}
    agreement: dict[str, float] = {}
    via: list[str] = []
    if x.phone_key and y.phone_key:
        if x.phone_key == y.phone_key and x.phone_key in hubs.phones:
            evidence["phone"] = "hub"
        else:
            same = x.phone_key == y.phone_key
            evidence["phone"] = 100 if same else 0
            agreement["phone"] = 100.0 if same else 0.0
            if same:
                via.append("phone")
    if x.name and y.name:
        written = fuzz.ratio(x.name, y.name)
        spoken = fuzz.ratio(x.pinyin, y.pinyin) if x.pinyin and y.pinyin else 0.0
        evidence["name"] = round(max(written, spoken))
        agreement["name"] = max(written, spoken)
        if spoken > written:
            evidence["name_via"] = "pinyin"
    if x.address and y.address:
        if x.address in hubs.addresses or y.address in hubs.addresses:
            evidence["address"] = "hub"
        else:
            agreement["address"] = fuzz.ratio(x.address, y.address)
            evidence["address"] = round(agreement["address"])
            address_same = _address_same(x.address, y.address)
            if address_same:
                evidence["address_same"] = address_same
                if agreement.get("name", 0.0) >= STRONG_NAME:
                    via.append("name+address")
    if min_shared_receivers and x.receivers and y.receivers:
        shared = x.receivers & y.receivers - hubs.receivers
        if shared:
            evidence["receivers"] = len(shared)
            mine, theirs = len(x.receivers - hubs.receivers), len(y.receivers - hubs.receivers)
            chance = mine * theirs / hubs.all_receivers if hubs.all_receivers else 0.0
            if (
                len(shared) >= min_shared_receivers
                and len(shared) >= MIN_SHARED_RECEIVER_SHARE * min(mine, theirs)
                and len(shared) >= CHANCE_LIFT * chance
            ):
                via.append("receivers")
    if via:
        evidence["via"] = via
    fields = [f for f in WEIGHTS if f in agreement]
    if len(fields) < 2:
        evidence["score"] = 0.0
        return 0.0, evidence
    total = sum(WEIGHTS[f] for f in fields)
    score = round(sum(WEIGHTS[f] * agreement[f] for f in fields) / total, 1)
    evidence["score"] = score
    return score, evidence


def load_senders(db: ParcelDB, vault: PiiVault) -> list[Sender]:
    """Every distinct sender, its personal data decrypted and normalised in memory, with its receivers' keys."""
    receivers: dict[str, set[str]] = defaultdict(set)
    with db.lock:
        rows = db.conn.execute(
            "SELECT sender_key, sender_phone_key, pii, min(shipped_at) FROM parcels GROUP BY sender_key"
        ).fetchall()
        for sender_key, receiver_key in db.conn.execute("SELECT DISTINCT sender_key, receiver_key FROM parcels"):
            receivers[sender_key].add(receiver_key)
    senders = []
    for key, phone_key, blob, first in rows:
        pii = vault.decrypt(blob)
        name, address = pii.get("sender_name", ""), pii.get("sender_address", "")
        senders.append(Sender(
            key=key, phone_key=phone_key, name=normalize_name(name), pinyin=name_pinyin(name),
            address=normalize_address(address), name_address=name_address_key(vault, name, address),
            receivers=frozenset(receivers.get(key, ())), first_seen=first,
        ))  # fmt: skip
    return senders


def find_hubs(senders: list[Sender], hub_size: int) -> Hubs:
    """Phones and addresses written with `hub_size` or more different names (or naming an outlet or locker), and
    receivers with parcels from `hub_size` or more senders."""
    names_of_phone: dict[str, set[str]] = defaultdict(set)
    names_of_address: dict[str, set[str]] = defaultdict(set)
    senders_of_receiver: Counter[str] = Counter()
    for s in senders:
        who = s.pinyin or s.name
        if s.phone_key:
            names_of_phone[s.phone_key].add(who)
        if s.address:
            names_of_address[s.address].add(who)
        senders_of_receiver.update(s.receivers)
    return Hubs(
        phones=frozenset(k for k, names in names_of_phone.items() if len(names) >= hub_size),
        addresses=frozenset(a for a, names in names_of_address.items()
                            if len(names) >= hub_size or any(w in a for w in HUB_WORDS)),
        receivers=frozenset(r for r, n in senders_of_receiver.items() if n >= hub_size),
        all_receivers=len(senders_of_receiver),
    )  # fmt: skip


def candidate_pairs(senders: list[Sender], max_block: int, hubs: Hubs | None = None,
                    min_shared_receivers: int = 0) -> set[tuple[int, int]]:  # fmt: skip
    hubs = hubs or Hubs()
    blocks: dict[str, list[int]] = defaultdict(list)
    by_receiver: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(senders):
        if s.phone_key and s.phone_key not in hubs.phones:
            blocks["p:" + s.phone_key].append(i)
        if len(s.pinyin) >= 4:
            blocks["n:" + s.pinyin].append(i)
        if len(s.address) >= ADDRESS_BLOCK_WIDTH and s.address not in hubs.addresses:
            blocks["a:" + address_prefix(s.address, ADDRESS_BLOCK_WIDTH)].append(i)
        if min_shared_receivers:
            for r in s.receivers:
                if r not in hubs.receivers:
                    by_receiver[r].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= max_block:
            for n, i in enumerate(members):
                for j in members[n + 1 :]:
                    pairs.add((i, j) if i < j else (j, i))
    shared: Counter[tuple[int, int]] = Counter()
    for members in by_receiver.values():  # hubs are out, so each receiver has fewer than hub_size senders
        for n, i in enumerate(members):
            for j in members[n + 1 :]:
                shared[(i, j) if i < j else (j, i)] += 1
    pairs.update(pair for pair, count in shared.items() if count >= min_shared_receivers)
    return pairs


def link_senders(senders: list[Sender], settings: LinkSettings | None = None, hubs: Hubs | None = None) -> list[Link]:
    """The links between senders: a shared strong identifier, or similarity at or over the threshold."""
    settings = settings or LinkSettings()
    hubs = hubs if hubs is not None else find_hubs(senders, settings.hub_size)
    links = []
    for i, j in sorted(candidate_pairs(senders, settings.max_block, hubs, settings.min_shared_receivers)):
        score, evidence = compare(senders[i], senders[j], hubs, settings.min_shared_receivers)
        if evidence.get("via") or score >= settings.threshold:
            a, b = sorted((senders[i].key, senders[j].key))
            links.append(Link(a, b, score, evidence))
    return links


def _components(keys: Iterable[str], links: Iterable[Link], first_seen: dict[str, str] | None = None) -> dict[str, str]:
    """key → the key that names its connected component (union-find): the one seen first (then the smallest), so a
    party's name stays when later parcels add written forms to it."""
    parent: dict[str, str] = {k: k for k in keys}
    seen = first_seen or {}

    def rank(k: str) -> tuple[str, str]:
        return (seen.get(k, ""), k)

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for link in links:
        ra, rb = root(link.a), root(link.b)
        if ra != rb:
            first, second = sorted((ra, rb), key=rank)
            parent[second] = first
    return {k: root(k) for k in parent}


def shipper_groups(
    keys: Iterable[str], links: Iterable[Link], first_seen: dict[str, str] | None = None
) -> dict[str, str]:
    """sender_key → shipper_id, the connected components of the links, named after their first-seen sender."""
    return {k: "sh-" + r[:16] for k, r in _components(keys, links, first_seen).items()}


def authorised_senders(senders: list[Sender], links: list[Link], register: ShipperRegister) -> dict[str, str]:
    """sender_key → register ids (comma-joined) for senders that are, or are linked by phone or by name and address
    to, an authorised shipper; a link by shared receivers alone never passes authorisation on."""
    direct = {s.key: register.match(s.phone_key, s.name_address) for s in senders}
    identity = [lk for lk in links if IDENTITY_VIA & set(lk.via)]
    component = _components((s.key for s in senders), identity)
    ids_of: dict[str, set[str]] = defaultdict(set)
    for key, ids in direct.items():
        ids_of[component[key]].update(ids)
    return {key: ",".join(sorted(ids_of[root])) for key, root in component.items() if ids_of[root]}


@dataclass
class ResolveReport:
    senders: int
    links: int
    shippers: int
    by_via: dict[str, int] = field(default_factory=dict)
    hubs: dict[str, int] = field(default_factory=dict)
    authorised: int = 0


def resolve_shippers(
    db: ParcelDB, vault: PiiVault, *, threshold: float = 85.0, max_block: int = 300, hub_size: int = 8,
    min_shared_receivers: int = 3, register: ShipperRegister | None = None,
) -> ResolveReport:  # fmt: skip
    """Recompute links, shipper groups and authorised senders for every sender, replacing the stored ones."""
    settings = LinkSettings(threshold, max_block, hub_size, min_shared_receivers)
    senders = load_senders(db, vault)
    hubs = find_hubs(senders, hub_size)
    links = link_senders(senders, settings, hubs)
    groups = shipper_groups((s.key for s in senders), links, {s.key: s.first_seen for s in senders})
    authorised = authorised_senders(senders, links, register) if register is not None and len(register) else {}
    with db.transaction():
        db.conn.execute("DELETE FROM parcel_shipper_links")
        db.conn.execute("DELETE FROM parcel_shippers")
        db.conn.executemany(
            "INSERT INTO parcel_shipper_links(a, b, score, evidence) VALUES (?, ?, ?, ?)",
            [(lk.a, lk.b, lk.score, json.dumps(lk.evidence, sort_keys=True)) for lk in links],
        )
        db.conn.executemany(
            "INSERT INTO parcel_shippers(sender_key, shipper_id, authorised) VALUES (?, ?, ?)",
            [(key, shipper, authorised.get(key, "")) for key, shipper in groups.items()],
        )
    by_via: Counter[str] = Counter(v for lk in links for v in (lk.via or ["similarity"]))
    return ResolveReport(
        senders=len(senders), links=len(links), shippers=len(set(groups.values())), by_via=dict(by_via),
        hubs={"phones": len(hubs.phones), "addresses": len(hubs.addresses), "receivers": len(hubs.receivers)},
        authorised=len(authorised),
    )  # fmt: skip


def links_of(db: ParcelDB, sender_keys: Iterable[str]) -> list[Link]:
    keys = sorted(set(sender_keys))
    if not keys:
        return []
    marks = ",".join("?" * len(keys))
    sql = f"SELECT a, b, score, evidence FROM parcel_shipper_links WHERE a IN ({marks}) OR b IN ({marks})"  # noqa: S608
    with db.lock:
        rows = db.conn.execute(sql, [*keys, *keys]).fetchall()
    return [Link(a, b, score, json.loads(ev)) for a, b, score, ev in rows]
