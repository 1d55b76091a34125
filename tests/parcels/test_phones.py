"""Phones are checked against real numbering plans (phonenumbers); a bad one is `file:line: field: reason` and the
reason never repeats the number."""

from __future__ import annotations

from pathlib import Path

import pytest

from parcels.manifest import read_manifest
from parcels.mapping import find_mapping
from parcels.model import BadRow, Parcel
from parcels.phones import phone_problem

HEADER = "waybill,shipped_at,declared_contents,sender_name,sender_phone,receiver_name,receiver_phone\n"


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "+86 138 0013 8000", "0086 138-0013-8000", "86-138-0013-8000", "138 0013 8000",
     "0755-8888 1234", "010-12345678", "400-820-8820", "+852 9123 4567", "+1 415 555 2671", "１３８００１３８０００"],
)  # fmt: skip
def test_valid_numbers_pass(phone: str) -> None:
    assert phone_problem(phone) is None


@pytest.mark.parametrize(
    ("phone", "reason"),
    [
        ("1380013800", "not a phone number: a mainland mobile has 11 digits, got 10"),  # truncated mobile
        ("138001380001", "not a phone number: a mainland mobile has 11 digits, got 12"),
        ("14012345678", "not a phone number, got 11 characters: digits"),  # 140 is no allocated block
        ("110105199003071234", "not a phone number, got 18 characters: digits"),  # an ID number
        ("12345", "not a phone number, got 5 characters: digits"),
        ("+1 415 555 267", "not a phone number, got 14 characters: digits, spaces, other signs"),
        ("深圳南山", "not a phone number, got 4 characters: letters"),  # an address in the phone column
        ("138-0013-800O", "not a phone number, got 13 characters: digits, letters, other signs"),
    ],
)
def test_invalid_numbers_are_described_not_quoted(phone: str, reason: str) -> None:
    assert phone_problem(phone) == reason
    assert phone not in reason


def test_a_truncated_mobile_in_a_manifest_is_reported_by_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(
        HEADER
        + "SF1000000001,2024-03-01 10:00:00,手机壳,张伟,13800138000,李娜,13900139000\n"
        + "SF1000000002,2024-03-01 10:00:00,手机壳,张伟,1380013800,李娜,13900139000\n"
        + "SF1000000003,2024-03-01 10:00:00,手机壳,张伟,13800138000,李娜,+86 139 0013 900\n",
        encoding="utf-8",
    )
    records = list(read_manifest(path, find_mapping("generic")))
    assert isinstance(records[0], Parcel)
    errors = [str(r) for r in records if isinstance(r, BadRow)]
    assert errors == [
        f"{path}:3: sender_phone: not a phone number: a mainland mobile has 11 digits, got 10",
        f"{path}:4: receiver_phone: not a phone number: a mainland mobile has 11 digits, got 10",
    ]
    for error in errors:
        assert "1380013800" not in error and "139 0013" not in error
