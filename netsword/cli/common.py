"""Helpers shared by the command modules: configuration and the configured watchlists."""

from __future__ import annotations

import argparse

from netsword.config import Config, load_config
from watchlists import Watchlist
from watchlists.configured import load_configured


def config_of(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def load_watchlist(args_paths: list[str] | None, cfg: Config) -> Watchlist:
    return load_configured(args_paths, cfg)
