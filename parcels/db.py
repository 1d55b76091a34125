"""Parcel tables in SQLite, versioned in `parcels_schema_version` (netsword.sqlite_migrations).

Settings: `parcels.db_path`; by default the store's SQLite file, or `<var_dir>/parcels.db` when the store is
Elasticsearch. Personal data is held only as keyed digests, masked display forms and an encrypted blob.
"""

from __future__ import annotations

from netsword.config import Config
from netsword.sqlite_db import SharedDatabase

MIGRATIONS: tuple[str, ...] = (
    # 1: parcels, shipper resolution, seller links and the reveal audit log
    """
    CREATE TABLE parcels (
        courier TEXT NOT NULL,
        waybill TEXT NOT NULL,
        shipped_at TEXT NOT NULL,
        declared_contents TEXT NOT NULL,
        declared_value REAL,
        currency TEXT NOT NULL,
        weight REAL,
        origin TEXT NOT NULL,
        destination TEXT NOT NULL,
        sender_key TEXT NOT NULL,
        sender_phone_key TEXT NOT NULL,
        sender_name_key TEXT NOT NULL,
        receiver_key TEXT NOT NULL,
        receiver_addr_key TEXT NOT NULL,
        masked TEXT NOT NULL,
        pii BLOB NOT NULL,
        content_hash TEXT NOT NULL,
        entries TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        PRIMARY KEY (courier, waybill)
    );
    CREATE INDEX parcels_sender ON parcels(sender_key);
    CREATE INDEX parcels_sender_phone ON parcels(sender_phone_key);
    CREATE INDEX parcels_receiver_addr ON parcels(receiver_addr_key);
    CREATE INDEX parcels_shipped ON parcels(shipped_at);
    CREATE TABLE parcel_shippers (
        sender_key TEXT PRIMARY KEY,
        shipper_id TEXT NOT NULL
    );
    CREATE INDEX parcel_shippers_id ON parcel_shippers(shipper_id);
    CREATE TABLE parcel_shipper_links (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (a, b)
    );
    CREATE TABLE parcel_seller_links (
        platform TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        seller_name TEXT NOT NULL,
        sender_key TEXT NOT NULL,
        phone_key TEXT NOT NULL,
        linked_at TEXT NOT NULL,
        PRIMARY KEY (platform, seller_id, sender_key)
    );
    CREATE TABLE parcel_reveal_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        role TEXT NOT NULL,
        user TEXT NOT NULL,
        courier TEXT NOT NULL,
        waybill TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    """,
    # 2: the register records (parcels.authorised) a sender is, directly or through a phone / name+address link
    """
    ALTER TABLE parcel_shippers ADD COLUMN authorised TEXT NOT NULL DEFAULT '';
    """,
)


class ParcelDB(SharedDatabase):
    """One SQLite connection to the parcel tables, shared between threads under a lock."""

    MIGRATIONS = MIGRATIONS
    VERSION_TABLE = "parcels_schema_version"
    LABEL = "parcels"



def parcels_db_path(cfg: Config) -> str:
    """`parcels.db_path`, else the lead store's SQLite file, else `<var_dir>/parcels.db`."""
    if cfg.parcels.db_path:
        return cfg.parcels.db_path
    url = cfg.store_url
    if url.startswith("sqlite:///"):
        return url.removeprefix("sqlite:///")
    return str(cfg.var_dir / "parcels.db")
