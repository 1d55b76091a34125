"""Chinese readings: a per-character toneless pinyin table built once from pypinyin's data, and syllable codes.

Each syllable gets one private-use character, so a run of Chinese text becomes a code string that an Aho-Corasick
automaton scans for marks read alike (`奈克` and `耐克` both read `nai ke`) without calling pypinyin per title.
"""

from __future__ import annotations

import importlib.util
import json
import unicodedata
from functools import lru_cache
from pathlib import Path

_PUA = 0xE000


def _pinyin_dict() -> dict[str, str]:
    """pypinyin's per-character readings (code point → "reading,reading"), read from the package's own data file.

    Importing `pypinyin.pinyin_dict` runs the package's __init__, which also loads its phrase dictionary (about a
    quarter of a second a process start, and the matchers never use phrases); the file is the same one it reads."""
    spec = importlib.util.find_spec("pypinyin")  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _toneless(reading: str) -> str:
    plain = unicodedata.normalize("NFKD", reading)
    return "".join(c for c in plain if not unicodedata.combining(c)).replace("ü", "v").lower()


@lru_cache(maxsize=1)
def pinyin_table() -> dict[str, str]:
    """Character → its first toneless reading (`耐` → `nai`) for every character pypinyin knows in the BMP."""
    table: dict[str, str] = {}
    for code, readings in _pinyin_dict().items():
        if int(code) < 0x10000:
            table[chr(int(code))] = _toneless(readings.split(",")[0])
    return table


@lru_cache(maxsize=1)
def syllable_codes() -> tuple[dict[int, str], dict[str, str]]:
    """(translate table character → syllable code, syllable → code)."""
    syllables = sorted(set(pinyin_table().values()))
    by_syllable = {s: chr(_PUA + i) for i, s in enumerate(syllables)}
    return {ord(c): by_syllable[s] for c, s in pinyin_table().items()}, by_syllable


def pinyin_of(text: str) -> list[str]:
    """Toneless readings of the Chinese characters in `text`; other characters are skipped."""
    table = pinyin_table()
    return [table[c] for c in text if c in table]


def codes_of(text: str) -> str:
    """The syllable-code string of a run of Chinese characters."""
    return text.translate(_codes_list())


@lru_cache(maxsize=1)
def _codes_list() -> list[int | str]:
    """The code table as a list over the BMP (other characters kept): str.translate then never looks up a missing key,
    which is slow, for the Latin letters and symbols of a listing."""
    table: list[int | str] = list(range(0x10000))
    for code, value in syllable_codes()[0].items():
        if code < 0x10000:
            table[code] = value
    return table
