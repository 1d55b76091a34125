"""Normal forms of parcel personal data for matching: phones, names (with pinyin) and Chinese addresses."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_DIGIT = re.compile(r"\D+")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# Provinces and autonomous regions, longest first, so that a leading one can be dropped: "广东深圳" == "深圳".
_PROVINCES = sorted(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 海南 四川 贵州 "
    "云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门".split(),
    key=len,
    reverse=True,
)
# Administrative suffixes and filler that writers add or leave out at will.
_ADMIN_WORDS = re.compile(r"壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|自治州|省|市|区|县")
# unit words and punctuation become one separator, so that "10号2栋" and "10 2栋" agree but never read as "102"
_UNIT_WORDS = re.compile(r"(?:号|室|单元|栋|幢|楼|[\s\W_])+", re.UNICODE)
# forms of address written after a name (张先生, 李女士); 老板 and 经理 name roles, not people, and stay
_HONORIFIC = re.compile(r"(?:先生|女士|小姐|太太|夫人)$")
_ABBREVIATIONS = (("街道", "街"), ("大道", "道"), ("路口", "路"), ("大厦", "厦"))


@lru_cache(maxsize=262_144)
def normalize_phone(text: str) -> str:
    """Digits only, without the +86 / 0086 country code: '+86 138-0013-8000' → '13800138000'."""
    digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", text or ""))
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13 and digits[2] == "1":
        digits = digits[2:]
    return digits


@lru_cache(maxsize=262_144)
def normalize_name(text: str) -> str:
    """NFKC, case folded, without spaces, punctuation or a trailing form of address: 'Zhang  Wei' → 'zhangwei',
    '张 伟' → '张伟', '张伟先生' / '张伟女士' → '张伟' (a name of at least two characters stays)."""
    name = _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").casefold())
    match = _HONORIFIC.search(name)
    return name[: match.start()] if match and match.start() >= 2 else name


@lru_cache(maxsize=262_144)
def name_pinyin(text: str) -> str:
    """Toneless pinyin of a normalised name, so 张伟 / 张玮 / zhang wei block together."""
    from pypinyin import lazy_pinyin  # here: its dictionaries take 0.2 s to load, and `netsword cases list` needs none

    return "".join(lazy_pinyin(normalize_name(text)))


@lru_cache(maxsize=262_144)
def normalize_address(text: str) -> str:
    """Address without leading province, administrative suffixes (省/市/区/县) or long forms; units as `#`."""
    value = _UNIT_WORDS.sub("#", unicodedata.normalize("NFKC", text or "").casefold()).strip("#")
    for province in _PROVINCES:
        if value.startswith(province):
            value = value[len(province) :]
            break
    for long, short in _ABBREVIATIONS:
        value = value.replace(long, short)
    return _ADMIN_WORDS.sub("", value).strip("#")


def address_prefix(normalized: str, width: int = 4) -> str:
    """The first characters of a normalised address (city and district), the blocking key for addresses."""
    return normalized[:width]
