"""Text normalisation for matching: NFKC, case, zero-width removal, UTS #39 look-alikes, accents, traditional→simplified.

One translation table is built at import from the `confusables` package's copy of Unicode's confusables.txt and
opencc's TSCharacters.txt, so normalising a title is a few C-level passes rather than per-character Python.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import confusables
import opencc

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"
# strokes and marks that sellers put between letters or characters (`N丨I丨K丨E`, `耐丿克`): read as separators.
# 丨 丿 乀 丶 are CJK radicals that are never words of a title; the CJK Strokes block; 〡 and the long-vowel marks.
IDEOGRAPHIC_SEPARATORS = "丨丿乀丶〡ーｰ｜" + "".join(chr(c) for c in range(0x31C0, 0x31E4))
# letter-like characters that NFKC leaves alone and confusables.txt does not fold to a letter: small capitals
SMALL_CAPITALS = dict(zip("ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢǫ", "abcdefghijklmnoprstuvwyzq", strict=True))
# enclosed letters outside the BMP with no compatibility decomposition: negative circled 🅐, negative squared 🅰,
# regional indicators 🇦 (parenthesised ⒜ decomposes to "(a)", so it is folded here too)
_PRE_NFKC = {base + i: chr(97 + i) for base in (0x1F150, 0x1F170, 0x1F1E6, 0x249C) for i in range(26)}
LETTER_LIKE = frozenset(SMALL_CAPITALS) | frozenset(chr(c) for c in _PRE_NFKC)
_NEEDS_PRE_NFKC = re.compile(r"[\u249c-\u24b5\U00010000-\U0010FFFF]")
# digits and symbols read as letters, applied only inside tokens that also hold letters (`n1ke`, `g0cci`, `$ony`)
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "9": "g", "$": "s", "@": "a", "!": "i"}
)
_TOKEN = re.compile(r"[a-z0-9$@]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_NOT_WORD = re.compile(r"[\W_]+")
_SEPARATORS = re.compile(r"[^\w$@]+|_")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def _confusable_pairs() -> dict[str, str]:
    """Single-character look-alikes from UTS #39 confusables.txt that fold to an ASCII letter or a CJK ideograph."""
    path = Path(confusables.__file__).parent / "assets" / "confusables.txt"
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        if not line or line.startswith("#"):
            continue
        src_hex, tgt_hex = line.split(";")[:2]
        src = "".join(chr(int(x, 16)) for x in src_hex.split())
        tgt = "".join(chr(int(x, 16)) for x in tgt_hex.split())
        if len(src) != 1 or len(tgt) != 1 or src.isascii() or _is_cjk(src):
            continue  # real ideographs are never rewritten: 士/土 are different words
        low = tgt.lower()
        if (low.isascii() and low.isalpha()) or _is_cjk(low):
            pairs[src] = low
    return pairs


def _traditional_pairs() -> dict[str, str]:
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    pairs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and len(parts[1].split(" ")[0]) == 1:
            pairs[parts[0]] = parts[1].split(" ")[0]
    return pairs


def _accent_pairs() -> dict[str, str]:
    """Latin letters with diacritics fold to their base letter (`è` → `e`)."""
    pairs: dict[str, str] = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFKD", chr(code))[:1].lower()
        if base.isascii() and base.isalpha() and base != chr(code):
            pairs[chr(code)] = base
    return pairs


@lru_cache(maxsize=1)
def fold_table() -> dict[int, str | None]:
    """The str.translate table of every fold above; `l` and `i` share one skeleton letter as in UTS #39."""
    table: dict[int, str | None] = {ord(c): None for c in ZERO_WIDTH}
    for pairs in (_accent_pairs(), _confusable_pairs(), _traditional_pairs()):
        table.update({ord(k): v for k, v in pairs.items()})
    table.update({ord(k): v for k, v in SMALL_CAPITALS.items()})
    table.update({ord(c): " " for c in IDEOGRAPHIC_SEPARATORS})
    table[ord("l")] = "i"
    for key, value in list(table.items()):
        if value == "l":
            table[key] = "i"
    return table


TRADITIONAL = _traditional_pairs()


@lru_cache(maxsize=1)
def _fold_list() -> list[int | str | None]:
    """The fold table as a list over the BMP: str.translate then never raises for unmapped characters (faster)."""
    table: list[int | str | None] = list(range(0x10000))
    for code, value in fold_table().items():
        if code < 0x10000:
            table[code] = value
    return table


def fold(text: str) -> str:
    """NFKC, lower case, zero-width removed, look-alikes and traditional characters folded: `ＮІKЕ` → `nike`."""
    table = _fold_list()  # twice: capital look-alikes (К) map to letters, their lower cases (к) may not
    if _NEEDS_PRE_NFKC.search(text):  # before NFKC (⒜ would become "(a)"); the list below covers the BMP only
        text = text.translate(_PRE_NFKC)
    return unicodedata.normalize("NFKC", text).translate(table).lower().translate(table)


_LEET_INNER = re.compile(r"(?<=[a-z])[0134579$@!](?=[a-z])|^[$@](?=[a-z])")
_LEET_LAST = re.compile(r"(?<=[a-z]{3})[013457$]$")
# a leading digit before three letters (`5ony`, `0mega`, `4ppl3`); `4k`, `5g`, `3d` stay digits
_LEET_FIRST = re.compile(r"^[0134579](?=[a-z]{3})")


def skeleton_token(token: str) -> str:
    """Digits read as letters between letters or before a word (`n1ke`, `g0cci`, `$ony`, `5ony`); `air270` is kept."""
    if token.isalpha() or token.isdigit():
        return token
    token = _LEET_INNER.sub(lambda m: m.group().translate(LEET), token)
    token = _LEET_LAST.sub(lambda m: m.group().translate(LEET), token)
    return _LEET_FIRST.sub(lambda m: m.group().translate(LEET), token)


def latin_key(form: str) -> str:
    """The key a Latin form is indexed under: folded, separators dropped (`Coca-Cola` → `cocacoia`)."""
    return "".join(skeleton_token(t) for t in _TOKEN.findall(fold(form)))


def cjk_stream(folded: str) -> str:
    """The folded text with separators, symbols and emoji removed, so `耐★克` reads `耐克`; Latin runs become `|`."""
    squeezed = _NOT_WORD.sub("", folded)
    return re.sub(r"[a-z0-9]+", "|", squeezed)


def spaced(text: str) -> str:
    """Folded text with every run of separators, symbols and emoji turned into one space."""
    return _SEPARATORS.sub(" ", text)


def latin_tokens(folded: str) -> list[str]:
    return [t if t.isalpha() else skeleton_token(t) for t in _TOKEN.findall(folded)]


def has_cjk(text: str) -> bool:
    return _CJK.search(text) is not None


def is_latin(text: str) -> bool:
    return all(ord(c) < 0x2E80 for c in text)


def normalize_text(text: str) -> str:
    """NFKC plus case folding (kept for callers of the first matcher)."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """fold() of one character, remembered: find_span folds a text a character at a time."""
    return fold(char)


def find_span(text: str, needle_chars: str, folded: str = "") -> str:
    """The original span of `text` whose folded letters spell `needle_chars` (separators skipped), or ''.

    `folded` is fold(text) when the caller has it: where folding kept every position, a plain search finds the span.
    Otherwise the text is walked character by character, which only hits (rare) pay for.
    """
    if not needle_chars:
        return ""
    if folded and len(folded) == len(text) and (at := folded.find(needle_chars)) >= 0:
        return text[at : at + len(needle_chars)]
    chars = [(i, _fold_char(c)) for i, c in enumerate(text)]
    for start in range(len(chars)):
        pos, begin, end = 0, -1, -1
        for i, norm in chars[start:]:
            for ch in norm:
                if not (ch.isalnum() or _is_cjk(ch) or ch in "$@"):
                    continue
                if pos < len(needle_chars) and needle_chars[pos] in (ch, ch.translate(LEET)):
                    if begin < 0:
                        begin = i
                    pos += 1
                    end = i
                else:
                    pos = -1
                    break
            if pos < 0 or pos == len(needle_chars) or begin < 0:
                break
        if pos == len(needle_chars):
            return text[begin : end + 1]
    return ""
