"""Register files: reading an export (UTF-8 or GB18030, as government sites export), writing the compiled register
(`<var_dir>/registers/<regime>.tsv`, replaced atomically so a crawl starting meanwhile reads the old or the new one,
never half of one) and reading every compiled register into the snapshot the match index uses.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType

from matchers.regulated.registers import (
    ExportReport,
    Register,
    RegisterError,
    RegisterSnapshot,
    parse_compiled,
    parse_export,
    render_compiled,
)
from matchers.regulated.rules import Rules, load_rules

SUFFIX = ".tsv"


def registers_dir(var_dir: str | Path) -> Path:
    return Path(var_dir) / "registers"


def read_export(path: str | Path) -> tuple[str, str, str]:
    """(text, encoding, sha256) of an export; UTF-8 (with or without BOM), else GB18030."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise RegisterError(f"{path}:0: no such file") from None
    except OSError as exc:
        raise RegisterError(f"{path}:0: cannot read: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding, digest
        except UnicodeDecodeError:
            continue
    raise RegisterError(f"{path}:0: neither UTF-8 nor GB18030 text")


@dataclass(frozen=True)
class ImportResult:
    report: ExportReport
    path: Path  # the compiled register written (or that would be written)
    encoding: str
    replaced: Register | None  # the register it replaced, if any
    written: bool


def import_export(
    export: str | Path, regime_id: str, directory: str | Path, *, complete: bool = True, keep_bad_rows: bool = False,
    rules: Rules | None = None, today: date | None = None, dry_run: bool = False, label: str = "",
) -> ImportResult:  # fmt: skip
    """Read an export and, unless a row was refused (or `keep_bad_rows`), replace the regime's compiled register.
    `label`: what messages and the register's source name the export by (a URL it was downloaded from)."""
    rules = rules or load_rules()
    regime = rules.get(regime_id)
    if regime is None:
        known = ", ".join(r.id for r in rules.regimes)
        raise RegisterError(f"{export}:0: regime: {regime_id!r} is not a regime (known: {known})")
    text, encoding, digest = read_export(export)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = parse_export(text, regime, path=label or str(export), year=(today or date.today()).year,
                          complete=complete, source=label or Path(export).name, sha256=digest,
                          imported_at=now)  # fmt: skip
    target = registers_dir_file(directory, regime.id)
    replaced = _read(target) if target.exists() else None
    written = False
    if not dry_run and (keep_bad_rows or not report.problems) and report.register.records:
        write_register(directory, report.register)
        written = True
    return ImportResult(report, target, encoding, replaced, written)


def registers_dir_file(directory: str | Path, regime_id: str) -> Path:
    return Path(directory) / f"{regime_id}{SUFFIX}"


def write_register(directory: str | Path, register: Register) -> Path:
    """Write the compiled register next to the others, atomically (a temporary file renamed over the old one)."""
    where = Path(directory)
    where.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = registers_dir_file(where, register.regime)
    fd, tmp = tempfile.mkstemp(prefix=f".{register.regime}.", suffix=".part", dir=where)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(render_compiled(register))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _read(path: Path) -> Register:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegisterError(f"{path}:0: cannot read: {exc}; re-import it with netsword registers import") from None
    return parse_compiled(text, str(path))


def load_registers(directory: str | Path, rules: Rules | None = None) -> RegisterSnapshot:
    """Every compiled register in `directory` (none when it does not exist), checked against the rules' regimes."""
    rules = rules or load_rules()
    where = Path(directory)
    if not where.is_dir():
        return RegisterSnapshot()
    registers: dict[str, Register] = {}
    for path in sorted(where.glob(f"*{SUFFIX}")):
        register = _read(path)
        if rules.get(register.regime) is None or path.stem != register.regime:
            raise RegisterError(f"{path}:2: regime: {register.regime!r} is not the regime its name says or not a "
                                "regime at all; remove it with netsword registers remove")  # fmt: skip
        registers[register.regime] = register
    return RegisterSnapshot(MappingProxyType(registers))


def remove_register(directory: str | Path, regime_id: str) -> bool:
    target = registers_dir_file(directory, regime_id)
    if not target.exists():
        return False
    target.unlink()
    return True
