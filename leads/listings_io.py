"""Read Listing JSONL files line by line: good lines become Listings, bad ones `file:line: field: reason`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from netsword.models import Listing, ListingError


@dataclass(frozen=True)
class BadLine:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def read_listings(path: str | Path) -> Iterator[Listing | BadLine]:
    """Yield a Listing or a BadLine for every non-blank line; never raises for bad content."""
    name = str(path)
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield BadLine(name, number, f"not UTF-8 ({exc.reason} at byte {exc.start})")
                continue
            if not text.strip():
                continue
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                yield BadLine(name, number, f"not valid JSON: {exc.msg} at column {exc.colno}")
                continue
            try:
                yield Listing.from_dict(data)
            except ListingError as exc:
                yield BadLine(name, number, str(exc))
