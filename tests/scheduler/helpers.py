"""Helpers for the scheduler tests: child environments, jobs files, run history, waiting."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from netsword.config import Config
from scheduler.history import RunHistory, RunRecord

REPO = Path(__file__).resolve().parents[2]


def child_env(var_env: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(var_env)
    env["PYTHONPATH"] = str(REPO)
    return env


def write_jobs(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def runs_of(cfg: Config, job_id: str | None = None) -> list[RunRecord]:
    """Every recorded run, oldest first."""
    history = RunHistory(cfg.scheduler_jobstore_url)
    try:
        return list(reversed(history.recent(10_000, job_id)))
    finally:
        history.close()


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
