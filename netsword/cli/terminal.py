"""Scraped text made safe to print: no escape sequence or control character of a hostile title reaches a terminal."""

from __future__ import annotations

import unicodedata


def printable(text: str) -> str:
    """Scraped text on one terminal line: control characters (escape sequences, newlines) become spaces."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def printable_block(text: str) -> str:
    """Scraped text kept on its lines: every control character but the newline becomes a space."""
    return "".join(" " if unicodedata.category(c) == "Cc" and c != "\n" else c for c in text)
