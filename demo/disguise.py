"""How counterfeit sellers write a mark so that naive search misses it: homoglyphs, spacing, typos (Latin marks).

Chinese disguises (homophones, traditional characters, pinyin, code words) are listed per goods in demo/goods.py.
"""

from __future__ import annotations

import random

# Look-alike characters a seller substitutes: digits, Cyrillic and Greek letters.
_HOMOGLYPHS = {
    "A": ("А", "4"), "B": ("В",), "C": ("С",), "E": ("Е", "3"), "H": ("Н",), "I": ("І", "1"), "K": ("К", "Κ"),
    "M": ("М",), "O": ("О", "0"), "P": ("Р",), "S": ("Ѕ", "5"), "T": ("Т",), "X": ("Х",), "Y": ("Υ",),
    "a": ("а",), "c": ("с",), "e": ("е",), "i": ("і", "1"), "o": ("о", "0"), "p": ("р",), "s": ("ѕ",),
}  # fmt: skip
_SEPARATORS = (" ", " ", "-", "·", "*")


def homoglyph(mark: str, rng: random.Random) -> str:
    """Replace one or two letters by look-alikes (NIKE → N1KE, NІKЕ)."""
    positions = [i for i, ch in enumerate(mark) if ch in _HOMOGLYPHS]
    if not positions:
        return spaced(mark, rng)
    chars = list(mark)
    for i in rng.sample(positions, k=min(len(positions), rng.choice((1, 2)))):
        chars[i] = rng.choice(_HOMOGLYPHS[chars[i]])
    return "".join(chars)


def spaced(mark: str, rng: random.Random) -> str:
    """Split the mark letter by letter (N I K E, 香 奈 儿) so whole-word search misses it."""
    letters = [ch for ch in mark if ch.isalnum()]
    return rng.choice(_SEPARATORS).join(letters)


def typo(mark: str, rng: random.Random) -> str:
    """A deliberate misspelling: a doubled, dropped or swapped letter (NIKKE, ROLX, CAHNEL) that no longer
    contains the mark itself (doubling an I of SK-II would not disguise it)."""
    word = mark.replace(" ", "")
    if len(word) < 3:
        return word + "_" + word[-1]
    i = rng.randrange(1, len(word) - 1)
    candidates = {
        "double": word[: i + 1] + word[i] + word[i + 1 :],
        "drop": word[:i] + word[i + 1 :],
        "swap": word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :],
    }
    operations = list(candidates)
    rng.shuffle(operations)
    for operation in operations:
        if word.lower() not in candidates[operation].lower():
            return candidates[operation]
    return candidates["drop"]


LATIN_DISGUISES = {"homoglyph": homoglyph, "spacing": spaced, "typo": typo}
