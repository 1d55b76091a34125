"""Validating YAML-loaded files field by field, with `file:line: field: message` problems (watchlists, rules, jobs).

Framework-free: the data and its line map come from `watchlists.yaml_lines.load_with_lines`; this module only
checks values, finds the line to blame and formats the problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PathKey = tuple[str | int, ...]
Validator = Callable[[Any], Any]
# field name -> (validator, required)
Schema = Mapping[str, tuple[Validator, bool]]
ID_PATTERN = re.compile(r"^[a-z0-9._:-]+$")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 0: the file as a whole (missing, unreadable)
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}: {where}{self.message}"


class Invalid(ValueError):
    """A value (or, with `key`, one field of a mapping) failed a check; the message says why."""

    def __init__(self, message: str, key: str | int | None = None) -> None:
        super().__init__(message)
        self.key = key


def read_source(path: str | Path) -> str:
    """The file's text as UTF-8; raises Invalid('no such file' / 'cannot read: …')."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Invalid("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read: {exc}") from None


def line_of(lines: Mapping[PathKey, int], at: PathKey) -> int:
    """The line of `at`, or of its nearest enclosing item (a missing field has no line of its own)."""
    for n in range(len(at), -1, -1):
        if at[:n] in lines:
            return lines[at[:n]]
    return 1


def dotted(at: PathKey, *, brackets: bool = False) -> str:
    """`rules.0.to`, or with brackets `trademarks[0].mark`."""
    if not brackets:
        return ".".join(str(part) for part in at)
    out = ""
    for part in at:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def check_fields(item: Mapping[str, Any], schema: Schema) -> tuple[dict[str, Any], list[tuple[str, str]], list[str]]:
    """Validate a mapping against a schema: (good fields, (field, problem) pairs, required fields missing).

    A field given as null counts as absent, so a required one left empty is reported missing rather than crashing.
    """
    fields: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, value in item.items():
        if key not in schema:
            problems.append((key, f"unknown field (known: {', '.join(sorted(schema))})"))
        elif value is not None:
            try:
                fields[key] = schema[key][0](value)
            except Invalid as exc:
                problems.append((key, str(exc)))
    missing = [key for key, (_, required) in schema.items() if required and item.get(key) is None]
    return fields, problems, missing


def text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise Invalid(f"must be text, got {type(value).__name__}")
    out = str(value).strip()
    if not out:
        raise Invalid("must not be empty")
    return out


def texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"must be a list, got {type(value).__name__}")
    return tuple(text(v) for v in value)


def identifier(value: Any) -> str:
    out = text(value)
    if not ID_PATTERN.match(out):
        raise Invalid(f"{out!r} must use only a-z 0-9 . _ : -")
    return out


def one_of(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        out = text(value)
        if out not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}, got {out!r}")
        return out

    return check


def int_range(low: int, high: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Invalid(f"must be a whole number {low}–{high}, got {value!r}")
        return value

    return check
