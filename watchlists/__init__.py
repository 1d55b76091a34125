"""Watchlists: registered trademarks, patents and geographical indications, loaded and validated."""

from watchlists.loader import WatchlistError, load_watchlists
from watchlists.model import GeographicalIndication, Patent, Trademark, Watchlist

__all__ = [
    "GeographicalIndication",
    "Patent",
    "Trademark",
    "Watchlist",
    "WatchlistError",
    "load_watchlists",
]
