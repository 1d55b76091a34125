"""Drills: the promises "nothing lost, nothing doubled" tried the way an operator breaks them, with counts printed.

    python benchmarks/drills.py [--drill NAME …] [--tree DIR] [--json FILE]

Each drill is one function `drill_<name>(ctx) -> dict` registered in DRILLS; it runs real processes (`netsword crawl`
children against the bundled demo marketplace), prints what it counted and returns it. `--tree DIR` runs the
`netsword` of another checkout (e.g. a `git worktree` of an older commit) against the same drills, for a baseline
measured in the same run; the marketplace always comes from this tree. Drills:

- `kill`: an uninterrupted crawl, then the same crawl SIGKILLed at 10/30/50/70/90 % of its leads and run again with
  the same --jobdir, and once killed twice in a row; then a larger crawl (~370 requests, enough for Scrapy to have
  written request fingerprints to JOBDIR) killed at 70 %: leads missing or extra against the uninterrupted crawl,
  leads whose times_seen is not 1, listings the resumed process handled, its exit status and the status it printed.
- `rate_limit`: the same crawl against a calm marketplace and against one that rate-limits (429 with Retry-After)
  and fails a share of URLs once (5xx): leads lost against the calm crawl, exit status, status printed, retries
  waited, 429s answered, slow-downs, requests given up and seconds taken; the first losses the crawl reported.

To add a drill: write `drill_<name>(ctx: Drill) -> dict[str, Any]` below and add it to DRILLS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


@dataclass
class Drill:
    """What every drill gets: where to work, which tree's `netsword` to run, and a place to note results."""

    work: Path
    tree: Path = REPO
    results: dict[str, Any] = field(default_factory=dict)
    reader: StoreReader | None = None

    def leads_in(self, var_dir: Path) -> dict[str, tuple[int, int]]:
        """lead id → (score, times_seen) of the leads stored in `var_dir`."""
        if self.reader is None:
            self.reader = StoreReader(self.tree)
        return self.reader.leads(var_dir)

    def netsword(self, var_dir: Path, *args: str) -> subprocess.Popen[str]:
        """`netsword ARGS` from `self.tree`, with var/ (store, evidence) in `var_dir`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env.update(NETSWORD_PATHS_VAR_DIR=str(var_dir), PYTHONPATH=str(self.tree))
        var_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-c", "from netsword.cli import run; run()", *args]
        return subprocess.Popen(argv, env=env, cwd=var_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,  # noqa: S603
                                text=True)  # fmt: skip


@dataclass(frozen=True)
class Crawl:
    base_url: str
    keywords: tuple[str, ...]
    max_pages: int

    def args(self, *, jobdir: Path | None = None) -> list[str]:
        out = ["crawl", "demo-static", "--base-url", self.base_url, "--max-pages", str(self.max_pages),
               "--no-evidence", "--no-alerts"]  # fmt: skip
        for keyword in self.keywords:
            out += ["--keyword", keyword]
        return out + (["--jobdir", str(jobdir)] if jobdir else [])


# Reads a var/'s leads through the store interface of the tree under test (never SQL of our own: the tree's own
# code, so an older release's store is read as that release wrote it, and not migrated under its feet).
_READER = """
import json, sys
from pathlib import Path
from leads.store import LeadQuery, open_store
for line in sys.stdin:
    path = Path(line.strip()) / "netsword.db"
    found = {}
    if path.exists():
        try:
            with open_store(f"sqlite:///{path}") as store:
                found = {lead.lead_id: [lead.score, lead.times_seen] for lead in store.iter_leads(LeadQuery())}
        except Exception:  # the crawl is creating it right now: nothing yet
            found = {}
    print(json.dumps(found), flush=True)
"""


class StoreReader:
    """One long-lived child that answers "which leads are in this var/?" with the tree's own lead store."""

    def __init__(self, tree: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env["PYTHONPATH"] = str(tree)
        # cwd: `python -c` puts the working directory first on sys.path, before PYTHONPATH
        self.proc = subprocess.Popen([sys.executable, "-c", _READER], env=env, cwd=tree, stdin=subprocess.PIPE,  # noqa: S603
                                     stdout=subprocess.PIPE, text=True)  # fmt: skip

    def leads(self, var_dir: Path) -> dict[str, tuple[int, int]]:
        """lead id → (score, times_seen)."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{var_dir}\n")
        self.proc.stdin.flush()
        return {lead_id: (score, seen) for lead_id, (score, seen) in json.loads(self.proc.stdout.readline()).items()}

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)


def run_to_end(ctx: Drill, var_dir: Path, crawl: Crawl, *, jobdir: Path | None = None) -> dict[str, Any]:
    proc = ctx.netsword(var_dir, *crawl.args(jobdir=jobdir))
    out, err = proc.communicate(timeout=1800)
    status = re.search(r"^crawl demo-static: (\w+)", out, re.M)
    seen = re.search(r"netsword/listings_seen: (\d+)", out)
    return {"exit": proc.returncode, "status": status.group(1) if status else "?",
            "listings": int(seen.group(1)) if seen else 0, "out": out, "err": err[-2000:]}  # fmt: skip


def kill_at(ctx: Drill, var_dir: Path, crawl: Crawl, jobdir: Path, leads: int) -> bool:
    """Start the crawl, SIGKILL it once the store holds `leads` leads; False when it finished first."""
    proc = ctx.netsword(var_dir, *crawl.args(jobdir=jobdir))
    try:
        while len(ctx.leads_in(var_dir)) < leads:
            if proc.poll() is not None:
                return False
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        return True
    finally:
        proc.communicate(timeout=120)


def compare(leads: dict[str, tuple[int, int]], baseline: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {
        "missing": len(set(baseline) - set(leads)),
        "extra": len(set(leads) - set(baseline)),
        "score_differs": sum(1 for i in set(leads) & set(baseline) if leads[i][0] != baseline[i][0]),
        "times_seen_not_1": sum(1 for score_seen in leads.values() if score_seen[1] != 1),
    }


def drill_kill(ctx: Drill) -> dict[str, Any]:
    from demo.server import DemoMarket

    results: dict[str, Any] = {}
    with DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.05, slow_rate=1.0, slow_seconds=0.1) as market:
        crawl = Crawl(market.url, ("鞋", "手表", "包"), 3)
        calm = run_to_end(ctx, ctx.work / "kill-baseline", crawl)
        baseline = ctx.leads_in(ctx.work / "kill-baseline")
        print(f"kill: uninterrupted crawl: {len(baseline)} leads, exit {calm['exit']} ({calm['status']})", flush=True)
        results["uninterrupted"] = {"leads": len(baseline), "exit": calm["exit"], "status": calm["status"]}
        plans = {f"{p}%": [p / 100] for p in (10, 30, 50, 70, 90)}
        plans["twice (40 %, then 20 %)"] = [0.4, 0.2]
        for name, points in plans.items():
            results[name] = _kill_and_resume(ctx, crawl, baseline, name, points)
        # ~370 requests: enough for Scrapy to have flushed its request fingerprints to JOBDIR before the kill
        large = Crawl(market.url, ("包", "正品", "新款", "手机", "鞋", "手表", "NIKE"), 6)
        run_to_end(ctx, ctx.work / "kill-large-baseline", large)
        large_baseline = ctx.leads_in(ctx.work / "kill-large-baseline")
        print(f"kill: larger uninterrupted crawl: {len(large_baseline)} leads", flush=True)
        results["large uninterrupted"] = {"leads": len(large_baseline)}
        results["large, 70%"] = _kill_and_resume(ctx, large, large_baseline, "70% of a larger crawl", [0.7])
    return results


def _kill_and_resume(ctx: Drill, crawl: Crawl, baseline: dict[str, tuple[int, int]], name: str,
                     points: list[float]) -> dict[str, Any]:  # fmt: skip
    var_dir = ctx.work / f"kill-{time.monotonic_ns()}"
    jobdir = var_dir / "job"
    kills = sum(kill_at(ctx, var_dir, crawl, jobdir, max(1, int(p * len(baseline)))) for p in points)
    at_kill = len(ctx.leads_in(var_dir))
    resumed = run_to_end(ctx, var_dir, crawl, jobdir=jobdir)
    row = {"kills": kills, "leads_at_kill": at_kill, "resume_exit": resumed["exit"],
           "resume_status": resumed["status"], "resume_listings": resumed["listings"],
           **compare(ctx.leads_in(var_dir), baseline)}  # fmt: skip
    print(f"kill at {name}: killed {kills}x with {at_kill} leads stored; resumed: exit {resumed['exit']} "
          f"({resumed['status']}), {resumed['listings']} listings handled; missing {row['missing']}, extra "
          f"{row['extra']}, score differs {row['score_differs']}, times_seen≠1 {row['times_seen_not_1']}",
          flush=True)  # fmt: skip
    return row


def drill_rate_limit(ctx: Drill) -> dict[str, Any]:
    from demo.server import DemoMarket

    results: dict[str, Any] = {}
    keywords = ("鞋", "手表", "包")
    with DemoMarket(port=0, seed=11, rate_limit=0, fault_rate=0.0, slow_rate=0.0) as calm_market:
        calm = run_to_end(ctx, ctx.work / "rl-calm", Crawl(calm_market.url, keywords, 3))
    wanted = {lead_id for lead_id in ctx.leads_in(ctx.work / "rl-calm")}
    print(f"rate_limit: calm marketplace: {len(wanted)} leads, exit {calm['exit']} ({calm['status']})", flush=True)
    results["calm"] = {"leads": len(wanted), "exit": calm["exit"]}
    for name, rate, burst, faults in (("429 at 10/s burst 3, 20 % 5xx once", 10.0, 3.0, 0.2),
                                      ("429 at 5/s burst 2, 30 % 5xx once", 5.0, 2.0, 0.3)):  # fmt: skip
        var_dir = ctx.work / f"rl-{len(results)}"
        with DemoMarket(port=0, seed=11, rate_limit=rate, burst=burst, fault_rate=faults, slow_rate=0.0) as market:
            started = time.monotonic()
            run = run_to_end(ctx, var_dir, Crawl(market.url, keywords, 3))
            seconds = time.monotonic() - started
        got = set(ctx.leads_in(var_dir))
        lost = len(wanted - got)
        stat = {m.group(1): m.group(2) for m in re.finditer(r"^  ([a-z_/]+[a-z_]): (\S+)$", run["out"], re.M)}
        row = {"leads": len(got), "lost": lost, "lost_pct": round(100 * lost / max(1, len(wanted)), 1),
               "exit": run["exit"], "status": run["status"], "seconds": round(seconds, 1),
               "retries_waited": stat.get("retry_after/waits", "0"), "rate_limited": stat.get("throttle/rate_limited", "-"),
               "slowdowns": stat.get("throttle/slowdowns", "-"), "given_up": stat.get("netsword/given_up", "-"),
               "lost_lines": [line for line in run["out"].splitlines() if line.startswith("  lost: ")][:10]}  # fmt: skip
        results[name] = row
        print(f"rate_limit {name}: {row['leads']}/{len(wanted)} leads ({row['lost_pct']} % lost), exit {row['exit']} "
              f"({row['status']}), retries waited {row['retries_waited']}, 429s {row['rate_limited']}, slow-downs "
              f"{row['slowdowns']}, given up "
              f"{row['given_up']}, {row['seconds']} s", flush=True)  # fmt: skip
        for line in row["lost_lines"]:
            print(f"   {line.strip()}")
    return results


DRILLS: dict[str, Callable[[Drill], dict[str, Any]]] = {"kill": drill_kill, "rate_limit": drill_rate_limit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--drill", action="append", choices=sorted(DRILLS), help="run only these (default: all)")
    parser.add_argument("--tree", type=Path, default=REPO, help="run `netsword` from this checkout (a baseline)")
    parser.add_argument("--json", type=Path, help="also write the counts to this JSON file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="netsword-drills-") as work:
        ctx = Drill(work=Path(work), tree=args.tree.resolve())
        print(f"drills with netsword from {ctx.tree}", flush=True)
        try:
            for name in args.drill or list(DRILLS):
                ctx.results[name] = DRILLS[name](ctx)
        finally:
            if ctx.reader is not None:
                ctx.reader.close()
    if args.json:
        args.json.write_text(json.dumps(ctx.results, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
