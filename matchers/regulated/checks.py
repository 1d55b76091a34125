"""The regulated-goods checks: for each regime whose goods a listing sells or whose number it states, one hit when the
number is missing, malformed, retired, expired or withdrawn, not in a complete imported register, or registered for
another product or holder. Pure: the rules and the register snapshot are read before matching starts.

Lead kinds (netsword.models.LEAD_KINDS) and scores: docs/regulated-goods.md; scores come from the rules file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import ahocorasick

from matchers.regulated.goods import GoodsReading, GoodsVocabulary
from matchers.regulated.numbers import Citation, NumberReader, Statements, joined, listing_sources, normalise
from matchers.regulated.registers import Register, RegisterRecord, RegisterSnapshot
from matchers.regulated.rules import Bilingual, Regime, Rules, load_rules
from netsword.models import Hit, Listing, Reason, is_parcel_platform

MISSING, MALFORMED, UNREGISTERED, EXPIRED, MISMATCH = (
    "licence_missing", "licence_malformed", "licence_unregistered", "licence_expired", "licence_mismatch",
)  # fmt: skip
REGULATED_KINDS = (MISSING, MALFORMED, UNREGISTERED, EXPIRED, MISMATCH)
_PRIORITY = {MALFORMED: 5, MISMATCH: 4, EXPIRED: 3, UNREGISTERED: 2, MISSING: 1}
# strengths and pack sizes, not names: 25%, 250克/升, 0.25G, 85G+30G (Q10 in 辅酶Q10 stays)
_UNITS = re.compile(r"\d+(?:\.\d+)?\s*(?:%|MG|ML|KG|G|L|克/升|克|毫克|毫升|升|千克|粒|片|袋|盒|瓶|支)(?![A-Z])")
_NOT_NAME = re.compile(r"\([^)]*\)|[^\u4e00-\u9fffA-Z0-9]")
# A company name is place + trade name (字号) + industry + legal form (企业名称登记管理规定); compare trade names.
_LEGAL_FORMS = re.compile(r"股份有限公司|有限责任公司|有限公司|分公司|集团|公司|\(中国\)|股份|厂$")
_INDUSTRY = re.compile(r"作物科学|作物保护|农化|化工|农药|动物药业|动物保健品|动物保健|药业|制药|医药|生物制品|生物科技|"
                       r"生物技术|生物|科技|技术|科学|肥业|肥料|种业|种子|食品|酒业|蜂业|医疗器械|医疗电子|医疗|器械|光学|"
                       r"眼镜|电器|电子|日化|营养品|保健品|实业|工业|投资|贸易|商贸|发展|控股|国际|中国")  # fmt: skip
_PLACES = re.compile(r"^(?:北京|天津|河北|山西|内蒙古|辽宁|吉林|黑龙江|上海|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|"
                     r"广西|海南|重庆|四川|贵州|云南|西藏|陕西|甘肃|青海|宁夏|新疆|香港|澳门|台湾)(?:省|市|自治区)?")  # fmt: skip


def reason(code: str, zh: str, en: str) -> Reason:
    """Reasons of the regulated checks read in both languages: `中文 / English`."""
    return Reason(code, f"{zh} / {en}")


def _listing_day(listing: Listing) -> date:
    if listing.crawled_at[:10]:
        try:
            return date.fromisoformat(listing.crawled_at[:10])
        except ValueError:
            pass
    return date.today()


def product_core(name: str) -> str:
    """A register's product name without strengths, units and brackets: 25%嘧菌酯悬浮剂 → 嘧菌酯悬浮剂."""
    text = _UNITS.sub("", joined(name).replace(" ", ""))
    return _NOT_NAME.sub("", text)


def trade_name(name: str) -> str:
    """The trade name (字号) of a company name: without the province in front, the industry and the legal form."""
    text = _LEGAL_FORMS.sub("", re.sub(r"[\s·.,，]", "", normalise(name)))
    return _INDUSTRY.sub("", _PLACES.sub("", text))


def same_holder(a: str, b: str) -> bool:
    """Two ways of writing one company: their trade names (字号) hold one another or share three characters in a row;
    南通先正达作物保护有限公司 and 先正达（中国）投资有限公司 are one, 河南恒信金穗 and 江苏瑞达恒信 two."""
    x, y = trade_name(a), trade_name(b)
    if not x or not y:
        return True  # nothing left to compare: no evidence of another holder
    if x in y or y in x:
        return True
    return any(x[i : i + 3] in y for i in range(len(x) - 2))


@dataclass(frozen=True)
class Finding:
    kind: str
    score: float
    reasons: tuple[Reason, ...]
    citation: Citation | None


class RegisterNames:
    """The product names of one register, as words to look for in listings (lazy: built on first need)."""

    def __init__(self, register: Register) -> None:
        self.register = register
        self._automaton: ahocorasick.Automaton | None = None

    def found_in(self, text: str) -> set[str]:
        if self._automaton is None:
            automaton = ahocorasick.Automaton()
            for record in self.register.records.values():
                for part in record.product.split("；"):
                    core = product_core(part)
                    if len(core) >= 2:
                        automaton.add_word(core, core)
            if len(automaton):
                automaton.make_automaton()
            self._automaton = automaton
        if not len(self._automaton):
            return set()
        return {core for _, core in self._automaton.iter_long(text.replace(" ", ""))}


class RegulatedChecks:
    """Every regime's checks compiled once; `match(listing)` returns one hit per regime that has something to say."""

    def __init__(self, registers: RegisterSnapshot | None = None, rules: Rules | None = None) -> None:
        self.rules = rules or load_rules()
        self.registers = registers or RegisterSnapshot()
        self.vocabulary = GoodsVocabulary(self.rules.regimes)
        self.readers = {r.id: NumberReader(r, tuple(o for o in self.rules.regimes if o is not r))
                        for r in self.rules.regimes}  # fmt: skip
        self.names = {regime: RegisterNames(reg) for regime, reg in self.registers.registers.items()}
        self._record_groups = lru_cache(maxsize=65536)(self._groups_of_record)

    def match(self, listing: Listing) -> list[Hit]:
        if is_parcel_platform(listing.platform):
            return []  # a parcel's declared contents never carry a licence number: nothing to learn from its absence
        sources = listing_sources(listing)
        reading = self.vocabulary.read(sources)
        wanted = reading.regimes()
        if not wanted:
            return []
        day = _listing_day(listing)
        hits = []
        for regime in self.rules.regimes:
            if regime.id not in wanted:
                continue
            on_goods = reading.on_goods(regime.id)
            statements = (
                self.readers[regime.id].read(sources, on_goods, day.year)
                if regime.id in reading.triggered
                else Statements((), ())
            )
            finding = self._assess(regime, statements, reading, day, on_goods)
            if finding:
                hits.append(self._hit(regime, finding, reading, on_goods))
        return hits

    # -- one regime --------------------------------------------------------------------------------------------------
    def _assess(
        self, regime: Regime, statements: Statements, reading: GoodsReading, day: date, on_goods: bool
    ) -> Finding | None:
        findings = [f for c in statements.citations if (f := self._citation(regime, c, reading, day))]
        if findings:
            return max(findings, key=lambda f: (f.score, _PRIORITY[f.kind]))
        if statements.citations or not on_goods:
            return None  # every number it states is fine, or the goods are not the regime's
        return self._missing(regime, statements, reading)

    def _missing(self, regime: Regime, statements: Statements, reading: GoodsReading) -> Finding:
        goods = "、".join(dict.fromkeys(reading.goods[regime.id]))
        risky = list(dict.fromkeys(reading.high_risk.get(regime.id, [])))
        score = regime.high_risk_score if risky else regime.missing_score
        if statements.not_shown:
            source, said = statements.not_shown[0]
            where = source.describe()
            first = reason("licence_number_not_shown", f"{where.zh}只写“{said}”，没有{regime.number.zh}",
                           f"the {where.en} says “{said}” instead of a {regime.number.en}")  # fmt: skip
        else:
            first = reason("no_licence_number",
                           f"“{goods}”属于{regime.name.zh}，标题、描述、参数和图片文字中未见{regime.number.zh}；{regime.missing_why.zh}",
                           f"“{goods}” are {regime.name.en}, and no {regime.number.en} appears in the title, description, "
                           f"detail fields or image text; {regime.missing_why.en}")  # fmt: skip
        reasons = [first]
        if risky:
            reasons.append(reason("high_risk_goods", f"“{'、'.join(risky)}”属于高风险品类",
                                  f"“{'、'.join(risky)}” are high-risk goods"))  # fmt: skip
        claims = list(dict.fromkeys(reading.claims.get(regime.id, [])))
        if claims:
            score += self.rules.scores.claim
            reasons.append(reason("health_claim", f"宣称“{'、'.join(claims)}”等保健功能",
                                  f"claims health functions (“{'、'.join(claims)}”)"))  # fmt: skip
        return Finding(MISSING, score, tuple(reasons), None)

    def _citation(self, regime: Regime, c: Citation, reading: GoodsReading, day: date) -> Finding | None:
        s, parsed, where = self.rules.scores, c.parsed, c.source.describe()
        shown = f"“{c.written}”"
        register = self.registers.get(regime.id)
        record = register.find(parsed.lookup_keys()) if register and parsed.form else None
        if record and register:
            return self._against_record(regime, c, record, register, reading, day)
        if parsed.form is None or parsed.problem:
            problem = parsed.problem or Bilingual("不符合写法", "is not well formed")
            return Finding(MALFORMED, s.malformed, (
                reason("malformed_number", f"{where.zh}中的{shown}{problem.zh}",
                       f"{shown} in the {where.en} {problem.en if parsed.form is None else 'cannot exist: ' + problem.en}"),
            ), c)  # fmt: skip
        form = parsed.form
        if form.retired and form.retired.since <= day:
            score = s.expired if form.retired.certain else s.expired_uncertain
            why = form.retired.why
            return Finding(EXPIRED, score, (
                reason("retired_number_form", f"{shown}是已不再有效的编号形式（{form.retired.since.isoformat()}起）：{why.zh}",
                       f"{shown} is of a form no longer valid since {form.retired.since.isoformat()}: {why.en}"),
            ), c)  # fmt: skip
        if register and register.complete:
            return Finding(UNREGISTERED, s.unregistered, (
                reason("not_in_register",
                       f"{shown}不在导入的{regime.number.zh}登记库中（{register.source}，{len(register.records)}条，"
                       f"导入于{register.imported_at[:10]}）",
                       f"{shown} is not in the imported register of {regime.number.en}s ({register.source}, "
                       f"{len(register.records)} records, imported {register.imported_at[:10]})"),
            ), c)  # fmt: skip
        return self._implied_goods(regime, c, reading)

    def _against_record(
        self, regime: Regime, c: Citation, record: RegisterRecord, register: Register, reading: GoodsReading, day: date
    ) -> Finding | None:
        s, shown = self.rules.scores, f"“{c.written}”"
        held = f"{record.product}（{record.holder}）"
        if record.withdrawn:
            return Finding(EXPIRED, s.expired, (
                reason("withdrawn_in_register", f"{shown}在登记库中的状态为“{record.status}”：{held}",
                       f"{shown} is “{record.status}” in the register: {held}"),
            ), c)  # fmt: skip
        if record.valid_until and record.valid_until < day:
            return Finding(EXPIRED, s.expired, (
                reason("expired_in_register", f"{shown}的有效期至{record.valid_until.isoformat()}（{register.source}）：{held}",
                       f"{shown} was valid until {record.valid_until.isoformat()} ({register.source}): {held}"),
            ), c)  # fmt: skip
        other = self._other_product(regime, record, reading)
        if other:
            return Finding(MISMATCH, s.mismatch, (
                reason("registered_for_other_product", f"{shown}登记的产品是“{record.product}”（{record.holder}），"
                       f"而商品是{other.zh}", f"{shown} is registered for “{record.product}” ({record.holder}), but the "
                       f"listing offers {other.en}"),
            ), c)  # fmt: skip
        if reading.producer and not same_holder(reading.producer, record.holder):
            return Finding(MISMATCH, s.mismatch, (
                reason("registered_to_other_holder", f"{shown}的持有人是“{record.holder}”，商品标明的生产企业是"
                       f"“{reading.producer}”", f"{shown} is held by “{record.holder}”, but the listing names "
                       f"“{reading.producer}” as its producer"),
            ), c)  # fmt: skip
        return self._implied_goods(regime, c, reading)

    def _groups_of_record(self, regime: str, number: str, text: str) -> dict[str, frozenset[str]]:
        return {d: frozenset(g) for d, g in self.vocabulary.product_groups(regime, text).items()}

    def _other_product(self, regime: Regime, record: RegisterRecord, reading: GoodsReading) -> Bilingual | None:
        recorded = self._record_groups(regime.id, record.number, f"{record.product} {record.scope}")
        for dim in regime.products:
            listed = reading.products.get((regime.id, dim.name), set())
            mine = recorded.get(dim.name, frozenset())
            if listed and mine and not listed & mine:
                words = "、".join(dict.fromkeys(reading.product_words[(regime.id, dim.name)]))
                return Bilingual(f"“{words}”", f"“{words}”")
        registered = self.names.get(regime.id)
        if registered and reading.text:
            named = registered.found_in(reading.text)
            cores = {product_core(p) for p in record.product.split("；")}
            text = reading.text.replace(" ", "")
            if named and not named & cores and not any(core and core in text for core in cores):
                shown = "、".join(sorted(named))
                return Bilingual(f"登记库中的另一产品“{shown}”", f"“{shown}”, another registered product")
        return None

    def _implied_goods(self, regime: Regime, c: Citation, reading: GoodsReading) -> Finding | None:
        """A number whose own parts name the kind of goods (国审玉: maize; 国药准字Z: a Chinese medicine) on a listing
        of another kind."""
        form = c.parsed.form
        if not form:
            return None
        for group, dimension in form.implies:
            value = c.parsed.groups.get(group)
            groups = self.vocabulary.dimensions.get(regime.id, {}).get(dimension, set())
            listed = reading.products.get((regime.id, dimension), set())
            if value and value in groups and listed and value not in listed:
                meaning = dict(form.allowed).get(group, {}).get(value, value)
                names = "、".join(dict.fromkeys(reading.product_words[(regime.id, dimension)]))
                return Finding(MISMATCH, self.rules.scores.mismatch, (
                    reason("number_for_other_goods", f"“{c.written}”的{value}表示“{meaning}”，而商品是“{names}”",
                           f"“{c.written}” says “{meaning}” ({value}), but the listing offers “{names}”"),
                ), c)  # fmt: skip
        return None

    # -- the hit -----------------------------------------------------------------------------------------------------
    def _hit(self, regime: Regime, finding: Finding, reading: GoodsReading, on_goods: bool) -> Hit:
        s = self.rules.scores
        reasons = list(finding.reasons)
        score = finding.score
        cues = list(dict.fromkeys(reading.cues.get(regime.id, [])))
        if cues and (on_goods or finding.kind != MISSING):
            score += min(s.cue + s.cue_extra * (len(cues) - 1), s.cue_cap)
            quoted = "、".join(f"“{c}”" for c in cues)
            reasons.append(reason("unlicensed_goods_cue", f"{quoted}：无证或来路不明商品的迹象",
                                  f"{quoted}: signs of unlicensed goods"))  # fmt: skip
        basis = regime.basis
        reasons.append(reason("legal_basis", f"依据{basis.cite()}：{basis.says}",
                              f"legal basis: {basis.title}, {basis.article}"
                              + ("" if basis.verified else " (article unverified)")))  # fmt: skip
        c = finding.citation
        goods = reading.goods.get(regime.id) or [regime.name.zh]
        matched = c.written if c else goods[0]  # a word of the listing, so the triage view can highlight it
        return Hit(regime.entry_id, finding.kind, min(100.0, score), matched, tuple(reasons), c.written if c else "")
