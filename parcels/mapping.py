"""Courier column mappings: which manifest column (CSV header or JSONL dotted key) holds which parcel field.

Bundled mappings live in parcels/couriers/NAME.yaml; `parcels.couriers_dir` adds or overrides them by name.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parcels.model import FIELDS
from watchlists.yaml_lines import YamlShapeError, load_with_lines

BUNDLED_DIR = Path(__file__).resolve().parent / "couriers"
REQUIRED_COLUMNS = ("waybill", "shipped_at", "declared_contents")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class MappingError(ValueError):
    """A bad or unknown courier mapping, or a manifest header that lacks a required column."""


@dataclass(frozen=True)
class CourierMapping:
    courier: str
    name: str = ""
    format: str = ""  # csv | jsonl | '' (by file suffix)
    delimiter: str = ","
    encoding: str = "utf-8-sig"
    currency: str = "CNY"
    value_scale: float = 1.0
    weight_scale: float = 1.0
    date_formats: tuple[str, ...] = ()
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""


def _text_list(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    if isinstance(value, bool):  # YAML 1.1 reads a bare No / Yes / On as a boolean
        raise MappingError(f'{where}: read as {str(value).lower()}; quote the column name, e.g. "No"')
    raise MappingError(f"{where}: must be a column name or a list of column names")


def parse_mapping(data: Any, source: str) -> CourierMapping:
    """Validate a decoded mapping file; errors name the file and the key."""
    if not isinstance(data, dict):
        raise MappingError(f"{source}: must be a mapping with `courier` and `columns`")
    courier = data.get("courier")
    if not isinstance(courier, str) or not _NAME.match(courier):
        raise MappingError(f"{source}: courier: must be a short lower-case name such as sf, got {courier!r}")
    known = {"courier", "name", "format", "delimiter", "encoding", "currency", "value_scale", "weight_scale",
             "date_formats", "columns"}  # fmt: skip
    for key in data:
        if key not in known:
            raise MappingError(f"{source}: {key}: unknown key (known: {', '.join(sorted(known))})")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise MappingError(f"{source}: columns: must map parcel fields to manifest columns")
    parsed: dict[str, tuple[str, ...]] = {}
    for name, value in columns.items():
        if name not in FIELDS:
            raise MappingError(f"{source}: columns.{name}: not a parcel field (fields: {', '.join(FIELDS)})")
        parsed[name] = _text_list(value, f"{source}: columns.{name}")
    for name in REQUIRED_COLUMNS:
        if name not in parsed:
            raise MappingError(f"{source}: columns.{name}: is required")
    fmt = data.get("format", "")
    if fmt not in ("", "csv", "jsonl"):
        raise MappingError(f"{source}: format: must be csv or jsonl, got {fmt!r}")
    scales: dict[str, float] = {}
    for key in ("value_scale", "weight_scale"):
        value = data.get(key, 1.0)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise MappingError(f"{source}: {key}: must be a positive number, got {value!r}")
        scales[key] = float(value)
    dates = data.get("date_formats", [])
    if not isinstance(dates, list) or not all(isinstance(d, str) for d in dates):
        raise MappingError(f"{source}: date_formats: must be a list of strptime formats")
    encoding = data.get("encoding", "utf-8-sig")
    try:
        codecs.lookup(encoding) if isinstance(encoding, str) else None
    except LookupError:
        raise MappingError(
            f"{source}: encoding: not a known text encoding (e.g. utf-8-sig, gb18030), got {encoding!r}"
        ) from None
    if not isinstance(encoding, str):
        raise MappingError(f"{source}: encoding: must be the name of a text encoding such as gb18030")
    delimiter = data.get("delimiter", ",")
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise MappingError(f"{source}: delimiter: must be one character, got {delimiter!r}")
    return CourierMapping(
        courier=courier,
        name=str(data.get("name", courier)),
        format=fmt,
        delimiter=delimiter,
        encoding=encoding,
        currency=str(data.get("currency", "CNY")).upper(),
        date_formats=tuple(dates),
        columns=parsed,
        source=source,
        **scales,
    )


def load_mapping_file(path: Path) -> CourierMapping:
    """One courier mapping file, read with the bounded YAML loader every NetSword file uses (no alias bombs)."""
    try:
        data, _lines = load_with_lines(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MappingError(f"{path}: not UTF-8 text") from None
    except YamlShapeError as exc:
        raise MappingError(f"{path}:{exc.line}: {exc}") from None
    return parse_mapping(data, str(path))


def available_couriers(user_dir: str = "") -> list[str]:
    names = {p.stem for d in [*([Path(user_dir)] if user_dir else []), BUNDLED_DIR] for p in d.glob("*.yaml")}
    return sorted(names)


def find_mapping(courier: str, user_dir: str = "") -> CourierMapping:
    """The mapping named `courier` from the user's directory or the bundled ones."""
    if not _NAME.match(courier or ""):
        raise MappingError(f"--courier: must be a short lower-case name such as sf, got {courier!r}")
    for directory in [*([Path(user_dir)] if user_dir else []), BUNDLED_DIR]:
        path = directory / f"{courier}.yaml"
        if path.is_file():
            mapping = load_mapping_file(path)
            if mapping.courier != courier:
                raise MappingError(f"{path}: courier: must match the file name {courier!r}, got {mapping.courier!r}")
            return mapping
    known = ", ".join(available_couriers(user_dir))
    raise MappingError(
        f"--courier: no mapping named {courier!r} (known: {known}; add {courier}.yaml to parcels.couriers_dir)"
    )
