"""The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters, the last a check character.

Shops in China must display their business licence; its code is a hard identifier of the business behind a shop.
A string that looks like a code but fails the check is a typo or an invention, and is not used as a link.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
_VALUE = {c: i for i, c in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (ValueError on a character outside the alphabet)."""
    if len(first17) != 17:
        raise ValueError(f"need 17 characters, got {len(first17)}")
    total = sum(_VALUE[c] * w for c, w in zip(first17.upper(), WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """18 characters of the code alphabet whose last is the check character of the others."""
    code = code.upper()
    if len(code) != 18 or any(c not in _VALUE for c in code):
        return False
    return check_character(code[:17]) == code[17]
