"""The rules file: the bundled regimes load and cite their sources; mistakes in a rules file are `file:line: field`."""

from __future__ import annotations

import pytest

from matchers.regulated.rules import RULES_FILE, RulesError, load_rules, parse_rules

MINIMAL = r"""version: 1
regimes:
  - id: demo
    name: {zh: 演示, en: demo}
    number: {zh: 编号, en: number}
    authority: {zh: 机关, en: authority}
    sources:
      - {title: 某条例, issuer: 国务院, article: 第一条, says: 须登记, verified: false}
    goods: {terms: [演示品]}
    labels: {specific: [演示编号]}
    finders: ['(?P<v>YS\d+)']
    triggers: [YS]
    forms:
      - {id: one, name: YS + 4 digits, pattern: 'YS(?P<year>\d{4})'}
    missing: {score: 55, why: {zh: 须登记, en: must be registered}}
"""


def test_bundled_rules_cover_the_regimes_of_issue_20() -> None:
    rules = load_rules()
    assert [r.id for r in rules.regimes] == ["drug", "pesticide", "veterinary_drug", "fertiliser", "seed",
                                             "food_production", "health_food", "medical_device", "ccc"]  # fmt: skip
    for regime in rules.regimes:
        assert regime.sources and all(s.title and s.issuer and s.article and s.says for s in regime.sources)
        assert regime.forms and all(f.name for f in regime.forms)
        assert regime.goods and regime.missing_why.zh and regime.missing_why.en
        assert regime.entry_id == f"reg:{regime.id}"


def test_a_minimal_rules_file_loads() -> None:
    rules = parse_rules(MINIMAL, "r.yaml")
    (regime,) = rules.regimes
    assert regime.forms[0].pattern.fullmatch("YS2020")
    assert "（条款未核实 / article unverified）" in regime.basis.cite()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("verified: false", "verified: maybe"), "r.yaml:8: regimes.0.sources.0.verified: must be true or false"),
        (("id: demo", "id: Demo"), "r.yaml:3: regimes.0.id: 'Demo' must be lower-case letters, digits and _"),
        ((r"pattern: 'YS(?P<year>\d{4})'", r"pattern: 'YS(?P<year>\d{4}'"), "r.yaml:14: regimes.0.forms.0.pattern: not a valid regular expression"),
        (("    triggers: [YS]\n", ""), "r.yaml:3: regimes.0.triggers: finders need triggers"),
        ((r"finders: ['(?P<v>YS\d+)']", r"finders: ['YS\d+']"), "r.yaml:11: regimes.0.finders.0: must capture the number as (?P<v>…)"),
        (("missing: {score: 55,", "missing: {score: 155,"), "r.yaml:15: regimes.0.missing.score: must be a number from 0 to 100"),
        (("    goods: {terms: [演示品]}\n", "    goods: {terms: [演示品]}\n    colour: red\n"), "r.yaml:10: regimes.0.colour: unknown field"),
        (("name: YS + 4 digits, pattern", "name: YS + 4 digits, allowed: {month: [1]}, pattern"), "regimes.0.forms.0.allowed.month: 'month' is not a group of the pattern"),
        (("name: YS + 4 digits, pattern", "name: YS + 4 digits, allowed: {year: '@nowhere'}, pattern"), "regimes.0.forms.0.allowed.year.0: @nowhere is not a code list"),
        (("version: 1", "version: 2"), "r.yaml:1: version: must be 1, got 2"),
    ],
)  # fmt: skip
def test_mistakes_name_file_line_and_field(change: tuple[str, str], message: str) -> None:
    old, new = change
    assert old in MINIMAL
    with pytest.raises(RulesError) as caught:
        parse_rules(MINIMAL.replace(old, new), "r.yaml")
    assert message in str(caught.value)


def test_duplicate_regimes_and_broken_yaml_are_refused() -> None:
    twice = MINIMAL + MINIMAL.split("regimes:\n", 1)[1]
    with pytest.raises(RulesError, match=r"r.yaml:\d+: regimes.1.id: duplicate regime 'demo'"):
        parse_rules(twice, "r.yaml")
    with pytest.raises(RulesError, match=r"r.yaml:\d+: not valid YAML"):
        parse_rules("version: 1\nregimes: [\n", "r.yaml")


def test_the_bundled_file_is_the_one_documented() -> None:
    assert RULES_FILE.name == "regimes.yaml" and RULES_FILE.parent.name == "data"
