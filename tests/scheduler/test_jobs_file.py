"""The jobs file: the sample loads, and each mistake is one `file:line: field: message` line (table-driven)."""

from __future__ import annotations

from pathlib import Path

import pytest

from netsword.cli import main
from scheduler.jobs import WATCHLIST_KEYWORDS, CrawlOptions, RecheckOptions
from scheduler.jobs_loader import JobsFileError, load_jobs, parse_duration, parse_jobs

SAMPLE = Path(__file__).resolve().parents[2] / "scheduler" / "samples" / "jobs.yaml"

GOOD = """\
version: 1
defaults: {time_limit: 2m, jitter: 5}
jobs:
  - id: crawl-a
    kind: crawl
    profile: demo-static
    keywords: [耐克]
    max_pages: 1
    every: 90s
  - id: rc
    kind: recheck
    cron: "*/5 * * * *"
    time_limit: 10s
"""


def test_sample_jobs_file_loads() -> None:
    jobs = load_jobs(SAMPLE)
    kinds = {job.kind for job in jobs}
    assert kinds == {"crawl", "recheck", "alerts_send", "digest", "watchlist_reload", "retention", "register_refresh",
                     "evidence_timestamp"}
    crawl = next(job for job in jobs if job.id == "crawl-demo-static")
    assert isinstance(crawl.options, CrawlOptions) and crawl.options.keywords == WATCHLIST_KEYWORDS
    assert crawl.jitter == 30 and crawl.misfire_grace_time == 600 and crawl.time_limit == 1800
    assert crawl.line == 8


def test_defaults_and_overrides() -> None:
    crawl, recheck = parse_jobs(GOOD, "j.yaml")
    assert crawl.schedule.every == 90 and crawl.time_limit == 120 and crawl.jitter == 5
    assert isinstance(crawl.options, CrawlOptions) and crawl.options.keywords == ("耐克",)
    assert recheck.schedule.cron == "*/5 * * * *" and recheck.time_limit == 10
    assert isinstance(recheck.options, RecheckOptions) and "new" in recheck.options.statuses
    assert crawl.fingerprint() != recheck.fingerprint()
    assert parse_jobs(GOOD, "j.yaml")[0].fingerprint() == crawl.fingerprint()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jobs: [{id: a, kind: crawl, every: 1m}]", "j.yaml:1: jobs.0.profile: is required"),
        ("jobs:\n  - id: a\n    kind: bake\n    every: 1m\n", "j.yaml:3: jobs.0.kind: must be one of crawl"),
        ("jobs:\n  - id: a\n    kind: recheck\n", "j.yaml:2: jobs.0: needs exactly one of `every`"),
        ("jobs:\n  - id: a\n    kind: recheck\n    every: 1m\n    cron: '* * * * *'\n", "jobs.0: needs exactly one"),
        ("jobs:\n  - id: a\n    kind: recheck\n    every: soon\n", "j.yaml:4: jobs.0.every: must be a duration"),
        ("jobs:\n  - id: a\n    kind: recheck\n    cron: '61 * * * *'\n", "j.yaml:4: jobs.0.cron: not a valid cron"),
        ("jobs:\n  - id: A B\n    kind: recheck\n    every: 1m\n", "j.yaml:2: jobs.0.id: 'A B' must use only"),
        (
            "jobs:\n  - id: a\n    kind: recheck\n    every: 1m\n    colour: red\n",
            "j.yaml:5: jobs.0.colour: unknown key",
        ),
        (
            "jobs:\n  - id: a\n    kind: recheck\n    every: 1m\n    statuses: [open]\n",
            "jobs.0.statuses: 'open' is not",
        ),
        ("jobs:\n  - id: a\n    kind: digest\n    period: weekly\n    every: 1d\n", "j.yaml:4: jobs.0.period: must be"),
        (
            "jobs:\n  - id: a\n    kind: crawl\n    profile: p\n    keywords: 7\n    every: 1m\n",
            "j.yaml:5: jobs.0.keywords: must be `watchlist` or a non-empty list",
        ),
        (
            "jobs:\n  - {id: a, kind: recheck, every: 1m}\n  - {id: a, kind: recheck, every: 2m}\n",
            "j.yaml:3: jobs.1.id: duplicate job id 'a' (first on line 2)",
        ),
        ("jobs:\n  - id: a\n    kind: recheck\n    every: 0\n", "j.yaml:4: jobs.0.every: must be more than 0"),
        ("defaults: {colour: red}\njobs: []\n", "j.yaml:1: defaults.colour: unknown key"),
        ("version: 2\njobs: []\n", "j.yaml:1: version: must be 1"),
        ("jobs: {a: 1}\n", "j.yaml:1: jobs: must be a list of jobs"),
        ("jobs: [\n", "j.yaml:2: not valid YAML/JSON"),
        ("- a\n", "j.yaml:1: jobs file: must be a mapping"),
    ],
)
def test_each_mistake_names_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(JobsFileError) as caught:
        parse_jobs(text, "j.yaml")
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_and_nothing_is_loaded() -> None:
    text = (
        "jobs:\n  - {id: a, kind: recheck}\n  - {id: b, kind: recheck, every: 1m}\n  - {id: c, kind: nope, every: 1m}\n"
    )
    with pytest.raises(JobsFileError) as caught:
        parse_jobs(text, "j.yaml")
    assert [p.split(":")[1] for p in caught.value.problems] == ["2", "4"]


@pytest.mark.parametrize(
    ("text", "seconds"), [(30, 30.0), ("45s", 45.0), ("5m", 300.0), ("1.5h", 5400.0), ("1d", 86400.0)]
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


def test_cli_reports_bad_jobs_file_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "jobs.yaml"
    bad.write_text("jobs:\n  - {id: a, kind: recheck}\n  - {id: b, kind: recheck, every: never}\n", encoding="utf-8")
    assert main(["schedule", "list", "--jobs", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: jobs.0: needs exactly one of" in err and f"{bad}:3: jobs.1.every: must be a duration" in err


def test_cli_list_shows_jobs_before_the_daemon_ran(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schedule", "list", "--jobs", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "crawl-demo-static\tcrawl\tevery 6h\tnext: not scheduled yet" in out
    assert main(["schedule", "list"]) == 2  # no jobs file configured


def test_cli_refuses_an_unknown_time_zone(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NETSWORD_SCHEDULER_TIMEZONE", "Mars/Olympus")
    assert main(["schedule", "run", "--jobs", str(SAMPLE)]) == 2
    assert "scheduler.timezone: unknown time zone 'Mars/Olympus'" in capsys.readouterr().err
