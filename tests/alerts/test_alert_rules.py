"""Rules files: the sample loads; every mistake is reported as file:line: field: message; contacts are the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.rules import RulesError, contacts_rules, load_rules, rules_for

REPO = Path(__file__).resolve().parents[2]


def test_sample_rules_load(watchlist, make_config):
    rules = rules_for(make_config(), watchlist, str(REPO / "alerts" / "samples" / "rules.yaml"))
    by_id = {rule.id: rule for rule in rules.rules}
    assert by_id["nike-immediate"].delivery == "immediate"
    assert by_id["office-daily"].period == "daily" and by_id["office-daily"].at == "08:30"
    assert rules.recipient("IP-TEAM@nike.example.com").language == "en"
    assert rules.recipient("ip-team@nike.example.com").hourly_cap == 10
    assert rules.recipient("someone@else.example.com").language == "zh"  # alerts.language default


BAD = """\
version: 1
recipients:
  - address: not-an-address
    language: fr
rules:
  - id: ok-rule
    to: [a@example.com]
  - id: Bad Id
    to: [b@example.com]
    min_score: 150
  - id: digest-without-period
    to: [c@example.com]
    delivery: digest
  - id: unknown-entry
    to: [d@example.com]
    entries: [tm-nike, tm-nonexistent]
  - id: typo
    too: [e@example.com]
  - id: ok-rule
    to: [f@example.com]
    kinds: [trademark, parcel]
    digest: daily
    at: "25:00"
"""


def test_every_problem_has_file_line_and_field(tmp_path, watchlist):
    path = tmp_path / "rules.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path, known_entries=frozenset(e.id for e in watchlist))
    problems = caught.value.problems
    expected = [
        f"{path}:3: recipients.0.address: 'not-an-address' is not an email address",
        f"{path}:4: recipients.0.language: must be one of zh, en, got 'fr'",
        f"{path}:8: rules.1.id: 'Bad Id' must use only a-z 0-9 . _ : -",
        f"{path}:10: rules.1.min_score: must be a whole number 0–100, got 150",
        f"{path}:11: rules.2.digest: is required when delivery is digest (hourly or daily)",
        f"{path}:16: rules.3.entries.1: no watchlist entry 'tm-nonexistent'",
        f"{path}:18: rules.4.too: unknown field",
        f"{path}:17: rules.4: to: is required",
        f"{path}:21: rules.5.kinds: must be one of trademark",
        f"{path}:23: rules.5.at: must be a local time HH:MM, got '25:00'",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("rules: [\n  {id: a, to: [x@example.com]\n", ":3: not valid YAML"),
        ("rules:\n  - id: a\n    to: [x@example.com]\n    to: [y@example.com]\n", ":4: duplicate key 'to'"),
        ("- just a list\n", ":1: must be a mapping"),
        ("rule:\n  - id: a\n", ":1: rule: unknown section"),
        ("rules:\n  - id: a\n    to: [x@example.com]\n    at: '07:00'\n", ":4: rules.0.at: only applies to daily"),
    ],
)
def test_shape_errors(tmp_path, text, want):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert want in str(caught.value)
    assert str(caught.value).startswith(str(path) + ":")


def test_unquoted_time_is_understood(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("rules:\n  - {id: a, to: x@example.com, digest: daily, at: 07:45}\n", encoding="utf-8")
    assert load_rules(path).rules[0].at == "07:45"


def test_without_rules_file_contacts_get_immediate_alerts_at_70(watchlist, make_config, new_lead):
    rules = rules_for(make_config(), watchlist)
    dyson = [r for r in rules.rules if r.entries == ("pat-bladeless-fan",) or "patents@dyson.example.com" in r.to]
    assert dyson and all(r.delivery == "immediate" and r.min_score == 70 for r in dyson)
    lead = new_lead("1", 70, entry=dyson[0].entries[0])
    assert rules.matching(lead)
    assert not rules.matching(lead.with_changes(score=69))
    assert contacts_rules(watchlist, min_score=80).rules[0].min_score == 80


def test_cli_exits_2_on_bad_rules(tmp_path, capsys, isolated, cli):
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - id: a\n    to: nobody\n", encoding="utf-8")
    for command in ("check", "preview", "status"):
        assert cli(["alerts", command, "--rules", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path}:3: rules.0.to: 'nobody' is not an email address" in err
