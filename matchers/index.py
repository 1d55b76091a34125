"""The compiled watchlist index and the first matcher: normalised exact matching of marks and variants."""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick

from matchers.normalize import is_latin, normalize_text
from netsword.models import Hit, Listing, Reason
from watchlists.model import Trademark, Watchlist


@dataclass(frozen=True)
class MatchSettings:
    """Weights of the score formula (docs/matching.md)."""

    mark_score: int = 60
    variant_score: int = 60
    unauthorized_bonus: int = 0


def _bounded(text: str, start: int, end: int) -> bool:
    """A Latin form must not sit inside a longer Latin word (`nike` in `nikel`)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end + 1] if end + 1 < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


class MatchIndex:
    """Marks and variants of every trademark, normalised and compiled into one Aho-Corasick automaton."""

    def __init__(self, watchlist: Watchlist, settings: MatchSettings) -> None:
        self.watchlist = watchlist
        self.settings = settings
        self._automaton = ahocorasick.Automaton()
        forms: dict[str, list[tuple[str, bool]]] = {}
        for tm in watchlist.trademarks:
            for position, form in enumerate(tm.forms):
                key = normalize_text(form)
                if len(key) >= 2:
                    forms.setdefault(key, []).append((tm.id, position > 0))
        for key, owners in forms.items():
            self._automaton.add_word(key, (key, owners))
        if forms:
            self._automaton.make_automaton()
        self._empty = not forms

    def match(self, listing: Listing) -> list[Hit]:
        if self._empty:
            return []
        text = normalize_text(listing.text)
        best: dict[str, Hit] = {}
        for end, (key, owners) in self._automaton.iter(text):
            start = end - len(key) + 1
            if is_latin(key) and not _bounded(text, start, end):
                continue
            for entry_id, is_variant in owners:
                entry = self.watchlist.get(entry_id)
                assert isinstance(entry, Trademark)
                matched = listing.text[start : end + 1] if len(listing.text) == len(text) else key
                code = "variant_mark" if is_variant else "exact_mark"
                score = self.settings.variant_score if is_variant else self.settings.mark_score
                reasons = (Reason(code, f"“{matched}” is a registered form of {entry.mark} ({entry.owner})"),)
                if entry_id not in best or best[entry_id].score < score:
                    best[entry_id] = Hit(entry_id, "trademark", score, matched, reasons)
        return sorted(best.values(), key=lambda h: -h.score)


def compile_index(watchlist: Watchlist, settings: MatchSettings | None = None) -> MatchIndex:
    """Compile the watchlist once; the index is then shared by every listing."""
    return MatchIndex(watchlist, settings or MatchSettings())
