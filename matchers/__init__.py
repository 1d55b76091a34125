"""Matchers: pure functions of (listing, compiled watchlist) that return Hits. No I/O, no frameworks.

`compile_index(watchlist)` builds a MatchIndex once; `index.match(listing)` returns the hits for one listing.

The names below are loaded on first use (PEP 562): `import matchers.adjustments` or a command that never matches
does not pay for the index, the segmenter (rjieba) and the mark tables (benchmarks/startup.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matchers.index import MatchIndex, compile_index
    from matchers.settings import MatchSettings

__all__ = ["MatchIndex", "MatchSettings", "compile_index"]

_LAZY = {"MatchIndex": "matchers.index", "MatchSettings": "matchers.settings", "compile_index": "matchers.index"}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
