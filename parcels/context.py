"""Wire the parcel subsystem from configuration: database, personal-data vault and pattern settings."""

from __future__ import annotations

from netsword.config import Config
from parcels.db import ParcelDB, parcels_db_path
from parcels.patterns import PatternSettings
from parcels.pii import PiiVault, vault_from_config


def open_parcel_db(cfg: Config) -> ParcelDB:
    return ParcelDB(parcels_db_path(cfg))


def vault_of(cfg: Config) -> PiiVault:
    return vault_from_config(cfg.parcels.pii_key, cfg.var_dir)


def pattern_settings(cfg: Config) -> PatternSettings:
    c = cfg.parcels
    return PatternSettings(window_days=c.window_days, low_value=c.low_value, min_parcels=c.min_parcels,
                           min_receivers=c.min_receivers, min_senders=c.min_senders)  # fmt: skip
