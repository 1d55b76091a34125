"""The watchlists a configuration names (`matching.watchlists`), defaulting to the bundled samples."""

from __future__ import annotations

from pathlib import Path

from netsword.config import Config
from watchlists.loader import load_watchlists
from watchlists.model import Watchlist

SAMPLES_DIR = Path(__file__).resolve().parent / "samples"


def sample_watchlists() -> list[str]:
    """The bundled sample watchlist files (trademarks, patents, geographical indications)."""
    return sorted(str(p) for p in SAMPLES_DIR.glob("*.yaml"))


def watchlist_paths(paths: list[str] | tuple[str, ...] | None, cfg: Config) -> list[str]:
    """`paths` when given, else `matching.watchlists`, else the bundled samples."""
    return list(paths or cfg.matching.watchlists or sample_watchlists())


def load_configured(paths: list[str] | tuple[str, ...] | None, cfg: Config) -> Watchlist:
    return load_watchlists(watchlist_paths(paths, cfg))
