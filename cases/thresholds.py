"""The versioned thresholds of trademark crimes (cases/data/thresholds.yaml): loaded, checked, picked by date.

A version holds figures per offence (art_213, art_214, art_215), tier (serious, serious_two_marks, very_serious,
…, attempt) and measure (business_volume, gains, sales, unsold_value, combined_value, labels), each in yuan or
pieces, or null where no figure was taken from a readable source. `inherits` copies an older version's offences
(and the articles citing them) and overrides them offence by offence. Every version names its legal source and
whether it was checked: a checked version says when, by whom and against which copies of the official text (at least
two, each with its address, title and what it showed); an unchecked one may say why (`unchecked_reason`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data" / "thresholds.yaml"
OFFENCES = ("art_213", "art_214", "art_215")
TIERS = ("serious", "serious_two_marks", "very_serious", "very_serious_two_marks", "attempt")
MEASURES = ("business_volume", "gains", "sales", "unsold_value", "combined_value", "labels")


class ThresholdError(ValueError):
    """The thresholds file is malformed; the message names the file and the place."""


@dataclass(frozen=True)
class CheckedSource:
    """One copy of the official text a version was checked against."""

    url: str
    title: str
    showed: str = ""


@dataclass(frozen=True)
class ThresholdVersion:
    version: str
    effective: str  # YYYY-MM-DD
    source: str
    checked: bool
    offences: Mapping[str, Mapping[str, Mapping[str, float | None]]]
    valuation_rule: str = ""
    caveats: tuple[str, ...] = field(default=())
    checked_on: str = ""  # YYYY-MM-DD
    checked_by: str = ""
    copies: str = ""  # what kind of copies were read (official text or third-party copies of it)
    checked_against: tuple[CheckedSource, ...] = field(default=())
    unchecked_reason: str = ""
    articles: Mapping[str, str] = field(default_factory=dict)  # offence -> the articles giving its figures

    def figure(self, offence: str, tier: str, measure: str) -> float | None:
        return self.offences.get(offence, {}).get(tier, {}).get(measure)

    def provenance(self) -> dict[str, Any]:
        """Where the figures come from and whether (when, how, against what) they were checked, as JSON values."""
        return {"version": self.version, "effective": self.effective, "source": self.source, "checked": self.checked,
                "checked_on": self.checked_on, "checked_by": self.checked_by, "copies": self.copies,
                "checked_against": [{"url": c.url, "title": c.title, "showed": c.showed} for c in self.checked_against],
                "unchecked_reason": self.unchecked_reason, "articles": dict(self.articles)}  # fmt: skip


def _fail(where: str, message: str) -> ThresholdError:
    return ThresholdError(f"{DATA.name}: {where}: {message}")


def _offences(raw: Any, where: str) -> dict[str, dict[str, dict[str, float | None]]]:
    if not isinstance(raw, Mapping):
        raise _fail(where, "offences must be a mapping")
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for offence, tiers in raw.items():
        if offence not in OFFENCES or not isinstance(tiers, Mapping):
            raise _fail(f"{where}.{offence}", f"unknown offence (one of {', '.join(OFFENCES)})")
        out[offence] = {}
        for tier, measures in tiers.items():
            if tier not in TIERS or not isinstance(measures, Mapping):
                raise _fail(f"{where}.{offence}.{tier}", f"unknown tier (one of {', '.join(TIERS)})")
            out[offence][tier] = {}
            for measure, value in measures.items():
                if measure not in MEASURES:
                    raise _fail(f"{where}.{offence}.{tier}.{measure}", "unknown measure")
                if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0):
                    raise _fail(f"{where}.{offence}.{tier}.{measure}", "must be a positive number or null")
                out[offence][tier][measure] = None if value is None else float(value)
    return out


def _checked_against(raw: Any, where: str) -> tuple[CheckedSource, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _fail(f"{where}.checked_against", "must be a list of {url, title, showed}")
    out = []
    for n, item in enumerate(raw):
        if (
            not isinstance(item, Mapping)
            or not str(item.get("url", "")).strip()
            or not str(item.get("title", "")).strip()
        ):
            raise _fail(f"{where}.checked_against[{n}]", "needs the copy's url and title")
        out.append(CheckedSource(str(item["url"]).strip(), str(item["title"]).strip(), str(item.get("showed") or "")))
    return tuple(out)


def _articles(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping) or any(k not in OFFENCES for k in raw):
        raise _fail(f"{where}.articles", f"must map offences ({', '.join(OFFENCES)}) to the articles citing them")
    return {str(k): str(v) for k, v in raw.items()}


def parse_versions(data: Any) -> list[ThresholdVersion]:
    """The versions of a decoded thresholds file, oldest first (ThresholdError on anything malformed)."""
    if not isinstance(data, Mapping) or data.get("schema") != 1 or not isinstance(data.get("versions"), list):
        raise _fail("top", "needs schema: 1 and a list of versions")
    by_name: dict[str, ThresholdVersion] = {}
    out = []
    for n, raw in enumerate(data["versions"]):
        where = f"versions[{n}]"
        if not isinstance(raw, Mapping):
            raise _fail(where, "must be a mapping")
        name, effective = str(raw.get("version", "")), str(raw.get("effective", ""))
        try:
            date.fromisoformat(effective)
        except ValueError:
            raise _fail(where, f"effective: must be a date YYYY-MM-DD, got {effective!r}") from None
        if not name or not str(raw.get("source", "")).strip():
            raise _fail(where, "needs a version name and its legal source")
        offences: dict[str, Any] = {}
        parent = raw.get("inherits")
        if parent is not None:
            if str(parent) not in by_name:
                raise _fail(where, f"inherits: no earlier version {parent!r}")
            offences = {k: dict(v) for k, v in by_name[str(parent)].offences.items()}
        offences.update(_offences(raw.get("offences", {}), where))
        articles = {**(by_name[str(parent)].articles if parent else {}), **_articles(raw.get("articles"), where)}
        checked, against = raw.get("checked") is True, _checked_against(raw.get("checked_against"), where)
        checked_on = str(raw.get("checked_on") or "")
        if checked_on:
            try:
                date.fromisoformat(checked_on)
            except ValueError:
                raise _fail(where, f"checked_on: must be a date YYYY-MM-DD, got {checked_on!r}") from None
        if checked and (not checked_on or len(against) < 2):
            raise _fail(where, "checked: true needs checked_on and at least two copies under checked_against")
        caveats = [str(raw["caveat"])] if raw.get("caveat") else []
        if raw.get("caveats") is not None:
            if not isinstance(raw["caveats"], list):
                raise _fail(f"{where}.caveats", "must be a list of strings")
            caveats += [str(c) for c in raw["caveats"] if c]
        version = ThresholdVersion(
            version=name, effective=effective, source=str(raw["source"]).strip(), checked=checked, offences=offences,
            valuation_rule=str(raw.get("valuation_rule") or (by_name[str(parent)].valuation_rule if parent else "")),
            caveats=tuple(caveats), checked_on=checked_on, checked_by=str(raw.get("checked_by") or ""),
            copies=str(raw.get("copies") or ""), checked_against=against,
            unchecked_reason="" if checked else str(raw.get("unchecked_reason") or ""), articles=articles,
        )  # fmt: skip
        by_name[name] = version
        out.append(version)
    out.sort(key=lambda v: v.effective)
    return out


@lru_cache(maxsize=1)
def versions() -> tuple[ThresholdVersion, ...]:
    return tuple(parse_versions(yaml.safe_load(DATA.read_text(encoding="utf-8"))))


def version_for(day: str | date | None = None) -> ThresholdVersion:
    """The newest version in force on `day` (default today); ThresholdError before the oldest version."""
    when = (day if isinstance(day, date) else date.fromisoformat(day)) if day else date.today()
    chosen = [v for v in versions() if date.fromisoformat(v.effective) <= when]
    if not chosen:
        raise ThresholdError(
            f"no thresholds in force on {when.isoformat()} (the oldest version is {versions()[0].effective})"
        )
    return chosen[-1]
