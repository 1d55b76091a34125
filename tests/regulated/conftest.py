"""Fixtures for the regulated-goods tests: the checks with and without the synthetic sample registers."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchers.regulated import RegulatedChecks
from matchers.regulated.register_files import import_export, load_registers

SAMPLE_REGISTERS = Path(__file__).resolve().parents[2] / "demo" / "data" / "registers"  # synthetic, real formats


@pytest.fixture(scope="session")
def sample_registers_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample register imported, as `netsword registers import` does."""
    where = tmp_path_factory.mktemp("registers")
    for path in sorted(SAMPLE_REGISTERS.glob("*.csv")):
        result = import_export(path, path.stem, where)
        assert result.written and not result.report.problems, result.report.problems
    return where


@pytest.fixture(scope="session")
def checks_with_registers(sample_registers_dir: Path) -> RegulatedChecks:
    return RegulatedChecks(load_registers(sample_registers_dir))


@pytest.fixture(scope="session")
def checks_without_registers() -> RegulatedChecks:
    return RegulatedChecks()
