"""Wire the parcel subsystem from configuration: database, personal-data vault and pattern settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from netsword.config import Config
from netsword.keys import PARCELS_PII, KeyRing
from netsword.sqlite_db import connect
from parcels.authorised import ShipperRegister, load_register
from parcels.db import ParcelDB, parcels_db_path
from parcels.patterns import PatternSettings
from parcels.pii import PiiVault

if TYPE_CHECKING:
    from matchers import MatchIndex


def open_parcel_db(cfg: Config) -> ParcelDB:
    return ParcelDB(parcels_db_path(cfg))


def vault_of(cfg: Config) -> PiiVault:
    """The vault keyed by the personal-data key; a new key is made only while no parcel is stored yet.

    Raises netsword.keys.KeyStoreError (a one-line message with the fix) when the key is missing for stored
    parcels, or still lies in var/ where older versions kept it.
    """
    ring = KeyRing(cfg)
    if not ring.has(PARCELS_PII) and _holds_parcels(cfg):
        ring.load(PARCELS_PII)  # raises: the key of the stored data is gone; a new one would orphan them
    return PiiVault(ring.load(PARCELS_PII, create=True))


def _holds_parcels(cfg: Config) -> bool:
    path = parcels_db_path(cfg)
    if not Path(path).exists():
        return False
    try:  # read-only: asking must not create the file or its tables
        conn = connect(path, read_only=True)
    except sqlite3.Error:
        return False
    try:
        return bool(conn.execute("SELECT EXISTS(SELECT 1 FROM parcels)").fetchone()[0])
    except sqlite3.Error:  # no table yet
        return False
    finally:
        conn.close()


def pattern_settings(cfg: Config) -> PatternSettings:
    """The ant-moving thresholds of `[parcels]`."""
    c = cfg.parcels
    return PatternSettings(window_days=c.window_days, low_value=c.low_value, min_parcels=c.min_parcels,
                           min_receivers=c.min_receivers, min_senders=c.min_senders)  # fmt: skip


def shipper_register(cfg: Config, vault: PiiVault) -> ShipperRegister | None:
    """The authorised-shipper register of `parcels.shippers_file`, keyed with the vault; None when not configured.

    Raises parcels.authorised.RegisterError with every problem as `file:line: field: what`.
    """
    return load_register(cfg.parcels.shippers_file, vault) if cfg.parcels.shippers_file else None


def parcel_index(cfg: Config, index: MatchIndex, register: ShipperRegister | None) -> MatchIndex:
    """The index declared contents are matched with: `index` itself, or, with a register, compiled (with the
    configured matching settings) over the watchlist whose entries know their authorised shippers' identities."""
    from matchers.configured import build_index  # here: `parcels list` and the like never match

    if register is None or not len(register):
        return index
    return build_index(cfg, watchlist=register.authorise(index.watchlist))
