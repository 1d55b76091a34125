"""Read a courier manifest (CSV or JSONL) through its column mapping into Parcels and `file:line: field: reason`.

A reason names the field and what is wrong with it, never the value: manifests hold names, phone numbers,
addresses and ID numbers, and a column shifted by one puts any of them in any field, while errors go to terminals
and scheduler logs. `described` says what a bad value looks like (its length and kinds of characters) instead.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from leads.listings_io import json_lines
from parcels.mapping import REQUIRED_COLUMNS, CourierMapping, MappingError
from parcels.model import BadRow, Parcel, described
from parcels.phones import phone_problem

_WAYBILL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MONEY_NOISE = re.compile(r"[,\s¥￥元]|^CNY|^RMB", re.IGNORECASE)
MAX_TEXT = 500
csv.field_size_limit(1 << 20)


class RowError(ValueError):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field = field_name
        self.reason = reason


def _clean(value: Any, field_name: str) -> str:
    if type(value) is str:
        text = value if value.isprintable() else _CONTROL.sub("", value)  # foreign input: no control characters
        text = text.strip()
    elif value is None:
        return ""
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RowError(field_name, f"must be text, got {type(value).__name__}")
    else:
        text = str(value)
    if len(text) > MAX_TEXT:
        raise RowError(field_name, f"longer than {MAX_TEXT} characters")
    return text


def _number(text: str, field_name: str, scale: float) -> float | None:
    if not text:
        return None
    try:
        value = float(_MONEY_NOISE.sub("", text))
    except ValueError:
        raise RowError(field_name, f"must be a number, got {described(text)}") from None
    if not math.isfinite(value) or value < 0:
        raise RowError(field_name, "must be a finite number ≥ 0")
    return round(value * scale, 4)


def _when(text: str, formats: tuple[str, ...]) -> str:
    if not text:
        raise RowError("shipped_at", "is required")
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).strftime("%Y-%m-%dT%H:%M:%S")
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError("shipped_at", f"not a date in a known format, got {described(text)}") from None
    return parsed.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S")


def parcel_from_values(values: Mapping[str, Any], mapping: CourierMapping) -> Parcel:
    """Validate one row's mapped values; raises RowError naming the first bad field."""
    text = {name: _clean(values.get(name), name) for name in mapping.columns}
    waybill = text.get("waybill", "")
    if not waybill:
        raise RowError("waybill", "is required")
    if not _WAYBILL.match(waybill):
        raise RowError("waybill", f"must be 4–40 letters, digits or dashes, got {described(waybill)}")
    shipped_at = _when(text.get("shipped_at", ""), mapping.date_formats)
    contents = text.get("declared_contents", "")
    if not contents:
        raise RowError("declared_contents", "is required")
    currency = (text.get("currency") or mapping.currency).upper()
    if not _CURRENCY.match(currency):
        raise RowError("currency", f"must be an ISO 4217 code such as CNY, got {described(currency)}")
    for name in ("sender_phone", "receiver_phone"):
        problem = phone_problem(text[name]) if text.get(name) else None
        if problem:
            raise RowError(name, problem)
    if not (text.get("sender_name") or text.get("sender_phone")):
        raise RowError("sender_name", "sender name or phone is required")
    if not (text.get("receiver_address") or text.get("receiver_name")):
        raise RowError("receiver_address", "receiver address or name is required")
    return Parcel(
        courier=mapping.courier,
        waybill=waybill,
        shipped_at=shipped_at,
        declared_contents=contents,
        declared_value=_number(text.get("declared_value", ""), "declared_value", mapping.value_scale),
        currency=currency,
        weight=_number(text.get("weight", ""), "weight", mapping.weight_scale),
        origin=text.get("origin", ""),
        destination=text.get("destination", ""),
        sender_name=text.get("sender_name", ""),
        sender_phone=text.get("sender_phone", ""),
        sender_address=text.get("sender_address", ""),
        receiver_name=text.get("receiver_name", ""),
        receiver_phone=text.get("receiver_phone", ""),
        receiver_address=text.get("receiver_address", ""),
    )


def manifest_format(path: Path, mapping: CourierMapping) -> str:
    if mapping.format:
        return mapping.format
    return "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"


def read_manifest(path: str | Path, mapping: CourierMapping) -> Iterator[Parcel | BadRow]:
    """Yield a Parcel or a BadRow per row. A header without a required column raises MappingError."""
    path = Path(path)
    if manifest_format(path, mapping) == "jsonl":
        yield from _read_jsonl(path, mapping)
    else:
        yield from _read_csv(path, mapping)


def _columns_for_header(header: list[str], mapping: CourierMapping, name: str) -> dict[str, str]:
    present = set(header)
    chosen: dict[str, str] = {}
    for field_name, alternatives in mapping.columns.items():
        column = next((c for c in alternatives if c in present), None)
        if column is not None:
            chosen[field_name] = column
        elif field_name in REQUIRED_COLUMNS:
            raise MappingError(f"{name}:1: header: no column for {field_name} (expected {' or '.join(alternatives)})")
    return chosen


def _read_csv(path: Path, mapping: CourierMapping) -> Iterator[Parcel | BadRow]:
    name = str(path)
    with open(path, encoding=mapping.encoding, newline="", errors="strict") as fh:
        reader = csv.reader(fh, delimiter=mapping.delimiter)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            raise MappingError(f"{name}:1: header: not {mapping.encoding} ({exc.reason})") from None
        chosen = _columns_for_header(header, mapping, name)
        positions = {field_name: header.index(column) for field_name, column in chosen.items()}
        line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as exc:
                yield BadRow(
                    name, line, "row", f"not {mapping.encoding} ({exc.reason}); the rest of the file is skipped"
                )
                return
            except csv.Error as exc:
                yield BadRow(name, line, "row", f"not valid CSV: {exc}")
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1  # a quoted field may span lines: report where the row starts
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield BadRow(name, start, "row", f"has {len(row)} columns, the header has {len(header)}")
                continue
            try:
                yield parcel_from_values({f: row[i] for f, i in positions.items()}, mapping)
            except RowError as exc:
                yield BadRow(name, start, exc.field, exc.reason)


def _dotted(data: Mapping[str, Any], key: str) -> Any:
    value: Any = data
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _read_jsonl(path: Path, mapping: CourierMapping) -> Iterator[Parcel | BadRow]:
    name = str(path)
    for number, data, error in json_lines(path):
        if error:
            yield BadRow(name, number, "row", error)
            continue
        if not isinstance(data, dict):
            yield BadRow(name, number, "row", f"must be a JSON object, got {type(data).__name__}")
            continue
        values = {}
        for field_name, alternatives in mapping.columns.items():
            values[field_name] = next(
                (v for v in (_dotted(data, c) for c in alternatives) if v is not None and v != ""), None
            )
        try:
            yield parcel_from_values(values, mapping)
        except RowError as exc:
            yield BadRow(name, number, exc.field, exc.reason)
