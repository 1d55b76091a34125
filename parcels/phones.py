"""Phone numbers checked against real numbering plans (Google's libphonenumber data, the `phonenumbers` package).

A manifest's phone must be a valid number: a mainland mobile of 11 digits in an allocated block, a landline with
its area code, a service number (400/800) or a foreign number written with its country code. Numbers are read as
Chinese unless they carry `+` or `00` and a country code. Reasons describe the value, never repeat it: they reach
terminals and logs (docs/security.md, "Personal data stays out of errors").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

from parcels.model import described

DEFAULT_REGION = "CN"
_MAINLAND_MOBILE_LIKE = re.compile(r"^1[3-9]\d*$")
_NON_DIGIT = re.compile(r"\D+")
_ALLOWED = re.compile(r"^[\d\s()+.\-/]+$")


def phone_problem(text: str) -> str | None:
    """None for a valid number, else why not, without the number: 'a mainland mobile has 11 digits, got 10'."""
    written = unicodedata.normalize("NFKC", text).strip()
    digits = _NON_DIGIT.sub("", written)
    if not digits or not _ALLOWED.match(written):
        return "not a phone number, got " + described(written)
    national = _national_digits(written, digits)
    mainland = not written.startswith("+") or digits.startswith("86")
    if mainland and _MAINLAND_MOBILE_LIKE.match(national) and len(national) != 11:
        return f"not a phone number: a mainland mobile has 11 digits, got {len(national)}"
    if not _valid(written if written.startswith("+") else digits):
        return "not a phone number, got " + described(written)
    return None


def _national_digits(written: str, digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and (prefix == "0086" or written.startswith("+")):
            return digits[len(prefix) :]
    return digits


def _valid(number: str) -> bool:
    if len(number) == 11 and number[0] == "1":
        # mainland mobile numbers are allocated in blocks of seven leading digits (号段): decide once per block
        return _valid_number(number[:7] + "0000")
    return _valid_number(number)


@lru_cache(maxsize=262_144)
def _valid_number(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)
