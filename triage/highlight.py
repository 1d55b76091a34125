"""Split listing text around the matched span into plain segments; templates escape each and wrap hits in <mark>.

No HTML is ever built here: the result is a list of (text, is_match) pairs.
"""

from __future__ import annotations

import re
import unicodedata

Segment = tuple[str, bool]


def _fold(text: str) -> str:
    # NFKC folds full-width letters (ＮＩＫＥ) onto ASCII; casefold ignores case. Both keep one char per char for
    # the common cases; when lengths differ we fall back to no highlighting rather than a misplaced one.
    return unicodedata.normalize("NFKC", text).casefold()


def segments(text: str, needles: list[str]) -> list[Segment]:
    """Pieces of `text`, with every occurrence of any needle flagged; matching ignores case and width."""
    needles = [n for n in dict.fromkeys(n.strip() for n in needles) if n]
    if not text or not needles:
        return [(text, False)] if text else []
    folded = _fold(text)
    if len(folded) != len(text):
        folded = text.casefold() if len(text.casefold()) == len(text) else text
    spans: list[tuple[int, int]] = []
    for needle in needles:
        fold_needle = _fold(needle) if len(_fold(needle)) == len(needle) else needle
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(fold_needle), folded))
    if not spans:
        return [(text, False)]
    spans.sort()
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[Segment] = []
    pos = 0
    for start, end in merged:
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out
