"""The registers a configuration's index matches against: the compiled files under `<paths.var_dir>/registers/`."""

from __future__ import annotations

from pathlib import Path

from matchers.regulated.register_files import load_registers, registers_dir
from matchers.regulated.registers import RegisterSnapshot
from netsword.config import Config


def configured_registers_dir(cfg: Config) -> Path:
    return registers_dir(cfg.var_dir)


def configured_registers(cfg: Config) -> RegisterSnapshot:
    """Every register imported with `netsword registers import` (none yet: an empty snapshot)."""
    return load_registers(configured_registers_dir(cfg))
