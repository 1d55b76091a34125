"""The scheduler daemon: APScheduler with a persistent SQLAlchemy job store, the daemon lock and clean shutdown.

Job defaults: coalesce (missed runs collapse into one), max_instances=1 (a job never overlaps itself), a misfire
grace and jitter per job. Stored jobs survive restarts: a job whose definition is unchanged keeps its stored next run
time, so a run missed while the daemon was down happens once when it comes back (within the grace).
Settings: scheduler.jobstore_url, scheduler.timezone, scheduler.workers, scheduler.stop_grace.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from netsword.config import Config
from scheduler.history import RunHistory
from scheduler.jobs import JobSpec
from scheduler.jobstore import JOBSTORE_TABLE, jobstore_url
from scheduler.lock import DaemonLock, lock_path
from scheduler.maintenance import WatchlistHolder
from scheduler.runner import JobBusy, JobRunner

log = logging.getLogger("netsword.scheduler")

# The runner of the daemon in this process. APScheduler stores jobs as a function reference plus arguments, so the
# stored job names a module-level function and finds its live context here.
_ACTIVE: JobRunner | None = None


def run_scheduled_job(job_id: str, fingerprint: str = "") -> None:
    """What every stored job calls; `fingerprint` is kept in the job store only to notice changed definitions."""
    runner = _ACTIVE
    if runner is None:
        log.error("job %s is due but no scheduler daemon is active in this process", job_id)
        return
    try:
        runner.run(job_id)
    except KeyError:
        log.error("job %s is in the job store but not in the jobs file; skipped", job_id)
    except JobBusy as exc:
        log.warning("%s; this run is skipped", exc)


def trigger_for(spec: JobSpec, timezone: str) -> BaseTrigger:
    tz = ZoneInfo(timezone)
    jitter = int(spec.jitter) or None
    if spec.schedule.cron:
        trigger = CronTrigger.from_crontab(spec.schedule.cron, timezone=tz)
        trigger.jitter = jitter
        return trigger
    return IntervalTrigger(seconds=spec.schedule.every, timezone=tz, jitter=jitter)


def build_scheduler(cfg: Config) -> BackgroundScheduler:
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=jobstore_url(cfg), tablename=JOBSTORE_TABLE)},
        executors={"default": ThreadPoolExecutor(max_workers=max(1, cfg.scheduler.workers))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=ZoneInfo(cfg.scheduler.timezone),
    )


class SchedulerDaemon:
    """Holds the lock, the scheduler and the runner; `start()` then `stop()`, or `serve()` until asked to stop."""

    def __init__(self, cfg: Config, specs: Sequence[JobSpec]) -> None:
        self.cfg = cfg
        self.specs = {spec.id: spec for spec in specs}
        self.lock = DaemonLock(lock_path(cfg))
        self.stop_event = threading.Event()  # tells running jobs to checkpoint and return
        self.history: RunHistory | None = None
        self.scheduler: BackgroundScheduler | None = None
        self.runner: JobRunner | None = None

    def start(self) -> list[str]:
        """Take the lock (LockHeld if another daemon has it), start the scheduler and bring stored jobs in line."""
        global _ACTIVE
        self.lock.acquire()
        try:
            self.history = RunHistory.for_config(self.cfg)
            stale = self.history.interrupt_running("the daemon running it stopped before it finished")
            self.runner = JobRunner(self.cfg, self.specs, self.history, self.stop_event, WatchlistHolder())
            _ACTIVE = self.runner
            self.scheduler = build_scheduler(self.cfg)
            self.scheduler.start(paused=True)  # jobs can be read and synced before anything runs
            changes = self.sync_jobs()
            if stale:
                changes.append(f"{stale} run(s) left running by an earlier daemon marked interrupted")
            self.scheduler.resume()
        except BaseException:
            self._release()
            raise
        log.info("scheduler started (pid %s): %s", os.getpid(), "; ".join(changes) or "jobs unchanged")
        return changes

    def sync_jobs(self) -> list[str]:
        """Add new and changed jobs, keep unchanged ones (and their next run time), drop jobs gone from the file."""
        assert self.scheduler is not None
        changes: list[str] = []
        stored = {job.id: job for job in self.scheduler.get_jobs()}
        for spec in self.specs.values():
            fingerprint = f"{spec.fingerprint()}:{self.cfg.scheduler.timezone}"  # a new zone moves cron times
            job = stored.pop(spec.id, None)
            if not spec.enabled:
                if job is not None:
                    self.scheduler.remove_job(spec.id)
                    changes.append(f"{spec.id} disabled")
                continue
            if job is not None and job.kwargs.get("fingerprint") == fingerprint:
                continue
            self.scheduler.add_job(
                run_scheduled_job, trigger_for(spec, self.cfg.scheduler.timezone), id=spec.id,
                name=f"{spec.kind}: {spec.schedule.describe()}", args=[spec.id], kwargs={"fingerprint": fingerprint},
                misfire_grace_time=int(spec.misfire_grace_time), coalesce=True, max_instances=1, replace_existing=True,
            )  # fmt: skip
            changes.append(f"{spec.id} {'changed' if job is not None else 'added'}")
        for job_id in stored:
            self.scheduler.remove_job(job_id)
            changes.append(f"{job_id} removed (not in the jobs file)")
        return changes

    def pause(self) -> None:
        assert self.scheduler is not None
        self.scheduler.pause()

    def resume(self) -> None:
        assert self.scheduler is not None
        self.scheduler.resume()

    def stop(self) -> None:
        """Ask running jobs to finish or checkpoint (a crawl child is terminated so its JOBDIR is saved), then exit."""
        self.stop_event.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self._release()
        log.info("scheduler stopped")

    def _release(self) -> None:
        global _ACTIVE
        if _ACTIVE is self.runner:
            _ACTIVE = None
        if self.history is not None:
            self.history.close()
            self.history = None
        self.lock.release()

    def serve(self, shutdown: threading.Event) -> None:
        """Run until `shutdown` is set (by SIGTERM/SIGINT in the command), then stop cleanly."""
        self.start()
        try:
            while not shutdown.wait(1.0):
                pass
        finally:
            self.stop()
