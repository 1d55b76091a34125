"""When digests fall due: hourly on the hour, daily at each rule's local time in `alerts.timezone`.

The scheduler runs `netsword alerts digest --period daily --at HH:MM` at these times; `digest_times` lists them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from alerts.rules import RuleSet


def digest_times(rules: RuleSet) -> list[tuple[str, str]]:
    """Distinct (period, local HH:MM) pairs the rules need; hourly digests have an empty time."""
    return sorted({(rule.period, rule.at) for rule in rules.rules if rule.delivery == "digest"})


def next_run(period: str, at: str, now: datetime, tz: tzinfo) -> datetime:
    """The next moment after `now` when a digest of this period (and local time) is due, in `tz`."""
    local = now.astimezone(tz)
    if period == "hourly":
        return local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hour, minute = (int(part) for part in at.split(":"))
    due = datetime.combine(local.date(), time(hour, minute), tzinfo=tz)
    return due if due > local else datetime.combine(local.date() + timedelta(days=1), time(hour, minute), tzinfo=tz)
