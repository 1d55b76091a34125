"""Load and validate a jobs file (YAML) into JobSpecs; every mistake is a `file:line: field: message` line.

The whole file is checked and every problem reported; a file with any problem is refused (nothing is half-scheduled).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from netsword.models import LEAD_STATUSES
from netsword.yaml_validation import Invalid, Problem, dotted, line_of, read_source
from scheduler.jobs import (
    JOB_KINDS,
    WATCHLIST_KEYWORDS,
    CrawlOptions,
    DigestOptions,
    EmptyOptions,
    JobSpec,
    Options,
    RecheckOptions,
    RegisterRefreshOptions,
    RetentionOptions,
    Schedule,
)
from watchlists.yaml_lines import Path_, YamlShapeError, load_with_lines

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}
_COMMON = {"id", "kind", "every", "cron", "jitter", "misfire_grace_time", "time_limit", "enabled"}
_DEFAULTABLE = ("jitter", "misfire_grace_time", "time_limit")


class JobsFileError(ValueError):
    """One or more problems in a jobs file; each line is `file:line: field: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_duration(value: Any) -> float:
    """Seconds from a number or text such as `90`, `30s`, `5m`, `6h`, `1d`."""
    if isinstance(value, bool):
        raise ValueError(f"must be a duration such as 30s, 5m, 6h or 1d, got {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"must not be negative, got {value!r}")
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"must be a duration such as 30s, 5m, 6h or 1d, got {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def _duration(data: Mapping[str, Any], key: str, default: float, *, positive: bool = False) -> float:
    if key not in data:
        return default
    try:
        seconds = parse_duration(data[key])
    except ValueError as exc:
        raise Invalid(key=key, message=str(exc)) from None
    if positive and seconds <= 0:
        raise Invalid(key=key, message="must be more than 0")
    return seconds


def _text(data: Mapping[str, Any], key: str, default: str = "", *, required: bool = False) -> str:
    if key not in data:
        if required:
            raise Invalid(key=key, message="is required")
        return default
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise Invalid(key=key, message=f"must be non-empty text, got {value!r}")
    return value.strip()


def _int(data: Mapping[str, Any], key: str, default: int, minimum: int = 0) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise Invalid(key=key, message=f"must be a whole number ≥ {minimum}, got {value!r}")
    return value


def _number(data: Mapping[str, Any], key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise Invalid(key=key, message=f"must be a number ≥ 0, got {value!r}")
    return float(value)


def _bool(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise Invalid(key=key, message=f"must be true or false, got {value!r}")
    return value


def _texts(
    data: Mapping[str, Any], key: str, default: tuple[str, ...], allowed: tuple[str, ...] = ()
) -> tuple[str, ...]:
    value = data.get(key, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Invalid(key=key, message=f"must be a list of text, got {value!r}")
    for item in value:
        if allowed and item not in allowed:
            raise Invalid(key=key, message=f"{item!r} is not one of {', '.join(allowed)}")
    return tuple(v.strip() for v in value)


def _crawl(data: Mapping[str, Any]) -> CrawlOptions:
    keywords: tuple[str, ...] | str = WATCHLIST_KEYWORDS
    if "keywords" in data:
        raw = data["keywords"]
        if raw == WATCHLIST_KEYWORDS:
            keywords = WATCHLIST_KEYWORDS
        elif isinstance(raw, list) and raw and all(isinstance(k, str) and k.strip() for k in raw):
            keywords = tuple(k.strip() for k in raw)
        else:
            raise Invalid(key="keywords", message=f"must be `watchlist` or a non-empty list of keywords, got {raw!r}")
    return CrawlOptions(
        profile=_text(data, "profile", required=True),
        keywords=keywords,
        max_keywords=_int(data, "max_keywords", 10, minimum=1),
        variants=_bool(data, "variants", False),
        max_pages=_int(data, "max_pages", 0),
        base_url=_base_url(data),
        evidence=_bool(data, "evidence", True),
        distributed=_bool(data, "distributed", False),
    )


def _digest(data: Mapping[str, Any]) -> DigestOptions:
    period = _text(data, "period", "daily")
    if period not in ("hourly", "daily"):
        raise Invalid(key="period", message=f"must be hourly or daily, got {period!r}")
    return DigestOptions(period=period)


def _base_url(data: Mapping[str, Any]) -> str:
    base_url = _text(data, "base_url")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise Invalid(key="base_url", message=f"must start with http:// or https://, got {base_url!r}")
    return base_url


def _recheck(data: Mapping[str, Any]) -> RecheckOptions:
    return RecheckOptions(
        statuses=_texts(data, "statuses", RecheckOptions.statuses, LEAD_STATUSES),
        platforms=_texts(data, "platforms", ()),
        limit=_int(data, "limit", 500, minimum=1),
        timeout=_duration(data, "timeout", 15.0, positive=True),
        delay=_duration(data, "delay", 0.5),
        include_taken_down=_bool(data, "include_taken_down", False),
        profiles=_texts(data, "profiles", ()),
        base_url=_base_url(data),
        max_bytes=_int(data, "max_bytes", 0, minimum=1024) if "max_bytes" in data else RecheckOptions.max_bytes,
    )


def _retention(data: Mapping[str, Any]) -> RetentionOptions:
    return RetentionOptions(
        evidence_days=_number(data, "evidence_days", 0.0),
        logs_days=_number(data, "logs_days", 30.0),
        history_days=_number(data, "history_days", 90.0),
    )


def _register_refresh(data: Mapping[str, Any]) -> RegisterRefreshOptions:
    from matchers.regulated import load_rules

    regime = _text(data, "regime", required=True)
    known = [r.id for r in load_rules().regimes]
    if regime not in known:
        raise Invalid(key="regime", message=f"{regime!r} is not a regime (known: {', '.join(known)})")
    source = _text(data, "source", required=True)
    if "://" in source and not source.startswith(("http://", "https://")):
        raise Invalid(key="source", message=f"must be a file path or an http(s) URL, got {source!r}")
    return RegisterRefreshOptions(
        regime=regime,
        source=source,
        partial=_bool(data, "partial", False),
        keep_bad_rows=_bool(data, "keep_bad_rows", True),
        max_bytes=_int(data, "max_bytes", RegisterRefreshOptions.max_bytes, minimum=1024),
        timeout=_duration(data, "timeout", 60.0, positive=True),
    )


_KINDS: dict[str, tuple[set[str], Callable[[Mapping[str, Any]], Options]]] = {
    "crawl": ({"profile", "keywords", "max_keywords", "variants", "max_pages", "base_url", "evidence", "distributed"},
              _crawl),
    "digest": ({"period"}, _digest),
    "alerts_send": (set(), lambda _data: EmptyOptions()),
    "recheck": ({f.name for f in fields(RecheckOptions)}, _recheck),
    "watchlist_reload": (set(), lambda _data: EmptyOptions()),
    "retention": ({"evidence_days", "logs_days", "history_days"}, _retention),
    "register_refresh": ({f.name for f in fields(RegisterRefreshOptions)}, _register_refresh),
    "evidence_timestamp": (set(), lambda _data: EmptyOptions()),
}
assert set(_KINDS) == set(JOB_KINDS)


def _schedule(data: Mapping[str, Any]) -> Schedule:
    if ("every" in data) == ("cron" in data):
        raise Invalid("needs exactly one of `every` (a duration) or `cron` (five cron fields)")
    if "every" in data:
        return Schedule(every=_duration(data, "every", 0.0, positive=True))
    cron = _text(data, "cron")
    try:
        CronTrigger.from_crontab(cron)
    except ValueError as exc:
        raise Invalid(key="cron", message=f"not a valid cron expression ({exc})") from None
    return Schedule(cron=cron)


def _job(data: Any, defaults: Mapping[str, Any]) -> JobSpec:
    if not isinstance(data, Mapping):
        raise Invalid(f"must be a mapping, got {type(data).__name__}")
    kind = _text(data, "kind", required=True)
    if kind not in _KINDS:
        raise Invalid(key="kind", message=f"must be one of {', '.join(JOB_KINDS)}, got {kind!r}")
    known, build = _KINDS[kind]
    for key in data:
        if key not in _COMMON | known:
            raise Invalid(
                key=key, message=f"unknown key for a {kind} job (known: {', '.join(sorted(_COMMON | known))})"
            )
    job_id = _text(data, "id", required=True)
    if not _ID.match(job_id):
        raise Invalid(key="id", message=f"{job_id!r} must use only a-z 0-9 . _ - (at most 64)")
    merged = {**defaults, **data}
    return JobSpec(
        id=job_id,
        kind=kind,
        schedule=_schedule(data),
        options=build(data),
        jitter=_duration(merged, "jitter", 0.0),
        misfire_grace_time=_duration(merged, "misfire_grace_time", 300.0, positive=True),
        time_limit=_duration(merged, "time_limit", 1800.0, positive=True),
        enabled=_bool(data, "enabled", True),
    )


def parse_jobs(text: str, source: str = "<jobs>") -> list[JobSpec]:
    """Every job in the text; raises JobsFileError listing every problem."""
    try:
        data, lines = load_with_lines(text)
    except YamlShapeError as exc:
        raise JobsFileError([f"{source}:{exc.line}: {exc}"]) from None
    problems: list[str] = []

    def problem(path: Path_, message: str) -> None:
        problems.append(str(Problem(source, line_of(lines, path), dotted(path) or "jobs file", message)))

    if not isinstance(data, Mapping):
        raise JobsFileError([f"{source}:1: jobs file: must be a mapping with `jobs:`"])
    for key in data:
        if key not in ("version", "defaults", "jobs"):
            problem((key,), "unknown key (known: defaults, jobs, version)")
    if data.get("version", 1) != 1:
        problem(("version",), f"must be 1, got {data.get('version')!r}")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, Mapping):
        problem(("defaults",), "must be a mapping")
        defaults = {}
    for key in defaults:
        if key not in _DEFAULTABLE:
            problem(("defaults", key), f"unknown key (known: {', '.join(_DEFAULTABLE)})")
    raw_jobs = data.get("jobs")
    if not isinstance(raw_jobs, list):
        problem(("jobs",), "must be a list of jobs")
        raw_jobs = []
    jobs: list[JobSpec] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate(raw_jobs):
        try:
            job = _job(raw, {k: v for k, v in defaults.items() if k in _DEFAULTABLE})
        except Invalid as exc:
            problem(("jobs", n) if exc.key is None else ("jobs", n, exc.key), str(exc))
            continue
        line = line_of(lines, ("jobs", n))
        if job.id in seen:
            problem(("jobs", n, "id"), f"duplicate job id {job.id!r} (first on line {seen[job.id]})")
            continue
        seen[job.id] = line
        jobs.append(replace(job, line=line))
    if problems:
        raise JobsFileError(problems)
    return jobs


def load_jobs(path: str | Path) -> list[JobSpec]:
    """Read and validate a jobs file; raises JobsFileError (also for a missing or unreadable file)."""
    try:
        text = read_source(path)
    except Invalid as exc:
        raise JobsFileError([str(Problem(str(path), 1, "jobs file", str(exc)))]) from None
    return parse_jobs(text, str(path))
