"""The match index a configuration asks for: weights and cue lexicon from `[matching]`, its watchlists."""

from __future__ import annotations

from dataclasses import fields

from matchers.index import MatchIndex, compile_index
from matchers.settings import MatchSettings
from netsword.config import Config
from watchlists.configured import load_configured
from watchlists.model import Watchlist


def match_settings(cfg: Config) -> MatchSettings:
    return MatchSettings(**{f.name: getattr(cfg.matching, f.name) for f in fields(MatchSettings)})


def build_index(cfg: Config, paths: list[str] | None = None, *, watchlist: Watchlist | None = None) -> MatchIndex:
    """The compiled index every command and crawl matches with.

    Pass `watchlist` when the caller has loaded it already, so the files are not read twice.
    """
    if watchlist is None:
        watchlist = load_configured(paths, cfg)
    return compile_index(watchlist, match_settings(cfg), cue_lexicon=cfg.matching.cue_lexicon)
