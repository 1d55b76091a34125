"""Parcel pipeline benchmark: import + declared matching, shipper resolution, ant-moving detection, re-import.

Measures parcels per second for each stage on a synthetic manifest with planted patterns (week-long parties,
consolidation, month-long rings with second phones and terse product declarations, rings under two identities
sharing customers), pattern precision and recall against its ground truth, the decoys flagged (authorised brand
warehouses in the shipper register, slow senders, namesakes), and a baseline measured in the same run on the same
file: a plain `csv.reader` pass. Single process (one core). Targets: P, R ≥ 0.95 and no decoy flagged; 1,000,000
parcels in under 10 minutes on 2 cores. Exit status 1 when the quality targets are missed.
Usage: `python benchmarks/parcels.py [--parcels N] [--seed S] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)  # this file is named parcels.py: its own directory must not shadow the package

from leads.sink import LeadSink  # noqa: E402
from leads.store import open_store  # noqa: E402
from matchers.configured import build_index  # noqa: E402
from netsword.config import load_config  # noqa: E402
from parcels.authorised import load_register  # noqa: E402
from parcels.db import ParcelDB  # noqa: E402
from parcels.importer import import_manifest  # noqa: E402
from parcels.mapping import find_mapping  # noqa: E402
from parcels.patterns import PatternSettings, detect_patterns  # noqa: E402
from parcels.pii import PiiVault  # noqa: E402
from parcels.shippers import resolve_shippers  # noqa: E402
from parcels.synthetic import (  # noqa: E402
    decoys_flagged,
    evaluate,
    generate,
    synthetic_watchlist,
    write_manifest,
    write_register,
)

CPU: dict[str, float] = {}


def timed(label: str, results: dict[str, float], func):  # type: ignore[no-untyped-def]
    """Wall-clock seconds into `results`, and this process's CPU seconds into CPU (the machine may be shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    results[label] = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    return value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--parcels", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files (default: a temporary directory)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="netsword-parcels-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    manifest = work / "manifest.csv"
    t: dict[str, float] = {}

    rows, plan = timed("generate", t, lambda: generate(args.parcels, args.seed))
    timed("write", t, lambda: write_manifest(rows, manifest))
    n = len(rows)
    rows.clear()  # free the memory before the measured stages

    def baseline() -> int:
        with open(manifest, encoding="utf-8", newline="") as fh:
            return sum(1 for _ in csv.reader(fh)) - 1

    assert timed("baseline_csv", t, baseline) == n
    vault = PiiVault(b"benchmark-key-0123456789")
    write_register(plan, work / "shippers.yaml")
    register = load_register(work / "shippers.yaml", vault)

    def parcel_index():  # type: ignore[no-untyped-def]
        cfg = load_config(None, env={})
        watchlist = build_index(cfg).watchlist  # the sample watchlists, with the products their owners would list
        return build_index(cfg, watchlist=register.authorise(synthetic_watchlist(watchlist)))

    index = timed("build_index", t, parcel_index)
    for stale in work.glob("*.db*"):
        stale.unlink()
    db = ParcelDB(work / "parcels.db")
    store = open_store(str(work / "leads.db"))
    sink = LeadSink(store)
    report = timed("import", t, lambda: import_manifest(manifest, find_mapping("generic"), db, vault, index=index,
                                                         sink=sink, register=register))  # fmt: skip
    resolved = timed("resolve", t, lambda: resolve_shippers(db, vault, register=register))
    detected = timed("detect", t, lambda: detect_patterns(db, PatternSettings(), watchlist=index.watchlist,
                                                          sink=sink, register=register))  # fmt: skip
    again = timed("reimport", t, lambda: import_manifest(manifest, find_mapping("generic"), db, vault, index=index,
                                                          sink=sink, register=register))  # fmt: skip
    rerun = timed("redetect", t, lambda: detect_patterns(db, PatternSettings(), watchlist=index.watchlist,
                                                          sink=sink, register=register))  # fmt: skip
    found = [(p.kind, p.entry_id, p.waybills) for p in detected.patterns]
    precision, recall = evaluate(found, plan)
    flagged = decoys_flagged(found, plan)
    kinds = Counter("long" if "days" in p else "shared" if p.get("shared_customers") else p["kind"]
                    for p in plan.patterns)  # fmt: skip

    pipeline = t["import"] + t["resolve"] + t["detect"]
    print(f"parcels: {n:,} (seed {args.seed}); planted patterns: {len(plan.patterns)} ({dict(kinds)}); decoys: "
          f"{len(plan.decoys)} ({dict(Counter(d['kind'] for d in plan.decoys))}); work dir {work}")  # fmt: skip
    print(f"import: {report.imported:,} imported, {report.bad} bad, {report.matched_parcels:,} matched a watched "
          f"entry, {report.leads.created:,} trademark leads")  # fmt: skip
    print(f"resolve: {resolved.senders:,} senders, {resolved.links:,} links {resolved.by_via}, "
          f"{resolved.shippers:,} shippers, hubs {resolved.hubs}, {resolved.authorised} authorised senders")  # fmt: skip
    print(f"detect: {len(detected.patterns)} patterns; precision {precision:.3f}, recall {recall:.3f}; decoys "
          f"flagged: {len(flagged)} {dict(Counter(flagged))}; {detected.authorised_parcels:,} parcels of authorised "
          "shippers left out")  # fmt: skip
    print(f"re-import: {again.imported} imported, {again.updated} updated, {again.unchanged:,} unchanged; "
          f"re-detect: {rerun.stored.as_dict()}")  # fmt: skip
    print()
    print(f"{'stage':<34}{'wall s':>8}{'cpu s':>8}{'parcels/s (cpu)':>17}{'× baseline (cpu)':>18}")
    base = CPU["baseline_csv"] or 1e-9
    for label in ("baseline_csv", "import", "resolve", "detect", "reimport"):
        print(f"{label:<34}{t[label]:>8.2f}{CPU[label]:>8.2f}{n / CPU[label]:>17,.0f}{CPU[label] / base:>18.1f}")
    cpu = CPU["import"] + CPU["resolve"] + CPU["detect"]
    print(f"{'pipeline (import+resolve+detect)':<34}{pipeline:>8.2f}{cpu:>8.2f}{n / cpu:>17,.0f}{cpu / base:>18.1f}")
    print(
        f"(setup, not counted: generate {t['generate']:.1f}s, write {t['write']:.1f}s, index {t['build_index']:.1f}s)"
    )
    million_wall, million_cpu = pipeline * 1_000_000 / n, cpu * 1_000_000 / n
    print(f"extrapolated to 1,000,000 parcels (linear, one process): {million_wall / 60:.1f} min wall-clock as "
          f"measured, {million_cpu / 60:.1f} min of CPU (what an unshared core would take); target 10 min")  # fmt: skip
    store.close()
    db.close()
    return 0 if precision >= 0.95 and recall >= 0.95 and not flagged else 1


if __name__ == "__main__":
    sys.exit(main())
