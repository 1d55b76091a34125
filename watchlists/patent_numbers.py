"""Chinese patent application numbers: parsing, normalising and check-character validation.

Since 2003 a number is 12 digits (year, type digit, 7-digit serial); from 1985 to 2003 it is 8 digits
(two-digit year, type digit, 5-digit serial). Either is followed by a check character: the sum of each
digit times the weights 2,3,4,5,6,7,8,9,2,3,4,5 modulo 11, with 10 written X. `CN`/`ZL` prefixes are not
part of the number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
PATENT_TYPES = {"1": "invention", "2": "utility_model", "3": "design", "8": "invention", "9": "utility_model"}
_SHAPE = re.compile(r"^(?:CN|ZL)?(\d{12}|\d{8})(?:\.?([0-9X]))?$")


@dataclass(frozen=True)
class PatentNumber:
    """A parsed application number; `check` is empty when the text carried none."""

    digits: str
    check: str

    @property
    def expected_check(self) -> str:
        return check_character(self.digits)

    @property
    def check_ok(self) -> bool:
        return self.check == self.expected_check

    @property
    def type_digit(self) -> str:
        return self.digits[4] if len(self.digits) == 12 else self.digits[2]

    @property
    def kind(self) -> str:
        return PATENT_TYPES.get(self.type_digit, "unknown")

    @property
    def canonical(self) -> str:
        """`ZL` + digits + `.` + check character, the form shown to people and used as a key."""
        return f"ZL{self.digits}.{self.check or '?'}"

    @property
    def key(self) -> str:
        """Digits only: two citations of one application share it whatever their check character."""
        return self.digits


def check_character(digits: str) -> str:
    """The check character for 8 or 12 application digits."""
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=False))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def parse_patent_number(text: str) -> PatentNumber | None:
    """Parse `ZL201410123456.7`, `CN 2014 1012 3456.7`, full-width digits and so on; None if not a number."""
    norm = unicodedata.normalize("NFKC", text).upper()
    norm = re.sub(r"[\s\-_:：]", "", norm).replace("。", ".")
    match = _SHAPE.match(norm)
    if not match:
        return None
    return PatentNumber(digits=match.group(1), check=match.group(2) or "")
