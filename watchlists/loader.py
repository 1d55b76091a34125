"""Read watchlist files (YAML or JSON) into a Watchlist, all or nothing, with `file:line: field: what` errors."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from netsword.yaml_validation import (
    ID_PATTERN,
    Invalid,
    Problem,
    Schema,
    check_fields,
    dotted,
    identifier,
    line_of,
    one_of,
    read_source,
    text,
    texts,
)
from watchlists.model import WORK_TYPES, GeographicalIndication, Msrp, Patent, Trademark, Watchlist, Work
from watchlists.patent_numbers import PATENT_TYPES, parse_patent_number
from watchlists.yaml_lines import Path_, YamlShapeError, fast_load, load_with_lines

_CURRENCY = re.compile(r"^[A-Z]{3}$")
SECTIONS = ("trademarks", "patents", "geographical_indications", "works")
TRADEMARK_STATUSES = ("registered", "pending", "expired")
PATENT_KINDS = ("invention", "utility_model", "design")


class WatchlistError(ValueError):
    """One or more problems; no file that had a problem was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _classes(value: Any) -> tuple[int, ...]:
    if type(value) is list and all(type(item) is int and 1 <= item <= 45 for item in value):
        return _shared(tuple(value))  # the common case, checked at once
    if not isinstance(value, list):
        value = [value]
    out = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, str)) or not str(item).isdigit():
            raise Invalid(f"Nice class must be a whole number 1–45, got {item!r}")
        number = int(item)
        if not 1 <= number <= 45:
            raise Invalid(f"Nice class must be 1–45, got {number}")
        out.append(number)
    return _shared(tuple(out))


@lru_cache(maxsize=10_000)
def _shared(classes: tuple[int, ...]) -> tuple[int, ...]:
    """One tuple object per distinct set of classes (the first one seen, remembered as `_msrp_of` remembers prices):
    100,000 entries hold a few hundred (and the index cache stores each once)."""
    return classes


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"must be a date YYYY-MM-DD, got {value!r}") from None


def _msrp(value: Any) -> Msrp:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = {"min": value}
    if not isinstance(value, dict):
        raise Invalid("must be {min: NUMBER, currency: CODE}")
    unknown = set(value) - {"min", "currency"}
    if unknown:
        raise Invalid(f"unknown field {sorted(unknown)[0]!r} (known: min, currency)")
    price = value.get("min")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or price <= 0:
        raise Invalid(f"min must be a positive number, got {price!r}")
    currency = str(value.get("currency", "CNY")).upper()
    if not _CURRENCY.match(currency):
        raise Invalid(f"currency must be an ISO 4217 code, got {currency!r}")
    return _msrp_of(float(price), currency)


@lru_cache(maxsize=1024)
def _msrp_of(price: float, currency: str) -> Msrp:
    """One (frozen) Msrp per distinct price: most entries of a large watchlist share a few."""
    return Msrp(min=price, currency=currency)


# The common case of the generic checks (netsword.yaml_validation) without their general work: a 100,000-entry file is
# 600,000 values. Anything else goes to the generic check, which returns the same value or names the problem.
def _text(value: Any) -> str:
    if type(value) is str and (out := value.strip()):
        return out
    return text(value)


def _texts(value: Any) -> tuple[str, ...]:
    if type(value) is list and all(type(v) is str for v in value):
        out = tuple(v.strip() for v in value)
        if all(out):
            return out
    return texts(value)


def _identifier(value: Any) -> str:
    out = _text(value)
    return out if ID_PATTERN.match(out) else identifier(value)


def _patent_number(value: Any) -> str:
    number = text(value)
    parsed = parse_patent_number(number)
    if parsed is None:
        raise Invalid(f"{number!r} is not a Chinese application number (ZL + 8 or 12 digits + . + check character)")
    if not parsed.check:
        raise Invalid(f"{number!r} lacks its check character (expected .{parsed.expected_check})")
    if not parsed.check_ok:
        raise Invalid(f"{number!r} has check character {parsed.check}, expected {parsed.expected_check}")
    return parsed.canonical


def _title(value: Any) -> str:
    title = text(value)
    if len(title.strip()) < 2:
        raise Invalid(f"a title needs at least two characters, got {title!r}")  # one letter would match everywhere
    return title


def _titles(value: Any) -> tuple[str, ...]:
    return tuple(_title(v) for v in texts(value))


_COMMON: Schema = {
    "id": (_identifier, True),
    "owner": (_text, False),
    "authorized_sellers": (_texts, False),
    "contacts": (_texts, False),
    "classes": (_classes, False),
}
_SCHEMAS: dict[str, Schema] = {
    "trademarks": {
        **_COMMON,
        "mark": (_text, True),
        "variants": (_texts, False),
        "products": (_texts, False),
        "registration": (_text, False),
        "office": (_text, False),
        "status": (one_of(TRADEMARK_STATUSES), False),
        "valid_until": (_date, False),
        "msrp": (_msrp, False),
        "notes": (_text, False),
    },
    "patents": {
        **_COMMON,
        "number": (_patent_number, True),
        "kind": (one_of(PATENT_KINDS), True),
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
    "works": {  # copyright works watched for piracy (docs/watchlists.md#works)
        **_COMMON,
        "title": (_title, True),
        "type": (one_of(WORK_TYPES), True),
        "titles": (_titles, False),
        "aliases": (_titles, False),
        "registration": (_text, False),
        "msrp": (_msrp, False),
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
    if section == "works":
        fields["work_type"] = fields.pop("type")
        return Work(source=source, **fields)
    return GeographicalIndication(source=source, **fields)


def _parse_file(path: Path) -> tuple[list[Any], list[Problem], dict[str, int]]:
    """Entries, problems and the line of each id. A large file is read on the fast path (json / libyaml, no line
    numbers); only when that fails, or the file has a problem, is it read again keeping lines, to name them."""
    name = str(path)
    try:
        text = read_source(path)
    except Invalid as exc:
        return [], [Problem(name, 0, "", str(exc))], {}
    fast, data = fast_load(text)
    if fast:
        entries, problems, id_lines = _validate(name, data, {})
        if not problems:
            return entries, problems, {entry_id: 0 for entry_id in id_lines}  # 0: look the line up when needed
    try:
        data, lines = load_with_lines(text)
    except YamlShapeError as exc:
        return [], [Problem(name, exc.line, "", str(exc))], {}
    return _validate(name, data, lines)


def _id_lines(path: Path) -> dict[str, int]:
    """The line of each entry id of a file already read on the fast path (for a duplicate across files)."""
    data, lines = load_with_lines(read_source(path))
    return _validate(str(path), data, lines)[2]


def _validate(name: str, data: Any, lines: dict[Path_, int]) -> tuple[list[Any], list[Problem], dict[str, int]]:
    problems: list[Problem] = []

    def bad(at: Path_, message: str) -> None:
        problems.append(Problem(name, line_of(lines, at), dotted(at, brackets=True), message))

    if not isinstance(data, dict):
        bad((), "a watchlist must be a mapping with version and trademarks/patents/geographical_indications/works")
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
            fields, field_problems, missing = check_fields(item, schema)
            for key, message in field_problems:
                bad((*at, key), message)
            for key in missing:
                bad(at, f"{key} is required")
            entry_id = fields.get("id")
            if entry_id:
                if entry_id in id_lines:
                    bad((*at, "id"), f"duplicate id {entry_id!r} (first at line {id_lines[entry_id]})")
                id_lines[entry_id] = lines.get((*at, "id"), 1)
            if not problems:
                entries.append(_build_entry(section, fields, name))
    return entries, problems, id_lines


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Reading 100,000 entries allocates millions of objects and no cycles: collecting meanwhile only costs time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def load_watchlists(paths: Iterable[str | Path]) -> Watchlist:
    """Load every file; raise WatchlistError listing all problems (a file with any problem loads nothing)."""
    with _paused_gc():
        return _load_watchlists(paths)


def _load_watchlists(paths: Iterable[str | Path]) -> Watchlist:
    problems: list[Problem] = []
    entries: list[Any] = []
    seen: dict[str, tuple[str, int]] = {}
    sources = []
    for raw in paths:
        path = Path(raw)
        file_entries, file_problems, id_lines = _parse_file(path)
        if any(entry_id in seen for entry_id in id_lines) and 0 in id_lines.values():
            id_lines = _id_lines(path)
        for entry_id, line in id_lines.items():
            if entry_id in seen:
                first_file, first_line = seen[entry_id]
                if first_line == 0:
                    first_line = _id_lines(Path(first_file)).get(entry_id, 0)
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
        works=tuple(e for e in entries if isinstance(e, Work)),
        sources=tuple(sources),
    )


def patent_kind_of(number: str) -> str:
    """The patent kind implied by a number's type digit (used to warn on mismatches)."""
    parsed = parse_patent_number(number)
    return PATENT_TYPES.get(parsed.type_digit, "unknown") if parsed else "unknown"
