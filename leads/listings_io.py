"""Read Listing JSONL files line by line: good lines become Listings, bad ones `file:line: field: reason`.

A line that is not UTF-8, not JSON or nested too deeply (netsword.bounded_json) is one bad line; reading goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netsword import bounded_json
from netsword.models import Listing, ListingError


@dataclass(frozen=True)
class BadLine:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def json_lines(path: str | Path) -> Iterator[tuple[int, Any, str]]:
    """(line number, parsed value, "") or (line number, None, why not) for every non-blank line of a JSONL file."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8 ({exc.reason} at byte {exc.start})"
                continue
            if not text.strip():
                continue
            try:
                value = bounded_json.loads(text)
            except bounded_json.JsonTooDeep as exc:
                yield number, None, str(exc)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON: {exc.msg} at column {exc.colno}"
            else:
                yield number, value, ""


def read_listings(path: str | Path) -> Iterator[Listing | BadLine]:
    """Yield a Listing or a BadLine for every non-blank line; never raises for bad content."""
    name = str(path)
    for number, data, error in json_lines(path):
        if error:
            yield BadLine(name, number, error)
            continue
        try:
            yield Listing.from_dict(data)
        except ListingError as exc:
            yield BadLine(name, number, str(exc))
