"""Reading licence numbers: where a listing states them (title, description, detail fields, images' alt text), how
each candidate is found (a regime's own prefix, or a label such as 批准文号 before it), and whether it fits one of the
regime's written forms and passes that form's checks. Pure: text in, citations out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from matchers.regulated.rules import Bilingual, NumberForm, Regime, YearCheck
from netsword.models import Listing

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACE = re.compile(r"\s+")
_CJK = "\u4e00-\u9fff"
_CJK_GAP = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_DIGIT = re.compile(r"\d")
_REFERS = re.compile(r"见|详|包装|图|客服|咨询|标签|私聊")  # the number is somewhere else, not in the listing
# detail fields grouped under one key (a platform's 商品参数 table), as a mapping or a list of {name, value}
_GROUP_KEYS = {"PARAMS", "PARAMETERS", "ATTRIBUTES", "SPECS", "DETAILS", "PROPERTIES", "参数", "商品参数", "规格参数",
               "产品参数", "基本信息"}  # fmt: skip
_ALT_KEYS = {"IMAGEALTS", "IMAGESALT", "IMAGEALT", "ALTS"}
# after a label: 【批准文号】, 批准文号：, 批准文号 — then the value up to a space or punctuation
_LABEL_VALUE = r"\s*[】\]]?\s*[:：]?\s*(?P<v>[^\s,，;；。、【】《》\"“”'|]{1,40})"
# what a regime's groups are called in reasons
GROUP_NAMES: dict[str, Bilingual] = {
    "letter": Bilingual("类别字母", "type letter"), "origin": Bilingual("产地字母", "origin letter"),
    "src": Bilingual("来源代码", "source code"), "province": Bilingual("省级代码", "province code"),
    "class": Bilingual("类别编号", "class number"), "kind": Bilingual("类别", "kind"),
    "cat": Bilingual("类别简称", "category"), "year": Bilingual("年份", "year"), "yy": Bilingual("年份", "year"),
    "crop": Bilingual("作物简称", "crop"), "issuer": Bilingual("发证机关简称", "issuer"),
    "type": Bilingual("类别", "type"),
}  # fmt: skip


def normalise(text: str) -> str:
    """Full-width folded (NFKC), invisible characters dropped, Latin upper-cased; spaces kept."""
    text = unicodedata.normalize("NFKC", text)
    return (_INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text).upper()


def compact(text: str) -> str:
    """A number as registers write it: normalised, without spaces, without a trailing 号."""
    out = _SPACE.sub("", normalise(text))
    return out[:-1] if out.endswith("号") and len(out) > 1 else out


def joined(text: str, *, normalised: bool = False) -> str:
    """Normalised text with the spaces between Chinese characters removed (嘧菌酯 悬浮剂 reads as 嘧菌酯悬浮剂)."""
    text = text if normalised else normalise(text)
    return _CJK_GAP.sub("", text) if " " in text or not text.isprintable() else text


def key_of(name: str) -> str:
    return re.sub(r"[\s_\-.:：]+", "", normalise(name))


_PLACES = {"title": Bilingual("标题", "title"), "description": Bilingual("描述", "description"),
           "category": Bilingual("类目", "category"), "image": Bilingual("图片文字", "image text")}  # fmt: skip


class TextSource(NamedTuple):
    """One place in a listing that can state a number: title, description, a detail field, an image's alt text."""

    where: str  # title | description | category | field | image
    name: str  # the field's name for `field`, else ""
    text: str  # normalised

    def describe(self) -> Bilingual:
        return _PLACES.get(self.where) or Bilingual(f"参数“{self.name}”", f"field “{self.name}”")


def _field_items(extra: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for key, value in extra.items():
        k = key_of(str(key))
        if k in _ALT_KEYS:
            continue
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            yield str(key), str(value)
        elif k in _GROUP_KEYS and isinstance(value, Mapping):
            yield from ((str(n), str(v)) for n, v in value.items() if isinstance(v, (str, int, float)))
        elif k in _GROUP_KEYS and isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    name = item.get("name", item.get("key", item.get("label", "")))
                    if name and isinstance(item.get("value"), (str, int, float)):
                        yield str(name), str(item["value"])


def listing_sources(listing: Listing) -> list[TextSource]:
    """Every place the listing can state a number, normalised: title, description, detail fields (listing.extra:
    top-level text values, or a params/attributes/商品参数 group), images' alt text (extra `image_alts`)."""
    out = [TextSource("title", "", normalise(listing.title))]
    if listing.description:
        out.append(TextSource("description", "", normalise(listing.description)))
    if listing.category:
        out.append(TextSource("category", "", normalise(listing.category)))
    if not listing.extra:
        return out
    for name, value in _field_items(listing.extra):
        if value.strip():
            out.append(TextSource("field", name, normalise(value)))
    for key, value in listing.extra.items():
        if key_of(str(key)) in _ALT_KEYS:
            for alt in value if isinstance(value, list) else [value]:
                if isinstance(alt, str) and alt.strip():
                    out.append(TextSource("image", "", normalise(alt)))
    return out


@dataclass(frozen=True)
class Parsed:
    """A number read against a regime's forms: the form it fits (None: none), its parts, and why it cannot exist."""

    written: str
    form: NumberForm | None
    groups: Mapping[str, str]
    problem: Bilingual | None

    @property
    def well_formed(self) -> bool:
        return self.form is not None and self.problem is None

    def lookup_keys(self) -> tuple[str, ...]:
        """The number as a register may write it: the form's canonical spelling first, then as written."""
        if self.form and self.form.canonical:
            canonical = self.form.canonical.format(**{k: v or "" for k, v in self.groups.items()})
            return (canonical, self.written) if canonical != self.written else (canonical,)
        return (self.written,)


def _year_problem(check: YearCheck, groups: Mapping[str, str], year: int) -> Bilingual | None:
    if not all(groups.get(g) in values for g, values in check.when):
        return None
    parts = [groups.get(g) or "" for g in check.groups]
    value = int("".join(parts)) if all(p.isdigit() for p in parts) else -1
    if check.min_year <= value <= year:
        return None
    shown = "".join(parts)
    return Bilingual(
        f"年份{shown}不在{check.min_year}–{year}之间", f"year {shown} is not between {check.min_year} and {year}"
    )


def _value_problem(group: str, value: str, allowed: Mapping[str, str] | frozenset[str]) -> Bilingual | None:
    if value in allowed:
        return None
    name = GROUP_NAMES.get(group, Bilingual(group, group))
    shown = "、".join(sorted(allowed)[:12]) + ("…" if len(allowed) > 12 else "")
    return Bilingual(f"{name.zh}“{value}”不存在（应为{shown}）", f"{name.en} “{value}” does not exist (one of {shown})")


def form_problem(form: NumberForm, groups: Mapping[str, str], year: int) -> Bilingual | None:
    """Why a number that fits the form's pattern still cannot exist; None when it passes every check."""
    for group, allowed in form.allowed:
        if groups.get(group) is not None and (problem := _value_problem(group, groups[group], allowed)):
            return problem
    for check in form.years:
        if problem := _year_problem(check, groups, year):
            return problem
    for req in form.requires:
        if not all(groups.get(g) in values for g, values in req.when):
            continue
        for group, values in req.allowed:
            if groups.get(group) is not None and (problem := _value_problem(group, groups[group], values)):
                return Bilingual(f"{problem.zh}：{req.why.zh}", f"{problem.en}: {req.why.en}")
        if req.years and (problem := _year_problem(req.years, groups, year)):
            return Bilingual(f"{problem.zh}：{req.why.zh}", f"{problem.en}: {req.why.en}")
    return None


def parse_number(regime: Regime, written: str, year: int) -> Parsed:
    """Read a compact number against the regime's forms: the first form it fits and passes, else the first it fits
    (with its problem), else none. A form also fits a prefix of the text that a non-alphanumeric character ends."""
    first: Parsed | None = None
    for form in regime.forms:
        m = form.pattern.fullmatch(written)
        if not m:
            m = form.pattern.match(written)
            if not m or re.match(r"[0-9A-Z]", written[m.end() :]):
                continue
        groups = {k: v for k, v in m.groupdict().items() if v is not None}
        number = m.group(0)
        parsed = Parsed(number, form, groups, form_problem(form, groups, year))
        if parsed.problem is None:
            return parsed
        first = first or parsed
    if first:
        return first
    names = "；".join(f.name.split(" / ")[0] for f in regime.forms[:2])
    return Parsed(written, None, {}, Bilingual(f"不符合{regime.number.zh}的写法（{names}）",
                                              f"is not written as a {regime.number.en} is"))  # fmt: skip


@dataclass(frozen=True)
class Citation:
    """A number a listing states for one regime: where, whether a label introduced it, and how it reads."""

    regime: Regime
    source: TextSource
    parsed: Parsed
    labelled: bool

    @property
    def written(self) -> str:
        return self.parsed.written


@dataclass(frozen=True)
class Statements:
    """What a listing states about one regime's number: the numbers, and labels with no number after them (见包装)."""

    citations: tuple[Citation, ...]
    not_shown: tuple[tuple[TextSource, str], ...]  # (where, the text after the label)


class NumberReader:
    """One regime's finders and labels compiled once."""

    def __init__(self, regime: Regime, others: tuple[Regime, ...]) -> None:
        self.regime = regime
        self.others = others  # a labelled value that is another regime's number is not this regime's

        def labels_re(labels: tuple[str, ...]) -> re.Pattern[str] | None:
            if not labels:
                return None
            words = sorted({normalise(x) for x in labels}, key=len, reverse=True)
            alternation = "|".join(r"\s*".join(map(re.escape, w.replace(" ", ""))) for w in words)
            return re.compile(f"(?:{alternation}){_LABEL_VALUE}")

        self.specific = labels_re(regime.labels)
        self.generic = labels_re(regime.generic_labels)
        self.specific_keys = tuple(key_of(x) for x in regime.labels)
        self.generic_keys = tuple(key_of(x) for x in regime.generic_labels)

    def read(self, sources: list[TextSource], on_goods: bool, year: int) -> Statements:
        found: dict[str, Citation] = {}
        not_shown: list[tuple[TextSource, str]] = []

        def add(source: TextSource, value: str, labelled: bool) -> None:
            written = compact(value)
            if not written:
                return
            if not _DIGIT.search(written):
                if labelled and _REFERS.search(written):  # 批准文号：见包装 (3C认证 全国联保 says nothing)
                    not_shown.append((source, value.strip()))
                return
            parsed = parse_number(self.regime, written, year)
            if labelled and not parsed.well_formed and self._belongs_elsewhere(written, year):
                return
            if self.regime.ambiguous and not (labelled or on_goods):
                return  # PD100W on a charger is a charger, and PD20171234 on it a model code
            key = parsed.written
            if key not in found or (labelled and not found[key].labelled):
                found[key] = Citation(self.regime, source, parsed, labelled)

        for source in sources:
            if source.where == "category":
                continue
            for finder in self.regime.finders:
                for m in finder.finditer(source.text):
                    add(source, m.group("v"), False)
            for pattern, gated in ((self.specific, False), (self.generic, True)):
                if pattern and (on_goods or not gated):
                    for m in pattern.finditer(source.text):
                        add(source, m.group("v"), True)
            if source.where == "field":
                key = key_of(source.name)
                if any(k in key for k in self.specific_keys) or (on_goods and any(k in key for k in self.generic_keys)):
                    add(source, source.text, True)
        # a labelled value that is also a finder's number is one citation; a shorter labelled fragment of it is none
        citations = [c for c in found.values()
                     if not any(c.written != o.written and c.written in o.written for o in found.values())]  # fmt: skip
        return Statements(tuple(citations), tuple(not_shown) if not citations else ())

    def _belongs_elsewhere(self, written: str, year: int) -> bool:
        return any(parse_number(other, written, year).well_formed for other in self.others)
