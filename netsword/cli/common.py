"""Helpers shared by the command modules: configuration, watchlists, store."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from matchers import MatchIndex, MatchSettings, compile_index
from netsword.config import Config, load_config
from watchlists import Watchlist, load_watchlists

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "watchlists" / "samples"


def sample_watchlists() -> list[str]:
    return sorted(str(p) for p in SAMPLES_DIR.glob("*.yaml"))


def config_of(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def watchlist_paths(args_paths: list[str] | None, cfg: Config) -> list[str]:
    return list(args_paths or cfg.matching.watchlists or sample_watchlists())


def load_watchlist(args_paths: list[str] | None, cfg: Config) -> Watchlist:
    return load_watchlists(watchlist_paths(args_paths, cfg))


def build_index(cfg: Config, args_paths: list[str] | None = None, *, watchlist: Watchlist | None = None) -> MatchIndex:
    """The compiled watchlist index every command matches with: weights and cue lexicon from `[matching]`.

    Pass `watchlist` when the caller has loaded it already, so the files are not read twice.
    """
    settings = MatchSettings(**{f.name: getattr(cfg.matching, f.name) for f in fields(MatchSettings)})
    if watchlist is None:
        watchlist = load_watchlist(args_paths, cfg)
    return compile_index(watchlist, settings, cue_lexicon=cfg.matching.cue_lexicon)
