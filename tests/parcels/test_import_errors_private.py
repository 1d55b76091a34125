"""Manifest import errors name the field and what is wrong, never the value: no name, phone, address or ID number
reaches the terminal, the import report or (through it) the scheduler's log."""

from __future__ import annotations

import json
from pathlib import Path

from netsword.cli import main
from parcels.manifest import described, read_manifest
from parcels.mapping import find_mapping
from parcels.model import BadRow

HEADER = "waybill,shipped_at,declared_contents,declared_value,currency,sender_name,sender_phone,sender_address,receiver_name,receiver_phone,receiver_address\n"
NAME, PHONE, ADDRESS, ID_NUMBER = "欧阳娜娜", "13912345678", "北京市朝阳区建国路88号", "110105199003071234"
# a column missing near the start shifts personal data into every checked field
SHIFTED = [
    f"{NAME},2024-03-01 10:00:00,手机壳,20,CNY,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # name as waybill
    f"SF1000000002,{ADDRESS},手机壳,20,CNY,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # address as date
    f"SF1000000003,2024-03-01 10:00:00,手机壳,{NAME},CNY,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # as value
    f"SF1000000004,2024-03-01 10:00:00,手机壳,20,{NAME},张伟,13800138000,深圳,李娜,13900139000,北京\n",  # as currency
    f"SF1000000005,2024-03-01 10:00:00,手机壳,20,CNY,张伟,{ID_NUMBER},深圳,李娜,13900139000,北京\n",  # ID as phone
    f"SF1000000006,2024-03-01 10:00:00,手机壳,20,CNY,张伟,13800138000,深圳,李娜,{ADDRESS},北京\n",  # address as phone
    f"SF1000000007,2024-03-01 10:00:00,手机壳,-{PHONE},CNY,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # negative
]
PRIVATE = (NAME, PHONE, ADDRESS, ID_NUMBER)


def test_errors_say_which_field_and_why_without_the_value(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(HEADER + "".join(SHIFTED), encoding="utf-8")
    errors = [str(r) for r in read_manifest(path, find_mapping("generic")) if isinstance(r, BadRow)]
    assert [e.split(": ", 2)[1] for e in errors] == [
        "waybill", "shipped_at", "declared_value", "currency", "sender_phone", "receiver_phone", "declared_value"
    ]  # fmt: skip
    assert errors[0] == f"{path}:2: waybill: must be 4–40 letters, digits or dashes, got 4 characters: letters"
    assert errors[1].endswith("shipped_at: not a date in a known format, got 12 characters: digits, letters")
    for error in errors:
        assert not any(value in error for value in PRIVATE), error


def test_the_cli_and_jsonl_manifests_keep_them_out_too(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    path = tmp_path / "m.jsonl"
    rows = [{"waybill": "SF1000000010", "shipped_at": "2024-03-01 10:00:00", "declared_contents": "鞋",
             "sender_name": "张伟", "sender_phone": ID_NUMBER, "receiver_address": ADDRESS},
            {"waybill": PHONE + "?", "shipped_at": NAME, "declared_contents": "鞋", "sender_name": "张伟"}]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["parcels", "import", str(path), "--courier", "generic"]) == 2
    out, err = capsys.readouterr()
    assert f"{path}:1: sender_phone: not a phone number, got 18 characters: digits" in err
    assert f"{path}:2: waybill: must be 4–40 letters, digits or dashes" in err
    for value in PRIVATE:
        assert value not in out and value not in err


def test_described() -> None:
    assert described("yesterday") == "9 characters: letters"
    assert described("+86 138") == "7 characters: digits, spaces, other signs"
    assert described("") == "0 characters"
