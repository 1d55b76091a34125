"""Housekeeping jobs: watchlist reload (keep the last good watchlist when a file turns bad) and retention.

Retention drops scheduler logs and run history past their age, kept listings not seen for
`store.listings_retention_days` (leads stay), and, only when `evidence_days` is set, evidence
captures older than that whose listing has no lead still open or acted on (all dismissed, or none at all); files no
capture refers to any more are then removed. Evidence of confirmed or referred leads is never dropped. What is
dropped (capture ids, listings, file hashes) is first written to the triage audit trail (`evidence.retention`).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from evidence import EvidenceStore
from evidence.store import Capture
from leads.store import LeadQuery, open_store_from_config
from netsword.config import Config
from netsword.models import OPEN_STATUSES
from scheduler.history import FAILED, OK, RunFigures, RunHistory
from scheduler.jobs import JobSpec, RetentionOptions
from watchlists import Watchlist, WatchlistError, load_watchlists
from watchlists.configured import watchlist_paths

KEEP_EVIDENCE_STATUSES = OPEN_STATUSES


@dataclass
class WatchlistHolder:
    """The watchlist the daemon derives crawl keywords from, and the digest of the files it came from."""

    watchlist: Watchlist | None = None
    digest: str = ""


def _files_digest(paths: list[str]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.encode() + b"\0")
        try:
            sha.update(Path(path).read_bytes())
        except OSError as exc:
            sha.update(str(exc).encode())
    return sha.hexdigest()


def reload_watchlist(cfg: Config, holder: WatchlistHolder, figures: RunFigures) -> tuple[str, str]:
    paths = watchlist_paths(None, cfg)
    digest = _files_digest(paths)
    if holder.watchlist is not None and digest == holder.digest:
        return OK, f"unchanged ({len(holder.watchlist)} entries)"
    try:
        watchlist = load_watchlists(paths)
    except WatchlistError as exc:
        figures.errors = len(exc.problems)
        kept = f"kept the previous {len(holder.watchlist)} entries" if holder.watchlist else "no watchlist loaded"
        return FAILED, f"{exc.problems[0]} ({len(exc.problems)} problem(s)); {kept}"
    holder.watchlist, holder.digest = watchlist, digest
    figures.listings = len(watchlist)
    return OK, f"loaded {len(watchlist)} entries from {len(paths)} file(s)"


def scheduler_log_dir(cfg: Config) -> Path:
    return cfg.var_dir / "logs" / "scheduler"


def _prune_logs(root: Path, days: float) -> int:
    if not root.exists():
        return 0
    cutoff = time.time() - days * 86400
    removed = 0
    for path in root.rglob("*.log"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _prune_evidence(cfg: Config, days: float) -> tuple[int, int]:
    store = EvidenceStore.for_config(cfg)
    if not (store.root / "captures").exists():
        return 0, 0
    with open_store_from_config(cfg) as leads:
        keep = {(lead.platform, lead.listing_id) for lead in leads.iter_leads(LeadQuery(status=KEEP_EVIDENCE_STATUSES))}
    cutoff = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
    doomed = [capture for capture in store.iter_captures()
              if capture.captured_at < cutoff and (capture.platform, capture.listing_id) not in keep]  # fmt: skip
    if not doomed:
        return 0, 0
    # written before anything is deleted: evidence never disappears without a tamper-evident record of it
    _audit_deletion(cfg, days, doomed)
    # through the evidence store, so its sealed ledger records the removal and `evidence verify` stays clean
    return store.remove(doomed, f"evidence retention: older than {days:g} days")


def _audit_deletion(cfg: Config, days: float, captures: list[Capture]) -> None:
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path

    db = TriageDB(triage_db_path(cfg.var_dir))
    try:
        open_audit(cfg, db).append("scheduler", "evidence.retention", "evidence", None, {
            "older_than_days": days,
            "captures": [{"capture_id": c.capture_id, "platform": c.platform, "listing_id": c.listing_id,
                          "captured_at": c.captured_at, "sha256": sorted(f.sha256 for f in c.files)}
                         for c in captures],
        })  # fmt: skip
    finally:
        db.close()


def run_retention(cfg: Config, spec: JobSpec, history: RunHistory, figures: RunFigures) -> tuple[str, str]:
    assert isinstance(spec.options, RetentionOptions)
    options = spec.options
    notes = []
    if options.logs_days:
        notes.append(f"{_prune_logs(scheduler_log_dir(cfg), options.logs_days)} log file(s) removed")
    if options.history_days:
        notes.append(f"{history.prune(options.history_days)} run record(s) removed")
    if options.evidence_days:
        captures, files = _prune_evidence(cfg, options.evidence_days)
        notes.append(f"{captures} evidence capture(s) and {files} file(s) removed")
    if cfg.store.listings_retention_days > 0:
        dropped = _prune_listings(cfg, cfg.store.listings_retention_days)
        if dropped:
            notes.append(f"{dropped} kept listing(s) not seen for {cfg.store.listings_retention_days} days removed")
    return OK, "; ".join(notes) or "nothing to do"


def _prune_listings(cfg: Config, days: int) -> int:
    """Kept listings (for `netsword rematch`) not seen for `days` (store.listings_retention_days); leads stay."""
    cutoff = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with open_store_from_config(cfg) as store:
        return store.drop_listings(last_seen_before=cutoff)
