"""The daemon's job store as `netsword schedule list` reads it: the table APScheduler keeps the jobs in, read with
SQLAlchemy alone, so listing the jobs does not load the scheduler, its job runners or what they run (a crawl's
Scrapy, the match index). Settings: scheduler.jobstore_url, scheduler.timezone.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, select
from sqlalchemy.exc import SQLAlchemyError

from netsword.config import Config

JOBSTORE_TABLE = "netsword_apscheduler_jobs"


def jobstore_url(cfg: Config) -> str:
    """scheduler.jobstore_url, its SQLite file's directory made."""
    url = cfg.scheduler_jobstore_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return url


def stored_next_runs(cfg: Config) -> dict[str, datetime | None]:
    """Next run time of each stored job, read straight from the job store table (no daemon needed)."""
    table = Table(JOBSTORE_TABLE, MetaData(), Column("id", String), Column("next_run_time", Float))
    engine = create_engine(jobstore_url(cfg))
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.next_run_time)).all()
    except SQLAlchemyError:  # no table yet: the daemon never ran
        return {}
    finally:
        engine.dispose()
    tz = ZoneInfo(cfg.scheduler.timezone)
    return {job_id: datetime.fromtimestamp(ts, tz) if ts is not None else None for job_id, ts in rows}
