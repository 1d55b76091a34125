"""Run one job by id: the per-job lock, the run history record, and the dispatch to each kind's code.

The daemon's APScheduler jobs and `netsword schedule run-now` both come through `JobRunner.run`. A per-job flock
(`<var_dir>/jobs/<job id>/run.lock`) keeps a job from running twice at once even across processes (run-now while
the daemon runs it); within the daemon, APScheduler's max_instances=1 does the same.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path

from netsword.config import Config
from scheduler.child import netsword_command, run_child
from scheduler.crawl_job import job_dir, run_crawl
from scheduler.history import FAILED, OK, TIMEOUT, RunFigures, RunHistory, RunRecord
from scheduler.jobs import DigestOptions, JobSpec
from scheduler.lock import describe_holder
from scheduler.maintenance import WatchlistHolder, reload_watchlist, run_retention, scheduler_log_dir
from scheduler.recheck import run_recheck
from scheduler.register_refresh import run_register_refresh

log = logging.getLogger("netsword.scheduler")


class JobBusy(RuntimeError):
    """The job is running now in this or another process."""


class JobRunner:
    def __init__(self, cfg: Config, specs: Mapping[str, JobSpec], history: RunHistory, stop: threading.Event,
                 watchlist: WatchlistHolder | None = None) -> None:  # fmt: skip
        self.cfg, self.specs, self.history, self.stop = cfg, dict(specs), history, stop
        self.watchlist = watchlist or WatchlistHolder()
        self._local = threading.local()  # per worker thread: the running job's lock, handed to its child process

    def run(self, job_id: str, *, trigger: str = "schedule") -> RunRecord:
        """Run the job now and record it; raises KeyError for an unknown job and JobBusy when it is running."""
        spec = self.specs[job_id]
        lock_path = job_dir(self.cfg, job_id) / "run.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+", encoding="utf-8") as lock:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                lock.seek(0)
                raise JobBusy(f"job {job_id} is running now ({describe_holder(lock.read())})") from None
            lock.seek(0)
            lock.truncate()
            lock.write(f'{{"pid": {os.getpid()}, "host": "{os.uname().nodename}", "since": "{trigger}"}}\n')
            lock.flush()
            self._local.hold_fds = (lock.fileno(),)
            return self._run_locked(spec, trigger)

    def _run_locked(self, spec: JobSpec, trigger: str) -> RunRecord:
        run_id = self.history.start(spec.id, spec.kind, trigger=trigger, pid=os.getpid())
        log.info("job %s (%s) started: run %s", spec.id, spec.kind, run_id)
        figures = RunFigures()
        try:
            outcome, message = self._dispatch(spec, run_id, figures)
        except Exception as exc:  # noqa: BLE001 - one failing job must never stop the daemon; it is recorded
            log.exception("job %s failed", spec.id)
            figures.errors += 1
            outcome, message = FAILED, f"{type(exc).__name__}: {exc}"
        self.history.finish(run_id, outcome, figures, message)
        log.info("job %s finished: %s; %s", spec.id, outcome, message)
        return self.history.get(run_id)

    def _log_path(self, spec: JobSpec, run_id: str) -> Path:
        return scheduler_log_dir(self.cfg) / spec.id / f"{run_id}.log"

    def _dispatch(self, spec: JobSpec, run_id: str, figures: RunFigures) -> tuple[str, str]:
        if spec.kind == "crawl":
            if self.watchlist.watchlist is None:
                reload_watchlist(self.cfg, self.watchlist, RunFigures())
            return run_crawl(self.cfg, spec, self.watchlist.watchlist, log_path=self._log_path(spec, run_id),
                             stop=self.stop, figures=figures, hold_fds=self._local.hold_fds,
                             progress=lambda so_far: self.history.progress(run_id, so_far))  # fmt: skip
        if spec.kind == "recheck":
            return run_recheck(self.cfg, spec, log_path=self._log_path(spec, run_id), stop=self.stop, figures=figures,
                               hold_fds=self._local.hold_fds)  # fmt: skip
        if spec.kind == "watchlist_reload":
            return reload_watchlist(self.cfg, self.watchlist, figures)
        if spec.kind == "retention":
            return run_retention(self.cfg, spec, self.history, figures)
        if spec.kind == "register_refresh":
            return run_register_refresh(self.cfg, spec, log_path=self._log_path(spec, run_id), figures=figures)
        if spec.kind == "digest":
            assert isinstance(spec.options, DigestOptions)
            return self._child(spec, run_id, ["alerts", "digest", "--period", spec.options.period], figures)
        if spec.kind == "alerts_send":
            return self._child(spec, run_id, ["alerts", "send"], figures)
        if spec.kind == "evidence_timestamp":
            return self._child(spec, run_id, ["evidence", "timestamp"], figures)
        raise ValueError(f"unknown job kind {spec.kind!r}")  # the loader admits none; a programming error

    def _child(self, spec: JobSpec, run_id: str, args: list[str], figures: RunFigures) -> tuple[str, str]:
        log_path = self._log_path(spec, run_id)
        result = run_child(netsword_command(args, self.cfg.source), log_path=log_path, time_limit=spec.time_limit,
                           stop=self.stop, grace=self.cfg.scheduler.stop_grace, finish_on_stop=True,
                           hold_fds=self._local.hold_fds)  # fmt: skip
        tail = _tail(log_path)
        if result.killed:
            figures.errors += 1
            return TIMEOUT if result.timed_out else FAILED, f"stopped after {result.seconds:.0f}s; {tail}"
        if result.returncode != 0:
            figures.errors += 1
            return FAILED, f"`netsword {' '.join(args)}` exited with status {result.returncode}: {tail}"
        return OK, tail


def _tail(path: Path, limit: int = 300) -> str:
    """The last non-empty line of a child's log, for the history message."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return lines[-1][:limit] if lines else ""
