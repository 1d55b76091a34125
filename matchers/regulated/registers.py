"""Registers: a regime's official register as exported offline (CSV/TSV: number, product, holder, validity, status,
scope), read into an immutable Register the match index consults. Parsing an export and the compiled file the import
writes are pure text functions here; matchers/regulated/register_files.py reads and writes the files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType

from matchers.errors import RegisterError
from matchers.regulated.numbers import compact, key_of, parse_number
from matchers.regulated.rules import Regime

FORMAT_LINE = "# netsword register 1"
COLUMNS = ("number", "product", "holder", "valid_from", "valid_until", "status", "scope")
# header names in exports, by column (compared upper-cased, without spaces, _ - . :)
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("number", "no", "编号", "证号", "登记证号", "农药登记证号", "肥料登记证号", "批准文号", "药品批准文号",
               "兽药批准文号", "注册证号", "注册证编号", "注册号", "备案号", "备案编号", "许可证编号", "生产许可证编号",
               "证书编号", "审定编号", "品种审定编号", "登记编号", "食品生产许可证编号", "生产许可证号", "许可证号", "证书号",
               "审定号", "备案凭证编号", "registration number", "approval number",
               "licence number", "license number", "certificate number"),
    "product": ("product", "product name", "name", "产品名称", "登记名称", "药品名称", "通用名称", "产品通用名", "品种名称",
                "产品", "品名", "名称", "商品名称", "产品通用名", "兽药名称", "器械名称"),
    "holder": ("holder", "持有人", "登记证持有人", "上市许可持有人", "生产企业", "企业名称", "注册人", "备案人", "申请者",
               "申请单位", "育种者", "生产者名称", "委托人", "证书持有人", "认证委托人", "manufacturer", "company"),
    "valid_from": ("valid from", "issued", "发证日期", "批准日期", "首次批准日期", "颁证日期", "有效期起", "审定日期"),
    "valid_until": ("valid until", "expires", "有效期至", "有效截止日期", "截止日期", "有效期", "证书到期日期", "到期日期",
                    "validity"),
    "status": ("status", "状态", "证书状态", "登记状态"),
    "scope": ("scope", "范围", "使用范围", "适用范围", "生产范围", "许可范围", "食品类别", "产品范围", "适宜种植区域",
              "防治对象", "适宜作物", "作物", "备注"),
}  # fmt: skip
_HEADER_OF = {key_of(name): column for column, names in HEADERS.items() for name in names}
VALID_STATUS = ("有效", "正常", "在有效期", "VALID", "ACTIVE", "")
WITHDRAWN_STATUS = ("注销", "撤销", "撤回", "暂停", "失效", "过期", "吊销", "注销登记", "CANCELLED", "CANCELED", "REVOKED",
                    "SUSPENDED", "WITHDRAWN", "EXPIRED", "INVALID")  # fmt: skip
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_NO_EXPIRY = ("长期", "长期有效", "永久", "无", "-", "—", "N/A", "NONE")
_CELL = re.compile(r"[\t\r\n]+")


@dataclass(frozen=True)
class RegisterRecord:
    number: str
    product: str
    holder: str
    valid_from: date | None = None
    valid_until: date | None = None  # None: no end date
    status: str = ""  # as the register wrote it; "" when the export has no status column
    scope: str = ""

    @property
    def withdrawn(self) -> bool:
        return self.status.upper() in WITHDRAWN_STATUS


@dataclass(frozen=True)
class Register:
    """One regime's register as imported. `complete`: it lists every number there is, so a number missing from it
    does not exist; a partial one (a holder's own list, one province) only confirms the numbers it has."""

    regime: str
    records: Mapping[str, RegisterRecord]
    complete: bool = True
    source: str = ""
    sha256: str = ""
    imported_at: str = ""

    def find(self, keys: Iterable[str]) -> RegisterRecord | None:
        for key in keys:
            if key in self.records:
                return self.records[key]
        return None


@dataclass(frozen=True)
class RegisterSnapshot:
    """The registers the index matches against, by regime; read once, never changed while matching."""

    registers: Mapping[str, Register] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, regime: str) -> Register | None:
        return self.registers.get(regime)

    def __len__(self) -> int:
        return len(self.registers)


@dataclass
class ExportReport:
    """What reading an export found: the register, rows refused (`problems`) and rows kept with a warning."""

    register: Register
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def parse_date(text: str) -> tuple[date | None, ...]:
    """Every date in a cell, in order (2020-01-01至2025-01-01 gives two); raises ValueError on an impossible date."""
    out: list[date | None] = []
    for m in _DATE.finditer(text):
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        out.append(date(int(y), int(mo), int(d)))
    return tuple(out)


def _validity(cell: str) -> tuple[date | None, date | None]:
    text = cell.strip()
    if text.upper() in _NO_EXPIRY or not text:
        return None, None
    dates = parse_date(text)
    if not dates:
        raise ValueError("not a date such as 2027-08-21 (or 长期 for no end)")
    return (dates[0], dates[-1]) if len(dates) > 1 else (None, dates[0])


def _uncommented(text: str) -> list[str]:
    # comment lines stay as empty lines, so csv's line numbers are the file's
    return ["" if line.lstrip().startswith("#") else line for line in text.splitlines()]


def _delimiter(path: str, lines: list[str]) -> str:
    if path.lower().endswith((".tsv", ".tab", ".txt")):
        return "\t"
    header = next((line for line in lines if line.strip()), "")
    return "\t" if header.count("\t") > header.count(",") else ","


def _clean(value: str) -> str:
    return _CELL.sub(" ", value).strip()


def _merge(old: RegisterRecord, new: RegisterRecord) -> RegisterRecord:
    """One number on several rows (a pesticide's crops, a certificate's models): one record holding them all."""

    def union(a: str, b: str) -> str:
        parts = list(dict.fromkeys(p for p in (*a.split("；"), *b.split("；")) if p))
        return "；".join(parts)

    until = None if old.valid_until is None or new.valid_until is None else max(old.valid_until, new.valid_until)
    status = old.status if not old.withdrawn else new.status
    return replace(old, product=union(old.product, new.product), holder=union(old.holder, new.holder),
                   valid_until=until, status=status, scope=union(old.scope, new.scope))  # fmt: skip


def parse_export(
    text: str, regime: Regime, *, path: str, year: int, complete: bool = True, source: str = "", sha256: str = "",
    imported_at: str = "",
) -> ExportReport:  # fmt: skip
    """Read an export's rows. Refused rows are `problems` (`file:line: column: reason`); a number that fits the
    regime's pattern but fails one of our checks is kept with a warning, since the register knows better than we do."""
    lines = _uncommented(text)
    reader = csv.reader(lines, delimiter=_delimiter(path, lines))
    report = ExportReport(Register(regime.id, {}, complete, source, sha256, imported_at))
    columns: dict[str, int] = {}
    records: dict[str, RegisterRecord] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if not columns:
            for i, name in enumerate(row):
                column = _HEADER_OF.get(key_of(name))
                if column and column not in columns:
                    columns[column] = i
                elif name.strip():
                    report.ignored_columns.append(name.strip())
            for needed in ("number", "product", "holder"):
                if needed not in columns:
                    names = "、".join(HEADERS[needed][:6])
                    raise RegisterError(f"{path}:{line}: header: no {needed} column (a column named one of {names} …)")
            continue
        report.rows += 1
        cells = {c: _clean(row[i]) if i < len(row) else "" for c, i in columns.items()}
        where = f"{path}:{line}"
        number = compact(cells["number"])
        if not number:
            report.problems.append(f"{where}: number: is empty")
            continue
        parsed = parse_number(regime, number, year)
        if parsed.form is None:
            report.problems.append(
                f"{where}: number: {cells['number']!r} {parsed.problem.en if parsed.problem else ''}"
            )
            continue
        if parsed.problem:
            report.warnings.append(f"{where}: number: {cells['number']!r}: {parsed.problem.en} (kept: the register "
                                   "lists it, so our rule may be incomplete)")  # fmt: skip
        for needed in ("product", "holder"):
            if not cells[needed]:
                report.problems.append(f"{where}: {needed}: is empty")
        if not cells["product"] or not cells["holder"]:
            continue
        try:
            valid_from, valid_until = _validity(cells.get("valid_until", ""))
            if cells.get("valid_from"):
                valid_from = (parse_date(cells["valid_from"]) or (None,))[0]
        except ValueError as exc:
            report.problems.append(f"{where}: validity: {exc}, got {cells.get('valid_until', '')!r}")
            continue
        status = cells.get("status", "")
        if status.upper() not in (*VALID_STATUS, *WITHDRAWN_STATUS):
            known = "、".join((*VALID_STATUS[:3], *WITHDRAWN_STATUS[:6]))
            report.problems.append(f"{where}: status: {status!r} is not a known status ({known} …)")
            continue
        record = RegisterRecord(parsed.lookup_keys()[0], cells["product"], cells["holder"], valid_from, valid_until,
                                status, cells.get("scope", ""))  # fmt: skip
        records[record.number] = _merge(records[record.number], record) if record.number in records else record
    if not columns:
        raise RegisterError(f"{path}:1: header: the file is empty")
    report.register = replace(report.register, records=MappingProxyType(records))
    return report


def render_compiled(register: Register) -> str:
    """The compiled file the match index reads: a commented header, then one tab-separated record a line."""
    head = [FORMAT_LINE, f"# regime: {register.regime}", f"# complete: {'yes' if register.complete else 'no'}",
            f"# source: {_clean(register.source)}", f"# sha256: {register.sha256}",
            f"# imported_at: {register.imported_at}", f"# records: {len(register.records)}", "\t".join(COLUMNS)]  # fmt: skip
    rows = []
    for r in sorted(register.records.values(), key=lambda r: r.number):
        cells = (r.number, r.product, r.holder, r.valid_from.isoformat() if r.valid_from else "",
                 r.valid_until.isoformat() if r.valid_until else "", r.status, r.scope)  # fmt: skip
        rows.append("\t".join(_clean(c) for c in cells))
    return "\n".join(head + rows) + "\n"


def parse_compiled(text: str, path: str) -> Register:
    """A compiled register; raises RegisterError naming the file and line when it is not one."""
    lines = text.splitlines()
    if not lines or lines[0] != FORMAT_LINE:
        raise RegisterError(f"{path}:1: not a NetSword register file (first line {FORMAT_LINE!r}); re-import it with "
                            "netsword registers import")  # fmt: skip
    meta: dict[str, str] = {}
    records: dict[str, RegisterRecord] = {}
    for number, line in enumerate(lines[1:], 2):
        if line.startswith("# ") and ":" in line:
            key, _, value = line[2:].partition(":")
            meta[key.strip()] = value.strip()
            continue
        if not line or line == "\t".join(COLUMNS):
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            raise RegisterError(
                f"{path}:{number}: {len(cells)} columns where {len(COLUMNS)} are expected; re-import it"
            )
        try:
            start, until = (date.fromisoformat(c) if c else None for c in cells[3:5])
        except ValueError:
            raise RegisterError(f"{path}:{number}: validity: not an ISO date; re-import it") from None
        records[cells[0]] = RegisterRecord(cells[0], cells[1], cells[2], start, until, cells[5], cells[6])
    if "regime" not in meta:
        raise RegisterError(f"{path}:1: no '# regime:' line; re-import it")
    return Register(meta["regime"], MappingProxyType(records), meta.get("complete", "yes") == "yes",
                    meta.get("source", ""), meta.get("sha256", ""), meta.get("imported_at", ""))  # fmt: skip
