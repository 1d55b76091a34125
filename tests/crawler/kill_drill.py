"""Kill a crawl child at a chosen point, then resume it with the same JOBDIR: the shared steps of the SIGKILL tests
and the drills (benchmarks/drills.py). Plain functions over real processes: a crawl child (tests/crawler/crawl_child.py)
against a running demo marketplace, SIGKILL from outside, the lead and evidence stores read afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHILD = Path(__file__).with_name("crawl_child.py")
REPO = Path(__file__).resolve().parents[2]
MARKER = "netsword-run.json"


@dataclass(frozen=True)
class CrawlSpec:
    base_url: str
    keywords: tuple[str, ...]
    max_pages: int
    profile: str = "demo-static"
    extra: dict[str, Any] = field(default_factory=dict)  # Scrapy settings for the child


@dataclass(frozen=True)
class LeadView:
    score: int
    times_seen: int
    last_run: str


def child_args(var_dir: Path, spec: CrawlSpec, *, jobdir: Path | None, acks: Path | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(var_dir), PYTHONPATH=str(REPO))
    extra = {"NETSWORD_STATS_FILE": str(var_dir / "stats.json"), "NETSWORD_STATS_INTERVAL": 0.2,
             "NETSWORD_SCREENSHOTS": False, **spec.extra}  # fmt: skip
    payload: dict[str, Any] = {"profile": spec.profile, "base_url": spec.base_url, "keywords": list(spec.keywords),
                               "max_pages": spec.max_pages, "evidence": True, "extra": extra}  # fmt: skip
    if jobdir is not None:
        payload["jobdir"] = str(jobdir)
    if acks is not None:
        payload["ack_file"] = str(acks)
    var_dir.mkdir(parents=True, exist_ok=True)
    return {"args": [sys.executable, str(CHILD), json.dumps(payload)], "env": env, "cwd": var_dir}


def crawl_to_end(var_dir: Path, spec: CrawlSpec, *, jobdir: Path | None = None) -> dict[str, Any]:
    """Crawl to the end in a child; its stats (with `crawl`, the run's summary)."""
    proc = subprocess.run(**child_args(var_dir, spec, jobdir=jobdir, acks=None), capture_output=True, text=True,
                          timeout=300)  # fmt: skip  # noqa: S603 - our own helper
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"crawl child failed ({proc.returncode}): {proc.stderr[-3000:]}")
    return dict(json.loads(lines[-1][6:]))


def acked(acks: Path) -> int:
    try:
        return sum(1 for line in acks.read_text(encoding="utf-8").splitlines() if line.endswith("}"))
    except OSError:
        return 0


def marker_state(jobdir: Path) -> str:
    try:
        return str(json.loads((jobdir / MARKER).read_text(encoding="utf-8")).get("state", ""))
    except (OSError, ValueError):
        return ""


def crawl_and_kill(var_dir: Path, spec: CrawlSpec, jobdir: Path, until: Callable[[Path], bool], *,
                   sig: signal.Signals = signal.SIGKILL, timeout: float = 180) -> str:  # fmt: skip
    """Start a crawl child, wait until `until(acks file)` holds, send `sig`, wait for the end. Returns what happened:
    'killed' (the signal landed while it ran) or 'finished' (it ended before the point was reached)."""
    acks = var_dir / f"acks-{time.monotonic_ns()}.jsonl"
    proc = subprocess.Popen(**child_args(var_dir, spec, jobdir=jobdir, acks=acks),  # noqa: S603 - our own helper
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while not until(acks):
            if proc.poll() is not None:
                return "finished"
            if time.monotonic() > deadline:
                raise TimeoutError("the kill point was never reached")
            time.sleep(0.01)
        proc.send_signal(sig)
        proc.wait(timeout=120)
        return "killed"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def leads_of(var_dir: Path) -> dict[str, LeadView]:
    from leads.store import LeadQuery, open_store

    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return {
            lead.lead_id: LeadView(lead.score, lead.times_seen, lead.last_run) for lead in store.iter_leads(LeadQuery())
        }


def listings_without_evidence(var_dir: Path) -> list[str]:
    """Listings with a lead but no evidence capture (the crawl captures for every listing it stores leads of)."""
    from evidence.store import EvidenceStore
    from leads.store import LeadQuery, open_store

    evidence = EvidenceStore(var_dir / "evidence")  # reading manifests needs no key
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        listings = {(lead.platform, lead.listing_id) for lead in store.iter_leads(LeadQuery())}
    return sorted(f"{p}/{i}" for p, i in listings if not evidence.captures_for(p, i))
