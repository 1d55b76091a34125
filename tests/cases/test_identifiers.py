"""Identifiers in listing text: a table of cases (identifier_cases.yaml), the licence check character, fields."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cases import uscc
from cases.identifiers import identifiers_in_listing, identifiers_in_text

CASES = yaml.safe_load((Path(__file__).parent / "identifier_cases.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["why"][:50] for c in CASES])
def test_identifiers_in_text(case: dict) -> None:
    found = {f.key for f in identifiers_in_text(case["text"], "description")}
    assert found == set(case["expect"]), case["why"]


def test_credit_code_check_character() -> None:
    assert uscc.check_character("91350100M000100Y4") == "3"
    assert uscc.is_valid("91350100M000100Y43") and uscc.is_valid("91350100m000100y43")
    assert not uscc.is_valid("91350100M000100Y4I")  # I is not in the alphabet
    assert not uscc.is_valid("91350100M000100Y4")
    with pytest.raises(ValueError):
        uscc.check_character("123")


def test_listing_fields_are_read_and_named() -> None:
    listing = {
        "id": "1", "platform": "taobao", "url": "https://taobao.example.com/item/13800138000", "title": "耐克 高仿",
        "description": "QQ 12345678", "seller": {"id": "s1", "name": "潮鞋店", "contact": "微信 shoes_king"},
        "licence": "91350100M000100Y43", "return_address": "广东省深圳市南山区科技路10号2栋",
        "wechat": ["abc_def_1"], "price": 13800138000,
    }  # fmt: skip
    found = {(f.key, f.field) for f in identifiers_in_listing(listing)}
    assert found == {
        ("qq:12345678", "description"),
        ("wechat:shoes_king", "seller.contact"),
        ("uscc:91350100M000100Y43", "licence"),
        ("address:深圳南山科技路10#2", "return_address"),
        ("wechat:abc_def_1", "wechat"),
    }  # fmt: skip  (the URL and the price are never read)


def test_hostile_text_is_data_only() -> None:
    text = "<script>alert(1)</script> 微信：<img_src=x> 电话 13800138000\x1b[31m"
    assert {f.key for f in identifiers_in_text(text, "d")} == {"phone:+8613800138000"}
