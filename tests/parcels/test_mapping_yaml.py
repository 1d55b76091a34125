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


def test_encodings_a_mapping_may_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from parcels.manifest import read_manifest
    from parcels.mapping import MappingError, parse_mapping
    from parcels.model import Parcel

    columns = {"waybill": "运单号", "shipped_at": "寄件时间", "declared_contents": "托寄物", "sender_name": "寄件人",
               "receiver_name": "收件人"}  # fmt: skip
    gbk = parse_mapping({"courier": "gbk", "encoding": "gb18030", "columns": columns}, "gbk.yaml")
    path = tmp_path / "m.csv"
    path.write_bytes(
        "运单号,寄件时间,托寄物,寄件人,收件人\nSF1000000001,2024-03-01 10:00:00,耐克鞋,张伟,李娜\n".encode("gbk")
    )
    (parcel,) = read_manifest(path, gbk)
    assert isinstance(parcel, Parcel) and parcel.declared_contents == "耐克鞋"
    with pytest.raises(MappingError, match="gbk.yaml: encoding: not a known text encoding"):
        parse_mapping({"courier": "gbk", "encoding": "gbkk", "columns": columns}, "gbk.yaml")
