"""The regulated-goods rules (matchers/regulated/data/regimes.yaml): one Regime per licensing regime, with the goods it
covers, where a listing states its number, the number's written forms and the checks each form must pass.

Loaded once at index build; every mistake in the file is a `file:line: field: message` line (RulesError).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from matchers.errors import RulesError
from netsword.yaml_validation import line_of
from watchlists.yaml_lines import Path_, YamlShapeError, load_with_lines

RULES_FILE = Path(__file__).parent / "data" / "regimes.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_PLACEHOLDER = re.compile(r"\{([a-z][a-z_]*)\}")  # {name}; {2} and {2,4} stay quantifiers


@dataclass(frozen=True)
class Bilingual:
    zh: str
    en: str

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Source:
    """One legal source: a regulation's name, the article, the issuing authority, what it says, and whether we have
    checked the article against the text (False: recalled, to be verified before it is cited in a referral)."""

    title: str
    issuer: str
    article: str
    says: str
    verified: bool

    def cite(self) -> str:
        where = f"{self.article}" if self.verified else f"{self.article}（条款未核实 / article unverified）"
        return f"《{self.title}》{where}，{self.issuer}"


@dataclass(frozen=True)
class YearCheck:
    groups: tuple[str, ...]  # concatenated: ("src", "yy") → "2001"
    min_year: int
    when: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class Requirement:
    """When the groups in `when` hold these values, the groups in `allowed` must hold one of theirs."""

    when: tuple[tuple[str, frozenset[str]], ...]
    allowed: tuple[tuple[str, frozenset[str]], ...]
    years: YearCheck | None
    why: Bilingual


@dataclass(frozen=True)
class Retirement:
    since: date
    certain: bool
    why: Bilingual


@dataclass(frozen=True)
class NumberForm:
    """One written form of a regime's number: a regular expression over the number with spaces removed, full-width
    characters folded and Latin letters upper-cased, and the checks its parts must pass."""

    id: str
    name: str
    pattern: re.Pattern[str]
    allowed: tuple[tuple[str, dict[str, str]], ...] = ()  # group → {value: meaning}
    years: tuple[YearCheck, ...] = ()
    requires: tuple[Requirement, ...] = ()
    retired: Retirement | None = None
    implies: tuple[tuple[str, str], ...] = ()  # (group, product dimension): the number names the goods' kind
    note: str = ""
    canonical: str = ""  # how the number is written in registers, from the groups ("国药准字{type}{digits}"); "": as is


@dataclass(frozen=True)
class ProductDimension:
    """Words that name a product's kind along one dimension (active ingredient, dosage form, crop …) → its group."""

    name: str
    terms: dict[str, str]
    goods: bool  # do these words alone say the listing sells the regime's goods?


@dataclass(frozen=True)
class Regime:
    id: str
    name: Bilingual
    number: Bilingual
    authority: Bilingual
    sources: tuple[Source, ...]
    goods: tuple[str, ...]
    not_goods: tuple[str, ...]
    high_risk: tuple[str, ...]
    cues: tuple[str, ...]
    claims: tuple[str, ...]
    products: tuple[ProductDimension, ...]
    labels: tuple[str, ...]  # name the number whatever the goods
    generic_labels: tuple[str, ...]  # name it only on the regime's goods (登记证号, 批准文号 …)
    finders: tuple[re.Pattern[str], ...]
    triggers: tuple[str, ...]  # words without which the finders cannot match: a listing without them is not read
    ambiguous: bool  # finders' near-misses count only on the regime's goods or after a label
    forms: tuple[NumberForm, ...]
    missing_score: float
    high_risk_score: float
    missing_why: Bilingual

    @property
    def entry_id(self) -> str:
        return f"reg:{self.id}"

    @property
    def basis(self) -> Source:
        return self.sources[0]


@dataclass(frozen=True)
class Scores:
    malformed: float = 70
    mismatch: float = 70
    expired: float = 65
    expired_uncertain: float = 55
    unregistered: float = 60
    cue: float = 15
    cue_extra: float = 5
    cue_cap: float = 25
    claim: float = 20


@dataclass(frozen=True)
class Rules:
    regimes: tuple[Regime, ...]
    scores: Scores
    code_lists: dict[str, dict[str, str]] = field(default_factory=dict)

    def get(self, regime_id: str) -> Regime | None:
        return next((r for r in self.regimes if r.id == regime_id), None)


class _Reader:
    """Walks the parsed YAML; each accessor raises RulesError naming the file, line and field."""

    def __init__(self, path: str, lines: dict[Path_, int]) -> None:
        self.path, self.lines = path, lines

    def fail(self, at: Path_, message: str) -> RulesError:
        field_name = ".".join(str(p) for p in at)
        return RulesError(f"{self.path}:{line_of(self.lines, at)}: {field_name}: {message}")

    def mapping(self, data: Any, at: Path_, known: set[str], required: set[str] = frozenset()) -> dict[str, Any]:  # type: ignore[assignment]
        if not isinstance(data, dict):
            raise self.fail(at, f"must be a mapping, got {type(data).__name__}")
        for key in data:
            if key not in known:
                raise self.fail((*at, key), f"unknown field (known: {', '.join(sorted(known))})")
        for key in sorted(required - set(data)):
            raise self.fail((*at, key), "is required")
        return data

    def text(self, data: Any, at: Path_) -> str:
        if isinstance(data, bool) or not isinstance(data, (str, int, float, date)):
            raise self.fail(at, f"must be text, got {type(data).__name__}")
        out = str(data).strip()
        if not out:
            raise self.fail(at, "must not be empty")
        return out

    def texts(self, data: Any, at: Path_) -> tuple[str, ...]:
        if data is None:
            return ()
        if not isinstance(data, list):
            raise self.fail(at, f"must be a list, got {type(data).__name__}")
        return tuple(self.text(v, (*at, i)) for i, v in enumerate(data))

    def bilingual(self, data: Any, at: Path_) -> Bilingual:
        m = self.mapping(data, at, {"zh", "en"}, {"zh", "en"})
        return Bilingual(self.text(m["zh"], (*at, "zh")), self.text(m["en"], (*at, "en")))

    def number(self, data: Any, at: Path_) -> float:
        if isinstance(data, bool) or not isinstance(data, (int, float)) or not 0 <= data <= 100:
            raise self.fail(at, f"must be a number from 0 to 100, got {data!r}")
        return float(data)

    def regex(self, data: Any, at: Path_, lists: dict[str, dict[str, str]]) -> re.Pattern[str]:
        source = self.text(data, at)

        def expand(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in lists:
                raise self.fail(at, f"{{{name}}} is not a code list (known: {', '.join(sorted(lists))})")
            return "(?:" + "|".join(re.escape(k) for k in sorted(lists[name], key=len, reverse=True)) + ")"

        try:
            return re.compile(_PLACEHOLDER.sub(expand, source))
        except re.error as exc:
            raise self.fail(at, f"not a valid regular expression: {exc}") from None

    def values(self, data: Any, at: Path_, lists: dict[str, dict[str, str]]) -> dict[str, str]:
        """A value list: a mapping value → meaning, a list of values, or "@name" of a code list (lists may mix)."""
        if isinstance(data, dict):
            return {self.text(k, (*at, k)) if not isinstance(k, str) else k: self.text(v, (*at, k))
                    for k, v in data.items()}  # fmt: skip
        out: dict[str, str] = {}
        for i, item in enumerate(data if isinstance(data, list) else [data]):
            value = self.text(item, (*at, i))
            if value.startswith("@"):
                if value[1:] not in lists:
                    raise self.fail((*at, i), f"{value} is not a code list (known: {', '.join(sorted(lists))})")
                out.update(lists[value[1:]])
            else:
                out[value] = value
        return out

    def conditions(
        self, data: Any, at: Path_, lists: dict[str, dict[str, str]]
    ) -> tuple[tuple[str, frozenset[str]], ...]:
        m = self.mapping(data, at, set(data) if isinstance(data, dict) else set())
        return tuple((str(k), frozenset(self.values(v, (*at, k), lists))) for k, v in m.items())


def _year_check(r: _Reader, data: Any, at: Path_, lists: dict[str, dict[str, str]]) -> YearCheck:
    m = r.mapping(data, at, {"groups", "min", "when"}, {"groups", "min"})
    minimum = m["min"]
    if isinstance(minimum, bool) or not isinstance(minimum, int) or not 1900 <= minimum <= 2100:
        raise r.fail((*at, "min"), f"must be a year, got {minimum!r}")
    when = r.conditions(m["when"], (*at, "when"), lists) if "when" in m else ()
    return YearCheck(r.texts(m["groups"], (*at, "groups")), minimum, when)


def _form(r: _Reader, data: Any, at: Path_, lists: dict[str, dict[str, str]]) -> NumberForm:
    known = {"id", "name", "pattern", "allowed", "years", "requires", "retired", "implies", "note", "canonical"}
    m = r.mapping(data, at, known, {"id", "name", "pattern"})
    pattern = r.regex(m["pattern"], (*at, "pattern"), lists)
    groups = set(pattern.groupindex)

    def group(name: str, where: Path_) -> str:
        if name not in groups:
            raise r.fail(where, f"{name!r} is not a group of the pattern (groups: {', '.join(sorted(groups))})")
        return name

    allowed = tuple((group(str(g), (*at, "allowed", g)), r.values(v, (*at, "allowed", g), lists))
                    for g, v in r.mapping(m.get("allowed", {}), (*at, "allowed"), set(m.get("allowed") or {})).items())  # fmt: skip
    years = tuple(_year_check(r, y, (*at, "years", i), lists) for i, y in enumerate(m.get("years") or []))
    for i, y in enumerate(years):
        for g in (*y.groups, *(w for w, _ in y.when)):
            group(g, (*at, "years", i))
    requires = []
    for i, item in enumerate(m.get("requires") or []):
        where = (*at, "requires", i)
        q = r.mapping(item, where, {"when", "allowed", "years", "why"}, {"when", "why"})
        req = Requirement(
            r.conditions(q["when"], (*where, "when"), lists),
            r.conditions(q["allowed"], (*where, "allowed"), lists) if "allowed" in q else (),
            _year_check(r, q["years"], (*where, "years"), lists) if "years" in q else None,
            r.bilingual(q["why"], (*where, "why")),
        )
        for g, _ in (*req.when, *req.allowed):
            group(g, where)
        requires.append(req)
    retired = None
    if "retired" in m:
        where = (*at, "retired")
        q = r.mapping(m["retired"], where, {"since", "certain", "why"}, {"since", "certain", "why"})
        since = q["since"]
        if not isinstance(since, date):
            raise r.fail((*where, "since"), f"must be a date such as 2018-06-01, got {since!r}")
        if not isinstance(q["certain"], bool):
            raise r.fail((*where, "certain"), "must be true or false")
        retired = Retirement(since, q["certain"], r.bilingual(q["why"], (*where, "why")))
    implies = tuple((group(str(g), (*at, "implies", g)), r.text(d, (*at, "implies", g)))
                    for g, d in r.mapping(m.get("implies", {}), (*at, "implies"), set(m.get("implies") or {})).items())  # fmt: skip
    canonical = str(m.get("canonical") or "")
    for name in re.findall(r"\{(\w+)\}", canonical):
        group(name, (*at, "canonical"))
    return NumberForm(r.text(m["id"], (*at, "id")), r.text(m["name"], (*at, "name")), pattern, allowed, years,
                      tuple(requires), retired, implies, str(m.get("note") or ""), canonical)  # fmt: skip


def _source(r: _Reader, data: Any, at: Path_) -> Source:
    m = r.mapping(
        data, at, {"title", "issuer", "article", "says", "verified"}, {"title", "issuer", "article", "says", "verified"}
    )
    if not isinstance(m["verified"], bool):
        raise r.fail((*at, "verified"), "must be true or false")
    title, issuer, article, says = (r.text(m[k], (*at, k)) for k in ("title", "issuer", "article", "says"))
    return Source(title, issuer, article, says, m["verified"])


def _regime(r: _Reader, data: Any, at: Path_, lists: dict[str, dict[str, str]]) -> Regime:
    known = {"id", "name", "number", "authority", "sources", "goods", "products", "labels", "finders", "triggers",
             "ambiguous", "forms", "missing"}  # fmt: skip
    m = r.mapping(data, at, known, known - {"products", "ambiguous", "triggers"})
    regime_id = r.text(m["id"], (*at, "id"))
    if not _ID.match(regime_id):
        raise r.fail((*at, "id"), f"{regime_id!r} must be lower-case letters, digits and _")
    g = r.mapping(m["goods"], (*at, "goods"), {"terms", "not", "high_risk", "cues", "claims"}, {"terms"})
    products = []
    for name, spec in r.mapping(m.get("products") or {}, (*at, "products"), set(m.get("products") or {})).items():
        where = (*at, "products", name)
        q = r.mapping(spec, where, {"goods", "terms", "by_term"}, {"goods", "terms"})
        for flag in ("goods", "by_term"):
            if not isinstance(q.get(flag, False), bool):
                raise r.fail((*where, flag), "must be true or false")
        terms = r.values(q["terms"], (*where, "terms"), lists)
        if q.get("by_term"):  # each word is its own group (the same words grouped otherwise in another dimension)
            terms = {word: word for word in terms}
        products.append(ProductDimension(str(name), terms, q["goods"]))
    labels = r.mapping(m["labels"], (*at, "labels"), {"specific", "generic"})
    sources = tuple(_source(r, s, (*at, "sources", i)) for i, s in enumerate(m["sources"] or []))
    if not sources:
        raise r.fail((*at, "sources"), "at least one source is required")
    forms = tuple(_form(r, f, (*at, "forms", i), lists) for i, f in enumerate(m["forms"] or []))
    if not forms:
        raise r.fail((*at, "forms"), "at least one form is required")
    finders = tuple(r.regex(f, (*at, "finders", i), lists) for i, f in enumerate(m["finders"] or []))
    for i, finder in enumerate(finders):
        if "v" not in finder.groupindex:
            raise r.fail((*at, "finders", i), "must capture the number as (?P<v>…)")
    if finders and not m.get("triggers"):
        raise r.fail((*at, "triggers"), "finders need triggers: the words without which they cannot match")
    missing = r.mapping(m["missing"], (*at, "missing"), {"score", "high_risk_score", "why"}, {"score", "why"})
    ambiguous = m.get("ambiguous", False)
    if not isinstance(ambiguous, bool):
        raise r.fail((*at, "ambiguous"), "must be true or false")
    return Regime(
        id=regime_id,
        name=r.bilingual(m["name"], (*at, "name")),
        number=r.bilingual(m["number"], (*at, "number")),
        authority=r.bilingual(m["authority"], (*at, "authority")),
        sources=sources,
        goods=r.texts(g["terms"], (*at, "goods", "terms")),
        not_goods=r.texts(g.get("not"), (*at, "goods", "not")),
        high_risk=r.texts(g.get("high_risk"), (*at, "goods", "high_risk")),
        cues=r.texts(g.get("cues"), (*at, "goods", "cues")),
        claims=r.texts(g.get("claims"), (*at, "goods", "claims")),
        products=tuple(products),
        labels=r.texts(labels.get("specific"), (*at, "labels", "specific")),
        generic_labels=r.texts(labels.get("generic"), (*at, "labels", "generic")),
        finders=finders,
        triggers=r.texts(m.get("triggers"), (*at, "triggers")),
        ambiguous=ambiguous,
        forms=forms,
        missing_score=r.number(missing["score"], (*at, "missing", "score")),
        high_risk_score=r.number(missing.get("high_risk_score", missing["score"]), (*at, "missing", "high_risk_score")),
        missing_why=r.bilingual(missing["why"], (*at, "missing", "why")),
    )


def parse_rules(text: str, path: str = "<rules>") -> Rules:
    """Rules from YAML text; raises RulesError naming the first problem as `file:line: field: message`."""
    try:
        data, lines = load_with_lines(text)
    except YamlShapeError as exc:
        raise RulesError(f"{path}:{exc.line}: {exc}") from None
    r = _Reader(path, lines)
    top = r.mapping(data, (), {"version", "scores", "code_lists", "regimes"}, {"version", "regimes"})
    if top["version"] != 1:
        raise r.fail(("version",), f"must be 1, got {top['version']!r}")
    lists: dict[str, dict[str, str]] = {}
    for name, values in r.mapping(
        top.get("code_lists") or {}, ("code_lists",), set(top.get("code_lists") or {})
    ).items():
        lists[str(name)] = r.values(values, ("code_lists", name), {})
    given = r.mapping(top.get("scores") or {}, ("scores",), set(Scores.__dataclass_fields__))
    scores = Scores(**{k: r.number(v, ("scores", k)) for k, v in given.items()})
    if not isinstance(top["regimes"], list):
        raise r.fail(("regimes",), "must be a list")
    regimes = tuple(_regime(r, item, ("regimes", i), lists) for i, item in enumerate(top["regimes"]))
    seen: set[str] = set()
    for i, regime in enumerate(regimes):
        if regime.id in seen:
            raise r.fail(("regimes", i, "id"), f"duplicate regime {regime.id!r}")
        seen.add(regime.id)
    return Rules(regimes, scores, lists)


@lru_cache(maxsize=4)
def load_rules(path: str | None = None) -> Rules:
    """The bundled rules (or those of `path`), read once per process."""
    where = Path(path) if path else RULES_FILE
    try:
        text = where.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{where}:0: cannot read: {exc.strerror or exc}") from None
    return parse_rules(text, str(where))
