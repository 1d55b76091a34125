"""Match quality on the demo marketplace's catalogue: lead-level precision and recall against its ground truth.

The catalogue (demo.catalogue, docs/demo-marketplace.md) is built in-process, each listing turned into a Listing as
the feed exports it (no HTTP), matched with the sample watchlists at the default threshold. A lead is a
(listing, entry) pair with score ≥ 50; only `infringing` rows are positives. Prints precision and recall overall,
leads raised per label (every lead on a non-infringing row is a false one) and recall per disguise.
Usage: `python benchmarks/match_demo_catalogue.py [--seed S] [--size N] [--show N]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo.catalogue import DEFAULT_SEED, DEFAULT_SIZE, DemoListing, build_catalogue  # noqa: E402
from matchers import compile_index  # noqa: E402
from netsword.models import Listing  # noqa: E402
from watchlists import load_watchlists  # noqa: E402
from watchlists.configured import sample_watchlists  # noqa: E402

MIN_SCORE = 50


def as_listing(item: DemoListing) -> Listing:
    """The catalogue item as the demo feed exports it (docs/formats.md)."""
    data: dict[str, object] = {
        "id": item.id, "platform": item.platform, "url": f"http://demo/{item.platform}/item/{item.id}",
        "title": item.title, "description": item.description, "currency": item.currency,
        "seller": {"id": item.seller.id, "name": item.seller.name}, "category": item.category,
        "ships_from": item.ships_from, "location": item.location,
    }  # fmt: skip
    if item.price is not None:
        data["price"] = item.price
    return Listing.from_dict(data)


def lead_matches(hit_entry: str, truth_entries: list[str], cited: str) -> bool:
    """A false-marking lead on an unwatched number carries `fpm:<digits>`; it still names the right citation."""
    if hit_entry in truth_entries:
        return True
    digits = "".join(c for c in cited if c.isdigit())
    return bool(digits) and hit_entry.startswith("fpm:") and hit_entry[4:] in digits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--show", type=int, default=25, help="print up to N missed and N false leads")
    args = parser.parse_args(argv)
    catalogue = build_catalogue(args.seed, args.size)
    index = compile_index(load_watchlists(sample_watchlists()))
    tp = fp = fn = 0
    leads_per_label: Counter[str] = Counter()
    rows_per_label: Counter[str] = Counter()
    found_per_disguise: Counter[str] = Counter()
    rows_per_disguise: Counter[str] = Counter()
    missed: list[str] = []
    false: list[str] = []
    started, cpu = time.perf_counter(), time.process_time()
    for item in catalogue.listings:
        truth = item.truth()
        label, entries, cited = truth["label"], truth["entry_ids"], truth.get("cited_number", "")
        # watchlist leads only: licence checks (entry ids reg:<regime>) have their own truth and benchmark
        # (truth["regulated"], benchmarks/regulated_quality.py)
        hits = [h for h in index.match(as_listing(item)) if h.score >= MIN_SCORE and not h.entry_id.startswith("reg:")]
        rows_per_label[label] += 1
        if label == "infringing":
            disguise = truth["disguise"] or "none"
            rows_per_disguise[disguise] += 1
            good = [h for h in hits if lead_matches(h.entry_id, entries, cited)]
            found = {e for e in entries if any(lead_matches(h.entry_id, [e], cited) for h in good)}
            tp += len(found)
            fn += len(entries) - len(found)
            found_per_disguise[disguise] += len(found) == len(entries)
            if len(found) < len(entries):
                got = ", ".join(f"{h.entry_id} {h.score:g}" for h in hits) or "nothing"
                missed.append(f"missed  {disguise:<11} {entries} {item.title!r} price {item.price} → {got}")
            wrong = [h for h in hits if h not in good]
        else:
            wrong = hits
        fp += len(wrong)
        leads_per_label[label] += len(wrong)
        for h in wrong:
            reasons = " ".join(r.code for r in h.reasons)
            false.append(f"false   {label:<10} {h.entry_id} {h.score:g} {item.title!r} price {item.price} [{reasons}]")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    print(f"{len(catalogue.listings)} catalogue listings (seed {args.seed}), threshold {MIN_SCORE}, "
          f"matched in {wall:.2f} s wall / {cpu:.2f} s CPU")  # fmt: skip
    print(f"lead-level: precision {precision:.3f}  recall {recall:.3f}  (tp {tp}, fp {fp}, fn {fn})")
    print("false leads per label (rows with at least one entry):")
    for label in sorted(rows_per_label):
        print(f"  {label:<11} {rows_per_label[label]:>5} rows  {leads_per_label[label]:>4} false leads")
    print("recall per disguise (infringing rows with every entry found):")
    for disguise in sorted(rows_per_disguise):
        n = rows_per_disguise[disguise]
        print(f"  {disguise:<11} {found_per_disguise[disguise] / n:.3f}  ({found_per_disguise[disguise]}/{n})")
    for line in missed[: args.show] + false[: args.show]:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
