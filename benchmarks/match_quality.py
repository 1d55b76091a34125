"""Match quality on marks the matchers were never tuned on: the held-out part of the corpus, and real titles.

1. The corpus (benchmarks/corpus/: real marks split by mark, listings generated with a fixed seed by
   benchmarks/corpus/generate.py): precision and recall of leads (score ≥ 50) on its test part only, the
   counterfeit-over-plain AUC (how often a counterfeit listing outscores a plain use or a plain resale of a mark,
   ties counting half), and a table per kind of listing.
2. The real-title check: real listing titles from ../shared/realdata (benchmarks/corpus/real_titles.tsv, labelled by
   hand) against every corpus mark, reported separately.
Usage: `python benchmarks/match_quality.py [--part test|dev] [--show N] [--write FILE] [--against REV] [--learned FILE]`.
`--against REV` runs the same listings through the matchers of git revision REV too (the baseline), in the same run.
`--learned FILE` scores with a learned-scorer weights file (`netsword scorer train`); the baseline is then the rules
alone, in the same run (unless --against names one).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# NETSWORD_CODE_ROOT: import the matchers from another tree (a baseline revision) while the corpus stays this one's
sys.path.insert(0, os.environ.get("NETSWORD_CODE_ROOT") or str(ROOT))
sys.path.insert(1, str(ROOT / "benchmarks" / "corpus"))

from generate import HERE as CORPUS  # noqa: E402
from generate import generate  # noqa: E402

from matchers import compile_index  # noqa: E402
from netsword.models import Listing  # noqa: E402
from watchlists import load_watchlists  # noqa: E402

MIN_SCORE = 50
HIGH = ("counterfeit",)
LOW = ("plain", "resale")


def _listing(case: dict[str, Any]) -> Listing:
    data: dict[str, Any] = {"id": str(case["id"]), "platform": "q", "url": f"https://q/{case['id']}",
                            "title": case["title"], "price": case.get("price"), "currency": case.get("currency") or "CNY",
                            "crawled_at": "2026-11-30T00:00:00Z"}  # fmt: skip
    if case.get("seller"):
        data["seller"] = {"name": case["seller"]}
    return Listing.from_dict(data)


def score_cases(cases: list[dict[str, Any]], marks: list[Path], model: Any = None) -> list[dict[str, Any]]:
    """Each case with `scores` ({entry: best score}) from the matchers imported here (`model`: a learned scorer)."""
    index = compile_index(load_watchlists(marks), learned=model) if model else compile_index(load_watchlists(marks))
    out = []
    for case in cases:
        scores: dict[str, float] = {}
        for hit in index.match(_listing(case)):
            scores[hit.entry_id] = max(scores.get(hit.entry_id, 0.0), hit.score)
        out.append({**case, "scores": scores})
    return out


def auc(high: list[float], low: list[float]) -> float | None:
    """P(a random high case outscores a random low case), ties half (Mann–Whitney)."""
    if not high or not low:
        return None
    ordered = sorted(low)
    import bisect

    wins = sum(bisect.bisect_left(ordered, h) + 0.5 * (bisect.bisect_right(ordered, h) - bisect.bisect_left(ordered, h))
               for h in high)  # fmt: skip
    return wins / (len(high) * len(low))


def metrics(scored: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall, AUC and per-kind counts of scored cases."""
    tp = fn = fp = 0
    kinds: dict[str, dict[str, Any]] = defaultdict(lambda: {"cases": 0, "leads": 0, "scores": [], "label": ""})
    wrong: list[str] = []
    high: list[float] = []
    low: list[float] = []
    for case in scored:
        leads = {e for e, s in case["scores"].items() if s >= MIN_SCORE}
        kind = kinds[case["kind"]]
        kind["cases"] += 1
        kind["label"] = case["label"]
        expect = [e for e in str(case.get("expect") or "").split() if e]
        own = max((case["scores"].get(e, 0.0) for e in expect), default=0.0)
        if expect:
            found = all(e in leads for e in expect)
            tp, fn = tp + found, fn + (not found)
            kind["leads"] += found
            kind["scores"].append(own)
            if not found:
                wrong.append(f"missed   {case['kind']}: {case['title']!r} ({' '.join(expect)}: {own:g})")
        reject = str(case.get("reject") or "")
        false = set()
        if reject == "*" or (not expect and not reject):
            false = leads - set(expect)
        elif reject:
            false = leads & set(reject.split())
        if case["label"] not in ("counterfeit", "plain"):
            kind["leads"] += bool(false)
            kind["scores"].append(max((case["scores"].get(e, 0.0) for e in reject.split()), default=0.0)
                                  if reject and reject != "*" else max(case["scores"].values(), default=0.0))  # fmt: skip
        fp += len(false)
        if false:
            wrong.append(f"reported {case['kind']}: {case['title']!r} "
                         "(" + ", ".join(f"{e} {case['scores'][e]:g}" for e in sorted(false)) + ")")  # fmt: skip
        entry = (expect or [e for e in reject.split() if e != "*"] or [""])[0]
        if case["label"] in HIGH:
            high.append(case["scores"].get(entry, 0.0))
        elif case["label"] in LOW:
            low.append(case["scores"].get(entry, 0.0))
    return {"cases": len(scored), "tp": tp, "fn": fn, "fp": fp,
            "precision": tp / max(1, tp + fp), "recall": tp / max(1, tp + fn), "auc": auc(high, low),
            "kinds": {k: {**v, "mean": sum(v["scores"]) / max(1, len(v["scores"]))} for k, v in kinds.items()},
            "wrong": wrong}  # fmt: skip


def real_cases() -> list[dict[str, Any]]:
    with (CORPUS / "real_titles.tsv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    cases = []
    for n, row in enumerate(rows):
        if not row.get("label"):
            continue
        label = {"plain": "plain", "counterfeit": "counterfeit", "resale": "resale"}.get(row["label"], "negative")
        cases.append({"id": f"real-{n}", "kind": f"real_{row['label']}", "label": label, "title": row["title"],
                      "price": float(row["price"]) if row["price"] else None, "currency": row["currency"],
                      "expect": row["expect"], "reject": "*"})  # fmt: skip
    return cases


def evaluate(part: str, model: Any = None) -> dict[str, Any]:
    """Both reports with the matchers imported here."""
    corpus = metrics(score_cases(generate(part), [CORPUS / f"marks_{part}.yaml"], model))
    real = metrics(score_cases(real_cases(), [CORPUS / "marks_dev.yaml", CORPUS / "marks_test.yaml"], model))
    return {"part": part, "corpus": corpus, "real": real}


def baseline(rev: str, part: str) -> dict[str, Any]:
    """evaluate() with the matchers, watchlists and core of git revision `rev`, in a child process."""
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "matchers", "watchlists", "netsword"],
                                 check=True, capture_output=True).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        out = subprocess.run([sys.executable, __file__, "--part", part, "--json"], check=True, capture_output=True,
                             text=True, env={**os.environ, "NETSWORD_CODE_ROOT": tmp})  # fmt: skip
    return json.loads(out.stdout)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def report(result: dict[str, Any], before: dict[str, Any] | None, show: int) -> None:
    part = "test part: marks never used in development" if result["part"] == "test" else "development part"
    for name, title in (("corpus", f"corpus ({part})"),
                        ("real", "real-title check (real titles from ../shared/realdata, labelled by hand)")):  # fmt: skip
        m = result[name]
        b = before[name] if before else None
        print(f"\n== {title}: {m['cases']} listings, threshold {MIN_SCORE}")
        for key in ("precision", "recall", "auc"):
            was = f"  (baseline {_fmt(b[key])})" if b else ""
            print(f"  {key:<9} {_fmt(m[key])}{was}")
        print(f"  tp {m['tp']}, fp {m['fp']}, fn {m['fn']}")
        print(
            f"  {'kind':<22} {'label':<11} {'cases':>5} {'leads':>6} {'mean score':>10}"
            + ("   baseline leads" if b else "")
        )
        for kind, v in sorted(m["kinds"].items(), key=lambda kv: (kv[1]["label"], kv[0])):
            rate = v["leads"] / max(1, v["cases"])
            was = ""
            if b and kind in b["kinds"]:
                was = f"   {b['kinds'][kind]['leads'] / max(1, b['kinds'][kind]['cases']):.2f}"
            print(f"  {kind:<22} {v['label']:<11} {v['cases']:>5} {rate:>6.2f} {v['mean']:>10.1f}{was}")
        for line in m["wrong"][:show]:
            print("   ", line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("test", "dev"), default="test", help="report on this part (default test)")
    parser.add_argument("--show", type=int, default=20, help="print up to N wrong cases per report")
    parser.add_argument("--against", metavar="REV", help="also run the matchers of git revision REV (baseline)")
    parser.add_argument("--write", metavar="FILE", help="save the generated listings as JSON lines")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--marks-only", action="store_true",
                        help="leave out the licence and copyright kinds (their own benchmarks, run after the marks)")  # fmt: skip
    parser.add_argument("--learned", metavar="FILE", help="score with this learned-scorer weights file")
    args = parser.parse_args(argv)
    model = None
    if args.learned:
        from matchers import learned

        model = learned.load(args.learned)
    result = evaluate(args.part, model)
    if args.json:
        for m in (result["corpus"], result["real"]):
            m.pop("wrong")
            for v in m["kinds"].values():
                v.pop("scores")
        print(json.dumps(result))
        return 0
    if args.write:
        Path(args.write).write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in generate(args.part)),
                                    encoding="utf-8")  # fmt: skip
    before = baseline(args.against, args.part) if args.against else evaluate(args.part) if model else None
    report(result, before, args.show)
    if not args.marks_only:
        other_kinds(args.show)
    return 0


def other_kinds(show: int) -> None:
    """The new lead kinds, each on its own generated listings and held-out part (issue 20): licence_* from
    regulated_quality.py, copyright from works_quality.py (with its keyword baseline)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import regulated_quality
    import works_quality

    print("\n== licence kinds (benchmarks/regulated_quality.py) ==")
    regulated_quality.main(["--show", str(show)])
    print("\n== copyright (benchmarks/works_quality.py) ==")
    works_quality.main(["--show", str(show)])


if __name__ == "__main__":
    raise SystemExit(main())
