"""Actor-network benchmark: pairwise precision and recall of linked shops against synthetic ground truth, and the
time to build the networks of 100,000 listings from the lead store.

The synthetic set (cases.synthetic) has rings of shops sharing identifiers (product photos as perceptual hashes a few
bits apart among them) across platforms and a parcel shipper, and decoys sharing hub numbers, 400 hotlines, a market
address, a brand's official photo or a ring shop's name. A baseline in the same run links image hashes only when
identical. The timed build is what
`netsword cases networks build` does: read every lead from a SQLite store, extract identifiers, link, store in
cases.db (captures are not looked up: the synthetic listings have none). Targets: precision and recall ≥ 0.95,
build under 2 minutes for 100,000 listings on this 2-core machine.
Usage: `python benchmarks/networks.py [--listings N] [--seed S] [--hub-shops N] [--keep DIR]`.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[0] = str(ROOT)

from cases.actors import ActorStore  # noqa: E402
from cases.build import network_of  # noqa: E402
from cases.db import CasesDB  # noqa: E402
from cases.network import NetworkSettings, pairwise_scores  # noqa: E402
from cases.synthetic import generate  # noqa: E402
from leads.store.sqlite import SqliteLeadStore  # noqa: E402

CPU: dict[str, float] = {}


def timed(label: str, results: dict[str, float], func):  # type: ignore[no-untyped-def]
    """Wall-clock seconds into `results`, and this process's CPU seconds into CPU (the machine is shared)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    results[label] = time.perf_counter() - start
    CPU[label] = time.process_time() - cpu
    return value


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--listings", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--hub-shops", type=int, default=NetworkSettings().hub_shops)
    ap.add_argument("--keep", metavar="DIR", help="work in DIR and keep the files (default: a temporary directory)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="netsword-networks-bench-"))
    t: dict[str, float] = {}
    syn = timed("generate", t, lambda: generate(args.listings, seed=args.seed))
    store = SqliteLeadStore(work / "leads.db")
    timed("store leads (setup)", t, lambda: store.put_raw(syn.leads))
    n = len(syn.leads)
    syn.leads.clear()
    settings = NetworkSettings(hub_shops=args.hub_shops)
    network, index, parcel = timed("read + extract + link", t, lambda: network_of(store, settings, syn.shipper_lookup))
    with CasesDB(work / "cases.db") as db:
        timed("store networks", t, lambda: ActorStore(db).replace_network(network, index.leads))
    # baseline, same run and store: image hashes linked only when identical (no near-duplicate grouping)
    base_settings = NetworkSettings(hub_shops=args.hub_shops, image_distance=0)
    base = {}
    baseline, _, _ = timed("baseline: exact images", base, lambda: network_of(store, base_settings, syn.shipper_lookup))
    store.close()
    precision, recall, found, predicted, true_pairs = pairwise_scores(network.actor_of(), syn.truth)
    base_p, base_r, base_found, _, _ = pairwise_scores(baseline.actor_of(), syn.truth)
    build = t["read + extract + link"] + t["store networks"]
    print(f"listings {n:,}  shops {len(index.shops):,}  rings {syn.rings:,} ({syn.ring_shops:,} shops)  "
          f"sightings {len(index.sightings):,} + {parcel:,} parcel links")  # fmt: skip
    print(
        f"actors found {len(network.actors):,}  hubs suppressed {len(network.hubs):,}  hub_shops {settings.hub_shops}"
    )
    for label, seconds in t.items():
        print(f"  {label:<24} {seconds:8.1f} s wall  {CPU[label]:8.1f} s CPU")
    print(f"pairwise precision {precision:.4f}  recall {recall:.4f}  "
          f"({found:,} true pairs linked of {true_pairs:,}; {predicted:,} pairs linked)")  # fmt: skip
    print(f"build time {build:.1f} s wall for {n:,} listings ({n / build:,.0f} listings/s; "
          f"{build * 100_000 / n:.1f} s per 100,000)")  # fmt: skip
    print(f"baseline, exact image hashes only (--image-distance 0): precision {base_p:.4f}  recall {base_r:.4f}  "
          f"({base_found:,} true pairs linked); read + extract + link {base['baseline: exact images']:.1f} s wall "
          f"{CPU['baseline: exact images']:.1f} s CPU")  # fmt: skip
    ok = precision >= 0.95 and recall >= 0.95 and build * 100_000 / n < 120
    print("targets (P, R ≥ 0.95; < 120 s per 100,000 listings):", "met" if ok else "NOT MET")
    if not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
