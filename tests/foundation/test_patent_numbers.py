from pathlib import Path

import pytest

from watchlists.patent_numbers import check_character, parse_patent_number

VECTORS = Path(__file__).resolve().parents[1] / "fixtures" / "cn_patent_appno_vectors.tsv"


def _vectors() -> list[tuple[str, str]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            number, expected, *_ = line.split("\t")
            rows.append((number, expected))
    return rows


@pytest.mark.parametrize(("number", "expected"), _vectors())
def test_real_numbers_reproduce_their_check_character(number: str, expected: str) -> None:
    parsed = parse_patent_number(number)
    assert parsed is not None
    assert parsed.expected_check == expected
    assert parsed.check_ok


@pytest.mark.parametrize(
    "text",
    [
        "ZL201310699744.2",
        "CN2013106997442",
        "ZL 2013 1069 9744.2",
        "ＺＬ２０１３１０６９９７４４．２",
        "201310699744.2",
    ],
)
def test_forms_of_one_number_parse_alike(text: str) -> None:
    parsed = parse_patent_number(text)
    assert parsed is not None
    assert parsed.canonical == "ZL201310699744.2"


def test_wrong_check_character_is_detected() -> None:
    parsed = parse_patent_number("ZL201310699744.3")
    assert parsed is not None and not parsed.check_ok


def test_kinds_follow_the_type_digit() -> None:
    assert parse_patent_number("CN201730033448.8").kind == "design"  # type: ignore[union-attr]
    assert parse_patent_number("ZL95115608.X").kind == "invention"  # type: ignore[union-attr]
    assert check_character("95115608") == "X"


@pytest.mark.parametrize("text", ["ZL12345", "hello", "ZL2013106997442.2", ""])
def test_non_numbers_are_rejected(text: str) -> None:
    assert parse_patent_number(text) is None
