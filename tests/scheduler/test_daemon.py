"""The daemon in this process with second-scale schedules: jobs run, never overlap, survive a restart, and a
misfired job runs once (coalesced) when the daemon comes back; a second daemon is refused by the lock."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from netsword.config import Config
from scheduler.history import RunHistory, RunRecord
from scheduler.jobs_loader import parse_jobs
from scheduler.jobstore import stored_next_runs
from scheduler.lock import lock_holder
from scheduler.runner import JobBusy, JobRunner
from scheduler.service import SchedulerDaemon, lock_path
from tests.scheduler.helpers import child_env, runs_of, seed_leads_at, wait_for, when, write_jobs

RELOAD = "jobs:\n  - {id: reload, kind: watchlist_reload, every: 2s, misfire_grace_time: 1m}\n"


def test_jobs_run_survive_a_restart_and_a_missed_run_happens_once(cfg: Config) -> None:
    specs = parse_jobs(RELOAD)
    first = SchedulerDaemon(cfg, specs)
    assert first.start() == ["reload added"]
    try:
        wait_for(lambda: len(runs_of(cfg)) >= 2, 30, "two scheduled runs")
    finally:
        first.stop()
    before = runs_of(cfg)
    assert all(run.outcome == "ok" and run.trigger == "schedule" for run in before)
    next_run = stored_next_runs(cfg)["reload"]
    assert next_run is not None  # the job and its next run time are in the job store

    # Stay down over three run times (next_run, +2s, +4s) and come back 1.5s before the next regular one (+6s).
    restart_at = (next_run + timedelta(seconds=4.5)).timestamp()
    regular_at = (next_run + timedelta(seconds=6)).timestamp()
    time.sleep(max(0.0, restart_at - time.time()))
    second = SchedulerDaemon(cfg, specs)
    assert second.start() == []  # the stored job was kept as it was, next run time and all

    def two_since_restart() -> list[RunRecord]:
        runs = [run for run in runs_of(cfg) if when(run.started_at) >= restart_at]
        return runs[:2] if len(runs) >= 2 else []

    try:  # wait on the runs themselves, not a fixed time: on a loaded machine the catch-up can take a while to start
        caught_up, regular = wait_for(two_since_restart, 30, "a catch-up run and a regular one")
    finally:
        second.stop()
    assert when(caught_up.started_at) < regular_at  # the missed runs were made up for at the restart …
    assert when(regular.started_at) >= regular_at - 0.01  # … once: the next run waited for its regular time
    assert {run.run_id for run in before} <= {run.run_id for run in runs_of(cfg)}  # history kept across the restart


def test_runs_of_one_job_never_overlap(market: Any, cfg: Config) -> None:
    seed_leads_at(cfg, [f"{market.url}/static/item/st1000{n:02d}" for n in range(3)])
    text = "jobs:\n  - {id: slow, kind: recheck, every: 1s, delay: 0.8s, misfire_grace_time: 1m}\n"
    specs = parse_jobs(text)
    daemon = SchedulerDaemon(cfg, specs)
    daemon.start()
    try:
        wait_for(lambda: any(run.outcome == "running" for run in runs_of(cfg)), 10, "a run in progress")
        history = RunHistory.for_config(cfg)
        try:  # run-now (or another process) while the daemon runs the job is refused, not run twice
            with pytest.raises(JobBusy, match="job slow is running now"):
                JobRunner(cfg, {s.id: s for s in specs}, history, threading.Event()).run("slow", trigger="run-now")
        finally:
            history.close()
        wait_for(lambda: len([r for r in runs_of(cfg) if r.outcome == "ok"]) >= 2, 30, "two finished runs")
    finally:
        daemon.stop()
    runs = [run for run in runs_of(cfg) if run.outcome == "ok"]
    for earlier, later in zip(runs, runs[1:], strict=False):
        assert when(earlier.ended_at) - when(earlier.started_at) > 1.0  # each run outlasts the 1s interval …
        assert when(later.started_at) >= when(earlier.ended_at)  # … yet the next starts only after it ended
    assert all(run.trigger == "schedule" for run in runs_of(cfg))


def test_second_daemon_is_refused_and_a_leftover_lock_file_is_not(cfg: Config, var_env: dict[str, str],
                                                                    tmp_path: Path) -> None:  # fmt: skip
    path = lock_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"pid": 999999, "host": "gone", "since": "2020-01-01T00:00:00Z"}\n')  # a crashed daemon's note
    assert lock_holder(path) == ""
    jobs = write_jobs(tmp_path / "jobs.yaml", "jobs:\n  - {id: reload, kind: watchlist_reload, every: 1h}\n")
    daemon = SchedulerDaemon(cfg, parse_jobs(jobs.read_text()))
    daemon.start()
    try:
        assert "pid" in lock_holder(path)
        proc = subprocess.run(  # noqa: S603 - our own CLI
            [sys.executable, "-c", "from netsword.cli import run; run()", "schedule", "run", "--jobs", str(jobs)],
            capture_output=True, text=True, env=child_env(var_env), timeout=60,
        )  # fmt: skip
        assert proc.returncode == 1
        assert "another scheduler daemon is running (pid" in proc.stderr
    finally:
        daemon.stop()
    assert lock_holder(path) == ""
