"""Read watchlist files (YAML or JSON) into a Watchlist, all or nothing, with `file:line: field: what` errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from watchlists.model import GeographicalIndication, Msrp, Patent, Trademark, Watchlist
from watchlists.patent_numbers import PATENT_TYPES, parse_patent_number
from watchlists.yaml_lines import Path_, YamlShapeError, load_with_lines

_ID = re.compile(r"^[a-z0-9._:-]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
SECTIONS = ("trademarks", "patents", "geographical_indications")
TRADEMARK_STATUSES = ("registered", "pending", "expired")
PATENT_KINDS = ("invention", "utility_model", "design")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class WatchlistError(ValueError):
    """One or more problems; no file that had a problem was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _Bad(ValueError):
    pass


def _text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Bad(f"must be text, got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise _Bad("must not be empty")
    return text


def _entry_id(value: Any) -> str:
    text = _text(value)
    if not _ID.match(text):
        raise _Bad(f"{text!r} must use only a-z 0-9 . _ : -")
    return text


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _Bad(f"must be a list, got {type(value).__name__}")
    return tuple(_text(v) for v in value)


def _classes(value: Any) -> tuple[int, ...]:
    if not isinstance(value, list):
        value = [value]
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).isdigit():
            raise _Bad(f"Nice class must be a whole number 1–45, got {item!r}")
        number = int(item)
        if not 1 <= number <= 45:
            raise _Bad(f"Nice class must be 1–45, got {number}")
        out.append(number)
    return tuple(out)


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _Bad(f"must be a date YYYY-MM-DD, got {value!r}") from None


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        text = _text(value)
        if text not in choices:
            raise _Bad(f"must be one of {', '.join(choices)}, got {text!r}")
        return text

    return check


def _msrp(value: Any) -> Msrp:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = {"min": value}
    if not isinstance(value, dict):
        raise _Bad("must be {min: NUMBER, currency: CODE}")
    unknown = set(value) - {"min", "currency"}
    if unknown:
        raise _Bad(f"unknown field {sorted(unknown)[0]!r} (known: min, currency)")
    price = value.get("min")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or price <= 0:
        raise _Bad(f"min must be a positive number, got {price!r}")
    currency = str(value.get("currency", "CNY")).upper()
    if not _CURRENCY.match(currency):
        raise _Bad(f"currency must be an ISO 4217 code, got {currency!r}")
    return Msrp(min=float(price), currency=currency)


def _patent_number(value: Any) -> str:
    text = _text(value)
    parsed = parse_patent_number(text)
    if parsed is None:
        raise _Bad(f"{text!r} is not a Chinese application number (ZL + 8 or 12 digits + . + check character)")
    if not parsed.check:
        raise _Bad(f"{text!r} lacks its check character (expected .{parsed.expected_check})")
    if not parsed.check_ok:
        raise _Bad(f"{text!r} has check character {parsed.check}, expected {parsed.expected_check}")
    return parsed.canonical


# field name -> (validator, required)
_Schema = dict[str, tuple[Callable[[Any], Any], bool]]
_COMMON: _Schema = {
    "id": (_entry_id, True),
    "owner": (_text, False),
    "authorized_sellers": (_texts, False),
    "contacts": (_texts, False),
    "classes": (_classes, False),
}
_SCHEMAS: dict[str, _Schema] = {
    "trademarks": {
        **_COMMON,
        "mark": (_text, True),
        "variants": (_texts, False),
        "registration": (_text, False),
        "office": (_text, False),
        "status": (_one_of(TRADEMARK_STATUSES), False),
        "valid_until": (_date, False),
        "msrp": (_msrp, False),
        "notes": (_text, False),
    },
    "patents": {
        **_COMMON,
        "number": (_patent_number, True),
        "kind": (_one_of(PATENT_KINDS), True),
        "title": (_text, True),
        "keywords": (_texts, False),
        "valid_until": (_date, False),
        "notes": (_text, False),
    },
    "geographical_indications": {
        **_COMMON,
        "name": (_text, True),
        "region": (_texts, True),
        "variants": (_texts, False),
        "notes": (_text, False),
    },
}


def _build_entry(section: str, fields: dict[str, Any], source: str) -> Any:
    fields.pop("notes", None)
    if section == "trademarks":
        return Trademark(source=source, **fields)
    if section == "patents":
        fields["kind_of_patent"] = fields.pop("kind")
        return Patent(source=source, **fields)
    return GeographicalIndication(source=source, **fields)


def _parse_file(path: Path) -> tuple[list[Any], list[Problem], dict[str, int]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(name, 0, "", "no such file")], {}
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, 0, "", f"cannot read: {exc}")], {}
    try:
        data, lines = load_with_lines(text)
    except YamlShapeError as exc:
        return [], [Problem(name, exc.line, "", str(exc))], {}
    problems: list[Problem] = []

    def bad(at: Path_, message: str) -> None:
        problems.append(Problem(name, lines.get(at, 1), _dotted(at), message))

    if not isinstance(data, dict):
        bad((), "a watchlist must be a mapping with version and trademarks/patents/geographical_indications")
        return [], problems, {}
    if data.get("version") != 1:
        bad(("version",) if "version" in data else (), f"version must be 1, got {data.get('version')!r}")
    for key in data:
        if key != "version" and key not in SECTIONS:
            bad((key,), f"unknown section (known: version, {', '.join(SECTIONS)})")
    entries: list[Any] = []
    id_lines: dict[str, int] = {}
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            bad((section,), "must be a list of entries")
            continue
        schema = _SCHEMAS[section]
        for index, item in enumerate(items):
            at: Path_ = (section, index)
            if not isinstance(item, dict):
                bad(at, "each entry must be a mapping")
                continue
            fields: dict[str, Any] = {}
            for key, value in item.items():
                if key not in schema:
                    bad((*at, key), f"unknown field (known: {', '.join(sorted(schema))})")
                    continue
                if value is None:
                    continue
                try:
                    fields[key] = schema[key][0](value)
                except _Bad as exc:
                    bad((*at, key), str(exc))
            for key, (_, required) in schema.items():
                if required and key not in item:
                    bad(at, f"{key} is required")
            entry_id = fields.get("id")
            if entry_id:
                if entry_id in id_lines:
                    bad((*at, "id"), f"duplicate id {entry_id!r} (first at line {id_lines[entry_id]})")
                id_lines[entry_id] = lines.get((*at, "id"), 1)
            if not problems:
                entries.append(_build_entry(section, fields, name))
    return entries, problems, id_lines


def _dotted(at: Path_) -> str:
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load_watchlists(paths: Iterable[str | Path]) -> Watchlist:
    """Load every file; raise WatchlistError listing all problems (a file with any problem loads nothing)."""
    problems: list[Problem] = []
    entries: list[Any] = []
    seen: dict[str, tuple[str, int]] = {}
    sources = []
    for raw in paths:
        path = Path(raw)
        file_entries, file_problems, id_lines = _parse_file(path)
        for entry_id, line in id_lines.items():
            if entry_id in seen:
                first_file, first_line = seen[entry_id]
                file_problems.append(
                    Problem(str(path), line, "id", f"duplicate id {entry_id!r} (also in {first_file}:{first_line})")
                )
            else:
                seen[entry_id] = (str(path), line)
        problems.extend(file_problems)
        if not file_problems:
            entries.extend(file_entries)
            sources.append(str(path))
    if problems:
        raise WatchlistError(problems)
    return Watchlist(
        trademarks=tuple(e for e in entries if isinstance(e, Trademark)),
        patents=tuple(e for e in entries if isinstance(e, Patent)),
        geographical_indications=tuple(e for e in entries if isinstance(e, GeographicalIndication)),
        sources=tuple(sources),
    )


def patent_kind_of(number: str) -> str:
    """The patent kind implied by a number's type digit (used to warn on mismatches)."""
    parsed = parse_patent_number(number)
    return PATENT_TYPES.get(parsed.type_digit, "unknown") if parsed else "unknown"
