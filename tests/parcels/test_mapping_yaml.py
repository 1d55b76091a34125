"""Courier mapping files are read with the bounded YAML loader: an alias bomb is a one-line error, not a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcels.mapping import MappingError, load_mapping_file

BOMB = "courier: x\nlol: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"l{n}: &l{n} [{', '.join(['*a' if n == 0 else f'*l{n - 1}'] * 10)}]\n" for n in range(9)
)


def test_an_alias_bomb_in_a_mapping_file_is_refused_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(MappingError) as err:
        load_mapping_file(path)
    assert str(err.value).startswith(f"{path}:") and "\n" not in str(err.value)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "y.yaml"
    path.write_text("courier: y\ncolumns: [unclosed\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"y\.yaml:\d+: "):
        load_mapping_file(path)
