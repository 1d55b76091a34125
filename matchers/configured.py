"""The match index a configuration asks for: weights and cue lexicon from `[matching]`, its watchlists."""

from __future__ import annotations

from dataclasses import fields

from matchers import adjustments, index_cache
from matchers import learned as learned_scorer
from matchers.index import MatchIndex, compile_index
from matchers.mark_index import MarkIndex, use_prebuilt
from matchers.regulated.configured import configured_registers
from matchers.settings import MatchSettings
from netsword.config import Config
from watchlists.configured import load_configured, watchlist_paths
from watchlists.loader import load_watchlists
from watchlists.model import Watchlist


def match_settings(cfg: Config) -> MatchSettings:
    return MatchSettings(**{f.name: getattr(cfg.matching, f.name) for f in fields(MatchSettings)})


def build_index(cfg: Config, paths: list[str] | None = None, *, watchlist: Watchlist | None = None) -> MatchIndex:
    """The compiled index every command and crawl matches with.

    Pass `watchlist` when the caller has loaded it already, so the files are not read twice.
    """
    if watchlist is None and cfg.matching.index_cache:
        watchlist = _cached_watchlist(cfg, paths)
    if watchlist is None:
        watchlist = load_configured(paths, cfg)
    registers = configured_registers(cfg)  # imported with netsword registers import: <var_dir>/registers/
    learned = learned_scorer.load(cfg.matching.learned_scorer) if cfg.matching.learned_scorer else None
    # what investigators' dismissals taught (netsword scorer adjustments): <var_dir>/adjustments.jsonl
    adjusted = adjustments.load(adjustments.path_in(cfg.var_dir))
    return compile_index(watchlist, match_settings(cfg), cue_lexicon=cfg.matching.cue_lexicon, registers=registers,
                         learned=learned, adjustments=adjusted)  # fmt: skip


def _cached_watchlist(cfg: Config, paths: list[str] | None) -> Watchlist | None:
    """The watchlist and its compiled trademark index from <var_dir>/cache when the files are unchanged (the index
    is then taken by compile_index); on a miss both are built and stored. None when a file cannot be read: the loader
    then names it."""
    files = watchlist_paths(paths, cfg)
    cache_dir = cfg.var_dir / "cache"
    try:
        key = index_cache.cache_key(files, cfg.matching.min_typo_length, cfg.matching.short_latin_max)
    except OSError:
        return None  # a missing file: the loader names it
    cached = index_cache.load(cache_dir, key)
    if cached is None:
        watchlist = load_watchlists(files)
        settings = match_settings(cfg)
        cached = (watchlist, MarkIndex.for_trademarks(watchlist.trademarks, settings.min_typo_length,
                                                      settings.short_latin_max))  # fmt: skip
        try:
            index_cache.store(cache_dir, key, *cached)
        except OSError:
            pass  # a read-only or full disk only costs the next start its speed
    use_prebuilt(cached[0].trademarks, cached[1])
    return cached[0]
