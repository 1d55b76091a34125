"""Normal forms and masks of parcel personal data."""

from __future__ import annotations

import pytest

from parcels.masking import mask_address, mask_name, mask_phone
from parcels.normalize import name_pinyin, normalize_address, normalize_name, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        "8613800138000",
        "0086-138-0013-8000",
        "１３８００１３８０００",
    ],
)
def test_phone_formats_agree(raw: str) -> None:
    assert normalize_phone(raw) == "13800138000"


def test_landline_keeps_area_code() -> None:
    assert normalize_phone("0755-8888 1234") == "075588881234"


@pytest.mark.parametrize(
    "raw",
    [
        "广东省深圳市南山区科技路10号2栋301室",
        "广东深圳南山科技路10 2栋 301",
        "深圳市南山区科技路10号2栋301",
        "深圳南山科技路10号,2栋,301室",
    ],
)
def test_address_abbreviations_agree(raw: str) -> None:
    assert normalize_address(raw) == "深圳南山科技路10#2#301"


def test_address_units_do_not_merge_digits() -> None:
    assert normalize_address("科技路10号2栋") != normalize_address("科技路102号")


def test_names_and_pinyin() -> None:
    assert normalize_name(" 张 伟 ") == "张伟"
    assert name_pinyin("张伟") == name_pinyin("张玮") == name_pinyin("Zhang Wei") == "zhangwei"


@pytest.mark.parametrize(
    ("func", "raw", "masked"),
    [
        (mask_name, "张伟", "张**"),
        (mask_name, "欧阳娜娜", "欧**"),
        (mask_name, "", ""),
        (mask_phone, "13812341234", "138****1234"),
        (mask_phone, "+86 138-1234-1234", "138****1234"),
        (mask_address, "广东省深圳市南山区科技路10号", "广东省深圳市***"),
        (mask_address, "上海市浦东新区世纪大道100号", "上海市***"),
        (mask_address, "新疆维吾尔自治区乌鲁木齐市天山区", "新疆维吾尔自治区乌鲁木齐市***"),
    ],
)
def test_masks(func, raw: str, masked: str) -> None:  # type: ignore[no-untyped-def]
    assert func(raw) == masked
