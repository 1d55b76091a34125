"""Matchers: pure functions of (listing, compiled watchlist) that return Hits. No I/O, no frameworks.

`compile_index(watchlist)` builds a MatchIndex once; `index.match(listing)` returns the hits for one listing.
"""

from matchers.index import MatchIndex, MatchSettings, compile_index

__all__ = ["MatchIndex", "MatchSettings", "compile_index"]
