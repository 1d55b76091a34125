"""Trademark registers in bulk: a CSV or TSV export (registration number, classes, mark, registrant, validity) read
into watchlist entries and written as a JSON watchlist, one entry a line (the fast path of watchlists.loader).

Columns are found by their header, in English or Chinese (注册号, 国际分类, 商标名称, 注册人/申请人, 专用权期限 …);
a bad row is reported as `file:line: field: what is wrong` and nothing is written while any row is bad.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from netsword.yaml_validation import Problem

# header (lower-cased, spaces and underscores dropped) → field
COLUMNS = {
    "registration": ("registration", "registrationnumber", "regno", "regnumber", "number", "注册号", "申请号",
                     "注册/申请号", "商标注册号"),
    "classes": ("classes", "class", "niceclass", "niceclasses", "intcls", "国际分类", "类别", "类号", "分类"),
    "mark": ("mark", "trademark", "name", "wordmark", "商标", "商标名称", "商标名"),
    "owner": ("registrant", "owner", "applicant", "holder", "注册人", "申请人", "申请人名称", "权利人"),
    "valid_until": ("validity", "validuntil", "expiry", "expires", "expirydate", "专用权期限", "有效期", "有效期至",
                    "专用期限"),
    "status": ("status", "状态", "商标状态"),
    "variants": ("variants", "othernames", "其他名称"),
}  # fmt: skip
REQUIRED = ("registration", "classes", "mark")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})")
_STATUS = {"registered": "registered", "注册": "registered", "已注册": "registered", "pending": "pending",
           "申请中": "pending", "待审": "pending", "expired": "expired", "无效": "expired", "已失效": "expired"}  # fmt: skip


class RegisterError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    entries: int
    rows: int
    path: Path


def _key(header: str) -> str:
    return re.sub(r"[\s_\-]", "", header.strip().lower().lstrip("\ufeff"))


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        for field, names in COLUMNS.items():
            if _key(name) in names and field not in found:
                found[field] = i
    return found


def _classes(text: str) -> list[int]:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers or any(not 1 <= n <= 45 for n in numbers):
        raise ValueError(f"Nice classes must be numbers 1–45, got {text!r}")
    return sorted(set(numbers))


def _valid_until(text: str) -> str:
    """The end of a validity written as a date or a range (`2011-01-14至2021-01-13`): its last date."""
    dates = _DATE.findall(text)
    if not dates:
        raise ValueError(f"must be a date YYYY-MM-DD or a range of dates, got {text!r}")
    year, month, day = (int(x) for x in dates[-1])
    return date(year, month, day).isoformat()


def read_register(path: str | Path, *, office: str = "", id_prefix: str = "tm-") -> list[dict[str, Any]]:
    """Watchlist entries (as mappings) of every row of a register file; RegisterError names every bad row."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    dialect = "excel-tab" if path.suffix.lower() in (".tsv", ".tab") or text.split("\n", 1)[0].count("\t") else "excel"
    rows = list(csv.reader(text.splitlines(), dialect=dialect))
    problems: list[Problem] = []
    if not rows:
        raise RegisterError([Problem(str(path), 1, "", "the file is empty")])
    columns = _columns(rows[0])
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise RegisterError(
            [Problem(str(path), 1, missing[0], f"no {missing[0]} column (headers: {', '.join(rows[0])})")]
        )
    entries: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cell = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        for field in REQUIRED:
            if not cell[field]:
                problems.append(Problem(str(path), line, field, "is empty"))
        if any(not cell[f] for f in REQUIRED):
            continue
        entry: dict[str, Any] = {"id": f"{id_prefix}r{re.sub(r'[^0-9A-Za-z]', '', cell['registration']).lower()}"}
        if entry["id"] in seen:
            problems.append(Problem(str(path), line, "registration",
                                    f"duplicate registration {cell['registration']!r} (first at line {seen[entry['id']]})"))  # fmt: skip
            continue
        seen[entry["id"]] = line
        entry["mark"] = cell["mark"]
        variants = [v.strip() for v in re.split(r"[;；|]", cell.get("variants", "")) if v.strip()]
        if variants:
            entry["variants"] = variants
        if cell.get("owner"):
            entry["owner"] = cell["owner"]
        entry["registration"] = cell["registration"]
        if office:
            entry["office"] = office
        try:
            entry["classes"] = _classes(cell["classes"])
        except ValueError as exc:
            problems.append(Problem(str(path), line, "classes", str(exc)))
            continue
        if cell.get("status"):
            status = _STATUS.get(cell["status"].lower())
            if status is None:
                problems.append(Problem(str(path), line, "status", f"unknown status {cell['status']!r}"))
                continue
            entry["status"] = status
        if cell.get("valid_until"):
            try:
                entry["valid_until"] = _valid_until(cell["valid_until"])
            except ValueError as exc:
                problems.append(Problem(str(path), line, "valid_until", str(exc)))
                continue
        entries.append(entry)
    if problems:
        raise RegisterError(problems)
    return entries


def write_watchlist(entries: list[dict[str, Any]], out: str | Path) -> Path:
    """A JSON watchlist, one entry a line: json reads it fast and a problem's line is the entry's."""
    out = Path(out)
    body = ",\n".join(json.dumps(e, ensure_ascii=False, separators=(", ", ": ")) for e in entries)
    out.write_text('{"version": 1, "trademarks": [\n' + body + "\n]}\n", encoding="utf-8")
    return out


def import_register(path: str | Path, out: str | Path, *, office: str = "", id_prefix: str = "tm-") -> ImportResult:
    entries = read_register(path, office=office, id_prefix=id_prefix)
    return ImportResult(len(entries), len(entries), write_watchlist(entries, out))
