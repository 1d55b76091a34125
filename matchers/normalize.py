"""Text normalisation shared by the matchers: Unicode NFKC (full-width to half-width), case folding."""

from __future__ import annotations

import unicodedata


def normalize_text(text: str) -> str:
    """NFKC plus case folding: `ＮＩＫＥ` and `Nike` both become `nike`."""
    return unicodedata.normalize("NFKC", text).casefold()


def is_latin(text: str) -> bool:
    return all(ord(c) < 0x2E80 for c in text)
