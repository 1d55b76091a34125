"""Alert rules: who hears of which leads, how (immediate or digest) and in which language.

Read from the YAML file named by `alerts.rules_file` and validated whole, with `file:line: field: message` errors.
Without a rules file, every watchlist entry's `contacts` get immediate alerts at `alerts.contacts_min_score` (70).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netsword.config import Config
from netsword.models import LEAD_KINDS, Lead
from netsword.yaml_validation import (
    Invalid,
    Problem,
    Schema,
    check_fields,
    dotted,
    identifier,
    int_range,
    line_of,
    one_of,
    read_source,
    text,
    texts,
)
from watchlists.model import Watchlist
from watchlists.yaml_lines import Path_, YamlShapeError, load_with_lines

log = logging.getLogger(__name__)
DELIVERIES = ("immediate", "digest")
PERIODS = ("hourly", "daily")
LANGUAGES = ("zh", "en")
# Deliberately simple ASCII addresses (no SMTPUTF8 needed); the SMTP server has the final word.
ADDRESS = re.compile(r"^[A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class RulesError(ValueError):
    """One or more problems in a rules file; nothing of it was loaded."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Recipient:
    address: str
    language: str = "zh"
    hourly_cap: int = 20  # 0: no cap
    name: str = ""


@dataclass(frozen=True)
class Rule:
    """Leads matching every non-empty filter, at or above min_score, are alerted to `to`."""

    id: str
    to: tuple[str, ...]
    entries: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    min_score: int = 70
    delivery: str = "immediate"
    period: str = ""  # digest only: hourly | daily
    at: str = ""  # daily digest only: local HH:MM

    def matches(self, lead: Lead) -> bool:
        return (
            lead.score >= self.min_score
            and (not self.entries or lead.entry_id in self.entries)
            and (not self.owners or lead.owner in self.owners)
            and (not self.kinds or lead.kind in self.kinds)
            and (not self.platforms or lead.platform in self.platforms)
        )


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    recipients: Mapping[str, Recipient]
    default_language: str = "zh"
    default_hourly_cap: int = 20
    source: str = ""

    def recipient(self, address: str) -> Recipient:
        found = self.recipients.get(address.lower())
        return found or Recipient(address, self.default_language, self.default_hourly_cap)

    def matching(self, lead: Lead) -> list[Rule]:
        return [rule for rule in self.rules if rule.matches(lead)]


def contacts_rules(watchlist: Watchlist, *, min_score: int = 70, language: str = "zh", hourly_cap: int = 20) -> RuleSet:
    """The rules used without a rules file: each entry's contacts, immediately, at min_score and above."""
    rules = []
    for entry in watchlist:
        to = tuple(c for c in entry.contacts if ADDRESS.match(c))
        if len(to) < len(entry.contacts):
            log.warning("%s: contacts: skipping what is not an email address: %s", entry.id,
                        ", ".join(c for c in entry.contacts if c not in to))  # fmt: skip
        if to:
            rules.append(Rule(id=f"contacts:{entry.id}", to=to, entries=(entry.id,), min_score=min_score))
    return RuleSet(tuple(rules), {}, language, hourly_cap, source="watchlist contacts")


def _address(value: Any) -> str:
    address = text(value)
    if not ADDRESS.match(address):
        raise Invalid(f"{address!r} is not an email address")
    return address


def _addresses(value: Any) -> tuple[str, ...]:
    out = tuple(_address(v) for v in texts(value))
    if not out:
        raise Invalid("must name at least one recipient")
    return out


def _kinds(value: Any) -> tuple[str, ...]:
    return tuple(one_of(LEAD_KINDS)(v) for v in texts(value))


def _local_time(value: Any) -> str:
    # YAML 1.1 reads an unquoted 08:30 as the sexagesimal number 510; accept it and turn it back into HH:MM.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        value = f"{value // 60:02d}:{value % 60:02d}"
    local = text(value)
    if not _TIME.match(local):
        raise Invalid(f"must be a local time HH:MM, got {local!r}")
    return local


_RECIPIENT_FIELDS: Schema = {
    "address": (_address, True),
    "name": (text, False),
    "language": (one_of(LANGUAGES), False),
    "hourly_cap": (int_range(0, 10_000), False),
}
_RULE_FIELDS: Schema = {
    "id": (identifier, True),
    "to": (_addresses, True),
    "entries": (texts, False),
    "owners": (texts, False),
    "kinds": (_kinds, False),
    "platforms": (texts, False),
    "min_score": (int_range(0, 100), False),
    "delivery": (one_of(DELIVERIES), False),
    "digest": (one_of(PERIODS), False),
    "at": (_local_time, False),
}


def load_rules(
    path: str | Path, *, language: str = "zh", hourly_cap: int = 20, known_entries: frozenset[str] | None = None
) -> RuleSet:
    """Read and validate a rules file; raises RulesError listing every problem as `file:line: field: message`."""
    name = str(path)
    try:
        data, lines = load_with_lines(read_source(path))
    except Invalid as exc:
        raise RulesError([str(Problem(name, 0, "", str(exc)))]) from None
    except YamlShapeError as exc:
        raise RulesError([f"{name}:{exc.line}: {exc}"]) from None
    problems: list[str] = []

    def bad(at: Path_, message: str) -> None:
        problems.append(str(Problem(name, line_of(lines, at), dotted(at), message)))

    if not isinstance(data, dict):
        bad((), "must be a mapping with `rules:` (and optionally `recipients:`)")
        raise RulesError(problems)
    for key in data:
        if key not in ("version", "recipients", "rules"):
            bad((key,), "unknown section (known: version, recipients, rules)")
    if data.get("version", 1) != 1:
        bad(("version",), f"must be 1, got {data.get('version')!r}")
    recipients = _parse_items(data, "recipients", _RECIPIENT_FIELDS, bad)
    rules = _parse_items(data, "rules", _RULE_FIELDS, bad)
    if "rules" not in data:
        bad((), "rules: is required")

    by_address: dict[str, Recipient] = {}
    for at, fields in recipients:
        address = fields["address"].lower()
        if address in by_address:
            bad((*at, "address"), f"{fields['address']!r} is listed twice")
        by_address[address] = Recipient(
            fields["address"], fields.get("language", language), fields.get("hourly_cap", hourly_cap),
            fields.get("name", ""),
        )  # fmt: skip
    built: list[Rule] = []
    seen: set[str] = set()
    for at, fields in rules:
        rule = _build_rule(at, fields, bad, known_entries)
        if rule is None:
            continue
        if rule.id in seen:
            bad((*at, "id"), f"{rule.id!r} is used twice")
        seen.add(rule.id)
        built.append(rule)
    if problems:
        raise RulesError(problems)
    return RuleSet(tuple(built), by_address, language, hourly_cap, source=name)


def _parse_items(
    data: dict[str, Any],
    section: str,
    schema: Schema,
    bad: Callable[[Path_, str], None],
) -> list[tuple[Path_, dict[str, Any]]]:
    items = data.get(section) or []
    if not isinstance(items, list):
        bad((section,), "must be a list")
        return []
    out = []
    for i, item in enumerate(items):
        at: Path_ = (section, i)
        if not isinstance(item, dict):
            bad(at, "must be a mapping")
            continue
        fields, field_problems, missing = check_fields(item, schema)
        for key, message in field_problems:
            bad((*at, key), message)
        for key in missing:
            bad(at, f"{key}: is required")
        if not field_problems and not missing:
            out.append((at, fields))
    return out


def _build_rule(
    at: Path_, fields: dict[str, Any], bad: Callable[[Path_, str], None], known_entries: frozenset[str] | None
) -> Rule | None:
    delivery = fields.get("delivery", "digest" if "digest" in fields else "immediate")
    period = fields.get("digest", "")
    at_time = fields.get("at", "")
    if delivery == "digest" and not period:
        bad((*at, "digest"), "is required when delivery is digest (hourly or daily)")
        return None
    if delivery == "immediate" and period:
        bad((*at, "digest"), "only applies when delivery is digest")
        return None
    if at_time and period != "daily":
        bad((*at, "at"), "only applies to daily digests")
        return None
    if known_entries is not None:
        for i, entry in enumerate(fields.get("entries", ())):
            if entry not in known_entries:
                bad((*at, "entries", i), f"no watchlist entry {entry!r}")
                return None
    return Rule(
        id=fields["id"], to=fields["to"], entries=fields.get("entries", ()), owners=fields.get("owners", ()),
        kinds=fields.get("kinds", ()), platforms=fields.get("platforms", ()), min_score=fields.get("min_score", 70),
        delivery=delivery, period=period, at=at_time or ("08:00" if period == "daily" else ""),
    )  # fmt: skip


def rules_for(config: Config, watchlist: Watchlist, path: str | None = None) -> RuleSet:
    """The rules in force: the file given (or `alerts.rules_file`), else the watchlist contacts at 70+."""
    path = path or config.alerts.rules_file
    if path:
        return load_rules(path, language=config.alerts.language, hourly_cap=config.alerts.hourly_cap,
                          known_entries=frozenset(entry.id for entry in watchlist))  # fmt: skip
    return contacts_rules(watchlist, min_score=config.alerts.contacts_min_score, language=config.alerts.language,
                          hourly_cap=config.alerts.hourly_cap)  # fmt: skip
