"""The layer contracts cover the whole code base: every package and every core module is in a layer, so none
escapes `lint-imports` by being new (docs/architecture.md)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
IMPORTLINTER = PYPROJECT["tool"]["importlinter"]
(LAYERS,) = [c["layers"] for c in IMPORTLINTER["contracts"] if c["type"] == "layers"]


def _declared() -> set[str]:
    names = set()
    for layer in LAYERS:
        for part in layer.replace("|", ":").split(":"):
            names.add(part.strip().strip("()"))
    return names


def test_every_installed_package_is_linted_and_in_a_layer() -> None:
    packages = {p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packages == set(IMPORTLINTER["root_packages"])
    assert packages - {"netsword"} <= _declared()


def test_every_core_module_is_in_the_core_layer() -> None:
    core = {f"netsword.{path.stem}" for path in (REPO / "netsword").glob("*.py") if path.stem != "__init__"}
    missing = core - _declared()
    assert not missing, f"add {sorted(missing)} to the core layer of [tool.importlinter] in pyproject.toml"
    assert "netsword.cli" in _declared()
