"""The trademark candidate index: every written form of every mark, compiled once for lookups by listing text.

Latin forms: a dict of skeleton keys (exact and joined tokens), an Aho-Corasick automaton for marks glued to other
words, a deletion-neighbourhood index for one-edit typos (a marisa trie, verified with rapidfuzz), and the pinyin of
Chinese forms.
Chinese forms: an automaton over the characters, one over syllable codes (homophones), and one-character wildcard
keys for marks of three or more characters. Lookup cost grows with the listing's text, not the number of marks.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

import ahocorasick
import marisa_trie
from rapidfuzz.distance import OSA

from matchers.chinese import codes_of, pinyin_of, pinyin_table
from matchers.normalize import cjk_stream, fold, has_cjk, latin_key, latin_tokens, spaced
from matchers.vocabulary import PhraseScanner, code_words, common_words, english_words, goods_terms
from watchlists.model import Trademark

# a mark glued to a look-alike claim (`MUJItype`, `Oreostyle`): glued, and the claim counts as an evasion phrase;
# folded as listing text is (`style` reads `styie`)
GLUE_EVASIONS = frozenset(fold(w) for w in ("style", "type", "inspired", "dupe", "like", "lookalike", "version"))
# a glued mark (`nikeshoes`) counts when the rest of the token is one of these, a goods word or a number
GLUE_WORDS = frozenset(fold(w) for w in "air max official store outlet original new sale sport sports men women kids "
                       "shop bag shoes shoe watch jp us uk hk".split())  # fmt: skip
_ALL_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
# a model code glued to a mark (`GALANZV8`, `ZARAK9`, `BrandABC123`): a few letters and digits, digits required
MODEL_CODE = re.compile(r"^(?:[a-z]{0,3}\d{1,5}[a-z]{0,2}|\d{1,4}[a-z]{1,3}\d{0,3})$")
MAX_JOIN = 4
MAX_MIXED = 8  # pieces (characters or Latin words) of a mark written in mixed hanzi and pinyin
_SCRIPT_CHANGE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff][a-z]|[a-z][\u3400-\u4dbf\u4e00-\u9fff]")
_MIXED_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffa-z]+")
_MIXED_PIECE = re.compile(r"[a-z]+|.")


@lru_cache(maxsize=1)
def glued_goods() -> dict[str, tuple[int, ...]]:
    """English goods written as one word (`floormats`, `brakepads`, `shoes`) → classes: what a mark may be glued to."""
    return {k.replace(" ", "").replace("-", ""): v for k, v in goods_terms().items() if k.isascii() and len(k) >= 3}


def glued_goods_classes(rest: str) -> tuple[int, ...]:
    """The classes of the goods a glued word names (`shoes`, `brakepads`, or a model code then goods: `m1hoodie`)."""
    classes = goods_terms().get(rest) or glued_goods().get(rest)
    if classes:
        return classes
    return next((glued_goods()[rest[k:]] for k in range(1, len(rest) - 2) if rest[k:] in glued_goods()), ())


def _claim_or_goods(word: str) -> bool:
    """A word a mark may be glued to: a goods word, a shop word or a look-alike claim."""
    return word in GLUE_WORDS or word in GLUE_EVASIONS or word in glued_goods() or word in goods_terms()


def _model_code(rest: str) -> bool:
    """A model code, alone or followed by a goods word (`s22`, `gt7`, `m1hoodie`, `x200headphones`)."""
    if MODEL_CODE.match(rest):
        return True
    return any(MODEL_CODE.match(rest[:k]) and _claim_or_goods(rest[k:]) for k in range(2, len(rest) - 2))


@lru_cache(maxsize=1)
def _folded_pinyin() -> dict[str, str]:
    """Character → toneless pinyin folded as listing text is (`li` reads `ii`), for mixed-script lookups."""
    return {c: fold(s) for c, s in pinyin_table().items()}


_LOWER_LATIN = re.compile(r"[a-z]+")


def _spelled_in_pinyin(key: str) -> str:
    """latin_key of the toneless pinyin of a Chinese form (`耐克` → `naike`), from each syllable folded once per process:
    folding maps letter by letter, so the syllables' folded spellings joined are the folded whole."""
    table = _folded_pinyin()
    spelled = "".join(table[c] for c in key if c in table)
    return spelled if _LOWER_LATIN.fullmatch(spelled) else latin_key("".join(pinyin_of(key)))


def _initials(syllable: str) -> tuple[str, ...]:
    """How sellers abbreviate a syllable: its first letter, and zh/ch/sh also as written (`劳力s`, `美赞ch`)."""
    return (syllable[:1], syllable[:2]) if syllable[:2] in ("zh", "ch", "sh") else (syllable[:1],)


_V = TypeVar("_V")
CACHE_SIZE = 200_000


class _Shared(Generic[_V]):
    """Keys to tuples of values, built without a set or list per key: most keys of a large index lead to one form
    only, and then they all hold the same tuple object, which the index cache (pickle) stores and reads once. A key
    seen again collects its values in a dict (first-seen order, each once) until `table()`: joining tuples each time
    cost the square of a busy key's values."""

    def __init__(self) -> None:
        self._table: dict[str, tuple[_V, ...]] = {}
        self._grown: dict[str, dict[_V, None]] = {}

    def add(self, keys: Iterable[str], value: tuple[_V, ...]) -> None:
        table, grown = self._table, self._grown
        for key in keys:
            old = table.get(key)
            if old is None:
                table[key] = value
            elif old is not value:
                joined = grown.get(key)
                if joined is None:
                    joined = grown[key] = dict.fromkeys(old)
                joined.update(dict.fromkeys(value))

    def table(self) -> dict[str, tuple[_V, ...]]:
        for key, joined in self._grown.items():
            self._table[key] = tuple(joined)
        self._grown = {}
        return self._table


_T = TypeVar("_T")


class Candidate(NamedTuple):
    """One way a listing's text matched one mark's form, before scoring (a named tuple: made by the thousand per
    second, and a frozen dataclass costs three times as much to make)."""

    entry: int  # position in MarkIndex.marks
    how: str  # exact | glued | typo | pinyin | homophone | near_mark | codeword
    key: str  # the indexed key of the form
    found: str  # the normalised text that matched
    script: str  # latin | cjk | spaced
    position: int  # token index (latin), character index in the stream (cjk) or in the spaced text (spaced)
    glued: str = ""  # the goods word, model code or look-alike claim written onto the mark (`nikeshoes`: shoes)


_PREBUILT: dict[int, MarkIndex] = {}


def use_prebuilt(trademarks: tuple[Trademark, ...], marks: MarkIndex) -> None:
    """Let the next MarkIndex.for_trademarks of exactly these trademarks take `marks` (read from the index cache)."""
    _PREBUILT[id(trademarks)] = marks


class MarkIndex:
    """Lookups from normalised listing text to candidate (mark, form) pairs."""

    @classmethod
    def for_trademarks(cls, trademarks: tuple[Trademark, ...], min_typo_length: int, short_latin_max: int) -> MarkIndex:
        """The prebuilt index of these trademarks (matchers.index_cache), or one built now."""
        marks = _PREBUILT.pop(id(trademarks), None)
        if (marks is not None and marks.marks is trademarks and marks.min_typo_length == min_typo_length
                and marks.short_latin_max == short_latin_max):  # fmt: skip
            return marks
        gc.collect()  # garbage that exists now would be frozen below and never collected (a server rebuilds indexes)
        was = gc.isenabled()
        gc.disable()  # millions of small objects and no cycles: a 100,000-mark index builds in half the time
        try:
            return cls(trademarks, min_typo_length, short_latin_max)
        finally:
            gc.freeze()  # shared by every listing until the process ends: collections need not walk it again
            if was:
                gc.enable()

    def __init__(self, trademarks: tuple[Trademark, ...], min_typo_length: int, short_latin_max: int) -> None:
        self.marks = trademarks
        self.min_typo_length = min_typo_length
        self.short_latin_max = short_latin_max
        self.latin: dict[str, tuple[int, ...]] = {}
        self.cjk: dict[str, tuple[int, ...]] = {}
        self.pinyin: dict[str, tuple[int, ...]] = {}
        self.deletes = marisa_trie.BytesTrie()  # one-deletion variant -> the Latin keys it comes from
        self.near: dict[str, tuple[tuple[int, str], ...]] = {}
        self.near_first: dict[str, tuple[int, ...]] = {}
        self.mixed: dict[str, tuple[tuple[int, str], ...]] = {}
        self.forms_of: list[tuple[str, ...]] = []
        # words repeat across listings (Zipf): remember each word's typo and glued readings; bounded, index-local
        self._typo_cache: dict[str, tuple[str, ...]] = {}
        self._glued_cache: dict[str, tuple[tuple[str, bool], ...]] = {}
        self._split_cache: dict[str, tuple[tuple[str, str], ...]] = {}
        # short forms whose registered spelling holds a separator (`85°C`: tokens `85 c`)
        self.split_short: set[str] = set()
        latin: dict[str, set[int]] = {}
        cjk: dict[str, set[int]] = {}
        for i, tm in enumerate(trademarks):
            keys = []
            for form in tm.forms:
                if has_cjk(form):
                    key = cjk_stream(fold(form))
                    if "|" in key:  # a mixed form such as 21世纪不动产: index its Chinese part when long enough
                        key = max(key.split("|"), key=len)
                    if len(key) >= 2 and _ALL_CJK.match(key):
                        cjk.setdefault(key, set()).add(i)
                        keys.append(key)
                else:
                    tokens = latin_tokens(fold(form))
                    key = "".join(tokens)  # latin_key(form), folded once
                    if len(key) >= 2:
                        latin.setdefault(key, set()).add(i)
                        keys.append(key)
                        if len(key) <= short_latin_max and len(tokens) > 1:
                            self.split_short.add(" ".join(tokens))
            self.forms_of.append(tuple(keys))
        self.latin = {k: tuple(sorted(v)) for k, v in latin.items()}
        self.cjk = {k: tuple(sorted(v)) for k, v in cjk.items()}
        self._build_latin_fuzzy()
        self._build_cjk()
        self._build_code_words()

    def _build_latin_fuzzy(self) -> None:
        self.glued = ahocorasick.Automaton()
        pairs: list[tuple[str, bytes]] = []
        for key in self.latin:
            if len(key) > self.short_latin_max:
                self.glued.add_word(key, key)
            if len(key) >= 4:
                value = key.encode()
                pairs += [(v, value) for v in {key[:k] + key[k + 1 :] for k in range(len(key))}]
        self._glued_empty = len(self.glued) == 0
        if not self._glued_empty:
            self.glued.make_automaton()
        # every one-letter deletion of every form of four letters or more (the forms themselves are `latin`'s keys):
        # a million variants for 100,000 marks; a trie is read back from the index cache in milliseconds, where a
        # dict of a million small strings takes half a second to rebuild
        self.deletes = marisa_trie.BytesTrie(pairs, num_tries=1)  # one level: lookups a third faster, 1 MB larger

    def _build_cjk(self) -> None:
        self.codes = ahocorasick.Automaton()
        by_code: dict[str, list[tuple[int, str]]] = {}
        pinyin: dict[str, set[int]] = {}
        near: _Shared[tuple[int, str]] = _Shared()
        near_first: dict[str, set[int]] = {}
        for key, entries in self.cjk.items():
            by_code.setdefault(codes_of(key), []).extend((e, key) for e in entries)
            spelled = _spelled_in_pinyin(key)
            if len(spelled) >= 5:
                for e in entries:
                    if spelled not in self.forms_of[e]:
                        pinyin.setdefault(spelled, set()).add(e)
            if len(key) >= 3:
                near_first.setdefault(key[0], set()).add(len(key))
                pairs = tuple((e, key) for e in entries)
                near.add([key[:k] + "?" + key[k + 1 :] for k in range(1, len(key))], pairs)
        self._build_mixed()
        for code, owners in by_code.items():
            self.codes.add_word(code, (code, tuple(owners)))
        self._codes_empty = not by_code
        if by_code:
            self.codes.make_automaton()
        self.pinyin = {k: tuple(sorted(v)) for k, v in pinyin.items()}
        self.near = near.table()
        self.near_first = {k: tuple(sorted(v)) for k, v in near_first.items()}

    def _build_mixed(self) -> None:
        """Chinese forms spelled in mixed hanzi and pinyin (`霸wang`, `力shi`, `阿迪ds`): each form's toneless pinyin,
        and for forms of three or more characters the pinyin of the first characters then the initials of the rest."""
        table = pinyin_table()
        mixed: _Shared[tuple[int, str]] = _Shared()
        for key, entries in self.cjk.items():
            syllables = [table.get(c, "") for c in key]
            if not all(syllables):
                continue
            spellings = {"".join(syllables)}
            for k in range(2, len(key)):
                tails = [""]
                for syllable in syllables[k:]:
                    tails = [t + i for t in tails for i in _initials(syllable)]
                spellings.update("".join(syllables[:k]) + t for t in tails)
            # folded as listing text is (`l` reads `i`; pinyin is plain ASCII)
            mixed.add({s.replace("l", "i") for s in spellings}, tuple((e, key) for e in entries))
        self.mixed = mixed.table()

    def _build_code_words(self) -> None:
        """Bundled seller code words (data/code_words.tsv) for the marks this watchlist holds, by any form."""
        by_key: dict[str, set[int]] = {}
        for i, keys in enumerate(self.forms_of):
            for key in keys:
                by_key.setdefault(key, set()).add(i)
        words: dict[str, set[int]] = {}
        for word, mark in code_words():
            key = latin_key(mark) if not has_cjk(mark) else cjk_stream(fold(mark))
            for e in by_key.get(key, ()):
                words.setdefault(spaced(fold(word)).strip(), set()).add(e)
        self.code_words = PhraseScanner({w: tuple(sorted(v)) for w, v in words.items()})

    # ---- the index cache (matchers.index_cache) -------------------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        """The per-word caches are left out of the index cache."""
        return dict(self.__dict__, _typo_cache={}, _glued_cache={}, _split_cache={})

    # ---- lookups -------------------------------------------------------------------------------------------

    def latin_candidates(self, tokens: list[str], raw: list[str] | None = None) -> Iterator[Candidate]:
        """Exact, joined, glued, typo and pinyin matches among the listing's Latin tokens (`raw`: the same tokens with
        their digits as written, where model codes glued to a mark are read)."""
        latin, pinyin = self.latin, self.pinyin
        n = len(tokens)
        exact_tokens: set[int] = set()
        for i in range(n):
            key = tokens[i]
            for j in range(i + 1, min(n, i + MAX_JOIN) + 1):
                if j > i + 1:
                    key += tokens[j - 1]
                if key in latin:
                    # short marks only as a whole token, spelled out letter by letter (`L V`) or split where the
                    # registered form itself is (`85°C`)
                    if (len(key) > self.short_latin_max or j == i + 1 or all(len(t) == 1 for t in tokens[i:j])
                            or " ".join(tokens[i:j]) in self.split_short):  # fmt: skip
                        exact_tokens.update(range(i, j))
                        for e in latin[key]:
                            yield Candidate(e, "exact", key, key, "latin", i)
                if key in pinyin:
                    for e in pinyin[key]:
                        yield Candidate(e, "pinyin", key, key, "latin", i)
        for i, token in enumerate(tokens):  # pinyin glued to goods (`aoliaobiscuits`)
            if len(token) >= 8 and i not in exact_tokens and pinyin:
                for word, glued in self._splits(token):
                    for e in pinyin.get(word, ()):
                        yield Candidate(e, "pinyin", word, word, "latin", i, glued)
        yield from self._spelled_out(tokens)
        yield from self._glued(tokens, exact_tokens, raw or tokens)
        yield from self._typos(tokens, exact_tokens)

    def _splits(self, token: str) -> tuple[tuple[str, str], ...]:
        """(word, glued) for each goods word, shop word or look-alike claim the token ends with (`niekjacket` →
        `niek` + `jacket`); remembered per token."""
        splits = self._split_cache.get(token)
        if splits is None:
            splits = tuple((token[:k], token[k:]) for k in range(1, len(token) - 2) if _claim_or_goods(token[k:]))
            self._remember(self._split_cache, token, splits)
        return splits

    def _spelled_out(self, tokens: list[str]) -> Iterator[Candidate]:
        """Marks written a letter at a time (`N I K E A I R`): each run of single letters joined, and a run whose
        last letters are glued to a goods word (`K♥I♥N♥G♥S♥T♥O♥Ncamera`, `K~T~Mheadlight`)."""
        run: list[int] = []
        for i, token in enumerate([*tokens, "--"]):
            if len(token) == 1:
                run.append(i)
                continue
            if len(run) > MAX_JOIN and not self._glued_empty:
                joined = "".join(tokens[k] for k in run)
                for _end, key in self.glued.iter(joined):
                    for e in self.latin[key]:
                        yield Candidate(e, "exact", key, key, "latin", run[0])
            if len(run) >= 2 and i < len(tokens) and len(token) >= 4:
                letters = "".join(tokens[k] for k in run)
                for word, glued in self._splits(token):
                    if len(word) <= 2 and letters + word in self.latin:
                        key = letters + word
                        for e in self.latin[key]:
                            yield Candidate(e, "exact", key, key, "latin", run[0], glued)
            run = []

    def _glued(self, tokens: list[str], exact_tokens: set[int], raw: list[str]) -> Iterator[Candidate]:
        english, latin, n = english_words(), self.latin, len(tokens)
        for i, token in enumerate(tokens):
            if len(token) < 5 or i in exact_tokens or token in english:  # `smartphone` is a word, not SMART + phone
                continue
            written = raw[i] if i < len(raw) else token
            for size in range(3, self.short_latin_max + 1):  # a short mark with a model code (`KIAS22`, `JBLGT7`)
                key, code = written[:size], written[size:]
                if key in latin and any(c.isdigit() for c in code) and _model_code(code):
                    for e in latin[key]:
                        yield Candidate(e, "glued", key, token, "latin", i, code)
            if i > 0:  # a mark of several words, its last word glued (`Coca-Coladupe`, `Calvin Kleinstyle`)
                for word, glued in self._splits(token):
                    prefix = ""
                    for k in range(1, MAX_JOIN):
                        if i - k < 0 or i - k in exact_tokens:
                            break
                        prefix = tokens[i - k] + prefix
                        key = prefix + word
                        if len(key) > self.short_latin_max and key in latin:
                            for e in latin[key]:
                                yield Candidate(e, "glued", key, key + glued, "latin", i - k, glued)
            if len(token) < 6 or self._glued_empty:
                continue
            keys = self._glued_cache.get(written)
            if keys is None:
                found = dict.fromkeys(self._glued_keys(token))
                if written != token:  # `zarak9`: the model code as written, before digits were read as letters
                    found.update(dict.fromkeys(self._glued_keys(written)))
                keys = self._remember(self._glued_cache, written, tuple(found))
            for key, ok in keys:
                if ok:
                    rest = written.replace(key, "", 1) if key in written else token.replace(key, "", 1)
                    yield from (Candidate(e, "glued", key, token, "latin", i, rest) for e in latin[key])
                elif i + 1 < n and token[len(key) :] + tokens[i + 1] in glued_goods():  # `volvobrake pads`
                    rest = token[len(key) :] + tokens[i + 1]
                    yield from (Candidate(e, "glued", key, key + rest, "latin", i, rest) for e in latin[key])

    def _glued_keys(self, token: str) -> Iterator[tuple[str, bool]]:
        """(key, True) for a form glued to a goods word, shop word, number, claim or model code; (key, False) for a
        form at the start whose rest may begin a goods phrase that the next token ends (`volvobrake pads`)."""
        goods = goods_terms()
        for end, key in self.glued.iter(token):
            start = end - len(key) + 1
            if start == 0:
                rest = token[end + 1 :]
            elif end == len(token) - 1:
                rest = token[:start]
            else:
                continue
            if (rest in GLUE_WORDS or rest in goods or rest in glued_goods() or rest.isdigit() or rest in GLUE_EVASIONS
                    or (start == 0 and _model_code(rest))):  # fmt: skip
                yield key, True
            elif start == 0 and len(rest) >= 3:
                yield key, False

    def _typos(self, tokens: list[str], exact_tokens: set[int]) -> Iterator[Candidate]:
        blocked, latin, english = common_words(), self.latin, english_words()
        words = [(i, t, "") for i, t in enumerate(tokens) if len(t) >= 4 and i not in exact_tokens]
        # a mark split by a separator and mistyped (`LI-NIING`, `SKK-II`)
        words += [(i, tokens[i] + tokens[i + 1], "") for i in range(len(tokens) - 1)
                  if len(tokens[i]) >= 2 and len(tokens[i + 1]) >= 2 and len(tokens[i]) + len(tokens[i + 1]) >= 5
                  and i not in exact_tokens]  # fmt: skip
        # a mistyped mark glued to goods or a claim (`NIEKjacket`, `PRADDAbracelet`)
        words += [(i, word, glued) for i, t in enumerate(tokens) if len(t) >= 7 and i not in exact_tokens
                  and t not in english for word, glued in self._splits(t) if len(word) >= 4]  # fmt: skip
        for i, word, glued in words:
            if word in blocked or word in latin or not word.isalpha():
                continue
            keys = self._typo_cache.get(word)
            if keys is None:
                keys = self._remember(self._typo_cache, word, tuple(self._typo_keys(word)))
            for key in keys:
                for e in latin[key]:
                    yield Candidate(e, "typo", key, word, "latin", i, glued)

    def _typo_keys(self, word: str) -> Iterator[str]:
        deletes, latin, seen = self.deletes, self.latin, set()
        for variant in (word, *(word[:k] + word[k + 1 :] for k in range(len(word)))):
            keys = [value.decode() for value in deletes.get(variant, ())]
            if len(variant) >= 4 and variant in latin:  # a form itself: the word has one letter more (`niike`)
                keys.append(variant)
            for key in keys:
                # the first letter is kept, or swapped with the second (`osny`, `inke`, `ydson`)
                if key not in seen and (key[0] == word[0] or (word[:2] == key[1::-1] and word[2:] == key[2:])):
                    seen.add(key)
                    if self._is_typo(word, key):
                        yield key

    @staticmethod
    def _remember(cache: dict[str, _T], word: str, keys: _T) -> _T:
        if len(cache) >= CACHE_SIZE:
            cache.clear()  # crude but bounded; a busy vocabulary refills it within a few thousand listings
        cache[word] = keys
        return keys

    def _is_typo(self, word: str, key: str) -> bool:
        if OSA.distance(word, key) != 1:
            return False
        if len(key) >= self.min_typo_length:
            return True
        # short marks: only swapped neighbours (`nkie`) or a doubled letter (`niike`), never a new letter (`nice`)
        if len(word) == len(key):
            return sorted(word) == sorted(key)
        return len(word) == len(key) + 1 and any(
            word[k] == word[k + 1] and word[:k] + word[k + 1 :] == key for k in range(len(word) - 1)
        )

    def cjk_candidates(self, stream: str, spaced: str) -> Iterator[Candidate]:
        """Exact, homophone and one-character-changed matches in the listing's Chinese characters (`stream`: the
        spaced text without its spaces)."""
        cjk = self.cjk
        exact_spans: list[tuple[int, int]] = []
        if not self._codes_empty:
            codes = codes_of(stream)
            for end, (code, owners) in self.codes.iter(codes):
                start = end - len(code) + 1
                found = stream[start : end + 1]
                if found in cjk:
                    exact_spans.append((start, end))
                    for e in cjk[found]:
                        yield Candidate(e, "exact", found, found, "cjk", start)
                for e, key in owners:
                    if key != found and found not in cjk:
                        yield Candidate(e, "homophone", key, found, "cjk", start)
        yield from self._near_marks(stream, spaced, exact_spans)

    def mixed_candidates(self, spaced: str) -> Iterator[Candidate]:
        """Chinese marks written partly in pinyin, in one run of the spaced text (`霸wang洗发水`, `金龙y`): the run's
        characters read as their pinyin and its Latin letters as written must spell a form, the characters must be
        the form's own, and both scripts must be there."""
        if not self.mixed or not _SCRIPT_CHANGE.search(spaced):
            return
        table = _folded_pinyin()
        for run in _MIXED_RUN.finditer(spaced):
            text = run.group()
            if not _SCRIPT_CHANGE.search(text):
                continue
            pieces = _MIXED_PIECE.findall(text)
            starts = [0]
            for piece in pieces:
                starts.append(starts[-1] + len(piece))
            for i in range(len(pieces)):
                spelled, chars, latin = "", "", False
                for j in range(i, min(len(pieces), i + MAX_MIXED)):
                    piece = pieces[j]
                    if piece[0] <= "z":
                        spelled += piece
                        latin = True
                    else:
                        spelled += table.get(piece, "?")
                        chars += piece
                    if not (latin and chars) or spelled not in self.mixed:
                        continue
                    found = text[starts[i] : starts[j + 1]]
                    for e, key in self.mixed[spelled]:
                        if set(chars) <= set(key):
                            yield Candidate(e, "mixed", key, found, "spaced", run.start() + starts[i])

    def code_candidates(self, spaced: str) -> Iterator[Candidate]:
        """Seller code words for a watched mark (`驴牌`, `绿水鬼`, `双G`), found in the spaced text."""
        for start, end, word, entries in self.code_words.scan(spaced):
            for e in entries:  # type: ignore[attr-defined]
                yield Candidate(e, "codeword", word, spaced[start:end], "spaced", start)

    def _near_marks(self, stream: str, spaced: str, exact_spans: list[tuple[int, int]]) -> Iterator[Candidate]:
        near, first, cjk = self.near, self.near_first, self.cjk
        for i, char in enumerate(stream):
            lengths = first.get(char)
            if not lengths:
                continue
            for length in lengths:
                window = stream[i : i + length]
                if len(window) < length or window in cjk or not _ALL_CJK.match(window):
                    continue
                if window not in spaced:
                    continue  # the window straddles two words: a changed character *and* a separator is no mark
                if any(s <= i and i + length - 1 <= e for s, e in exact_spans):
                    continue
                for k in range(1, length):
                    for e, key in near.get(window[:k] + "?" + window[k + 1 :], ()):
                        yield Candidate(e, "near_mark", key, window, "cjk", i)
