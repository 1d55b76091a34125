"""A Parcel turned into its stored form: keyed digests, masked display values, encrypted raw values, content hash."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields

from parcels.masking import mask_address, mask_name, mask_phone
from parcels.model import PERSON_FIELDS, Parcel
from parcels.normalize import name_pinyin, normalize_address, normalize_name, normalize_phone
from parcels.pii import PiiVault

STORED_COLUMNS = (
    "courier", "waybill", "shipped_at", "declared_contents", "declared_value", "currency", "weight", "origin",
    "destination", "sender_key", "sender_phone_key", "sender_name_key", "receiver_key", "receiver_addr_key",
    "masked", "pii", "content_hash", "source", "imported_at",
)  # fmt: skip

_PARCEL_FIELDS = tuple(f.name for f in fields(Parcel))


@dataclass(frozen=True)
class StoredParcel:
    parcel: Parcel
    sender_key: str
    sender_phone_key: str
    sender_name_key: str
    receiver_key: str
    receiver_addr_key: str
    masked: dict[str, str]
    content_hash: str

    def row(self, vault: PiiVault, source: str, imported_at: str) -> tuple[object, ...]:
        p = self.parcel
        pii = vault.encrypt({name: getattr(p, name) for name in PERSON_FIELDS})
        return (
            p.courier, p.waybill, p.shipped_at, p.declared_contents, p.declared_value, p.currency, p.weight,
            p.origin, p.destination, self.sender_key, self.sender_phone_key, self.sender_name_key,
            self.receiver_key, self.receiver_addr_key, json.dumps(self.masked, ensure_ascii=False), pii,
            self.content_hash, source, imported_at,
        )  # fmt: skip


def person_key(vault: PiiVault, role: str, name: str, phone: str, address: str) -> str:
    """One party as written on a waybill: equal after normalisation gives the same key."""
    return vault.keyed(role, f"{normalize_name(name)}|{normalize_phone(phone)}|{normalize_address(address)}")


def stored_parcel(parcel: Parcel, vault: PiiVault) -> StoredParcel:
    p = parcel
    masked = {
        "sender_name": mask_name(p.sender_name),
        "sender_phone": mask_phone(p.sender_phone),
        "sender_address": mask_address(p.sender_address),
        "receiver_name": mask_name(p.receiver_name),
        "receiver_phone": mask_phone(p.receiver_phone),
        "receiver_address": mask_address(p.receiver_address),
    }
    # the content hash is keyed too: a plain hash of a phone number could be reversed by trying every number
    canonical = json.dumps([getattr(p, name) for name in _PARCEL_FIELDS], ensure_ascii=False).encode("utf-8")
    content_hash = vault.digest(b"content-v1\x1f" + canonical)
    return StoredParcel(
        parcel=p,
        sender_key=person_key(vault, "sender", p.sender_name, p.sender_phone, p.sender_address),
        sender_phone_key=vault.keyed("phone", normalize_phone(p.sender_phone)),
        sender_name_key=vault.keyed("name", name_pinyin(p.sender_name)),
        receiver_key=person_key(vault, "receiver", p.receiver_name, p.receiver_phone, p.receiver_address),
        receiver_addr_key=vault.keyed("address", normalize_address(p.receiver_address)),
        masked=masked,
        content_hash=content_hash,
    )
