"""Matching speed: synthetic listings against 10,000 and 100,000 synthetic marks on one core, next to a naive baseline.

Reports listings per second by CPU time (`time.process_time`, immune to other processes' load) and by wall time,
index build time and index memory (resident-set growth while building), and the naive baseline measured in the same
run: rapidfuzz `partial_ratio` of each listing against every mark form, on a sample. The speed-up is CPU against CPU.
Usage: `python benchmarks/match_speed.py [--quick] [--listings N] [--marks 10000,100000]`.
`--end-to-end` instead runs `netsword match` as a child process on a JSON watchlist of 100,000 marks and 50,000
listings (JSON lines), start-up included, twice: cold (no index cache) and warm (the cache the first run wrote);
rates are listings per second of the child's CPU time (and wall time), with the watchlist's load + compile alone,
the CLI's start-up (import + build_parser) alone and read_listings over the listings file alone.
`--end-to-end --against REV` first runs the same with the code of git revision REV: the baseline, same inputs.
`--repeat N` (with --end-to-end) runs each tree N times, the trees taking turns, and prints each run and the median
of each figure: CPU time on a shared machine still varies by a tenth or more from run to run.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matchers import compile_index  # noqa: E402
from netsword.models import Listing  # noqa: E402
from watchlists.model import Msrp, Trademark, Watchlist  # noqa: E402

SYLLABLES = "ka ro mi ten zu vel dra qui lon bar sen tor ix nor pha gle mar cor sta vin bri lux zen dor fal".split()
HANZI = "泰欧莱斯迪凯瑞诺丽雅恒达宝华康悦格朗帝轩美乐思源尚品佳盛卓越星辰锦绣澜汇聚仁和福顺兴旺"
FILLER_ZH = "新款 正品 包邮 热卖 男女 同城 特价 现货 大码 时尚 百搭 经典 限量 秒杀 清仓 简约 休闲 家用 便携".split()
FILLER_EN = "new hot sale free shipping men women classic limited edition fashion casual genuine quality".split()
GOODS = "运动鞋 手提包 手表 手机 耳机 口红 香水 卫衣 积木 轮胎 茶叶 大米 shoes bag watch phone hoodie perfume".split()
SAMPLE_BASELINE = 30


def synthetic_marks(n: int, rng: random.Random) -> Watchlist:
    marks, seen = [], set()
    while len(marks) < n:
        latin = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        hanzi = "".join(rng.choice(HANZI) for _ in range(rng.randint(3, 4)))
        if latin in seen:
            continue
        seen.add(latin)
        marks.append(Trademark(id=f"tm-{len(marks)}", mark=latin.upper(), variants=(hanzi,), classes=(rng.choice([9, 14, 18, 25, 3]),),
                               msrp=Msrp(rng.choice([199, 999, 4999])), authorized_sellers=(f"{latin}官方旗舰店",)))  # fmt: skip
    return Watchlist(trademarks=tuple(marks))


def synthetic_listings(n: int, watchlist: Watchlist, rng: random.Random) -> list[Listing]:
    listings = []
    marks = watchlist.trademarks
    for i in range(n):
        words = rng.sample(FILLER_ZH, 4) + rng.sample(FILLER_EN, 2) + [rng.choice(GOODS)]
        if rng.random() < 0.2:  # a fifth name a mark, some of them disguised
            tm = rng.choice(marks)
            form = rng.choice(tm.forms)
            if rng.random() < 0.3 and form.isascii():
                form = " ".join(form)
            words.insert(rng.randint(0, len(words)), form)
        title = " ".join(words)
        listings.append(Listing(id=str(i), platform="bench", url=f"https://b/{i}", title=title,
                                price=float(rng.choice([29, 199, 999])), currency="CNY"))  # fmt: skip
    return listings


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def naive_rate(listings: list[Listing], watchlist: Watchlist) -> tuple[float, float]:
    """(CPU, wall) listings per second of rapidfuzz partial_ratio against every form of every mark (the baseline)."""
    forms = [f.lower() for tm in watchlist.trademarks for f in tm.forms]
    sample = listings[:SAMPLE_BASELINE]
    start, cpu = time.perf_counter(), time.process_time()
    for listing in sample:
        process.extract(listing.title.lower(), forms, scorer=fuzz.partial_ratio, score_cutoff=90, limit=None)
    return len(sample) / (time.process_time() - cpu), len(sample) / (time.perf_counter() - start)


def run(n_listings: int, n_marks: int, rng: random.Random) -> dict[str, float]:
    watchlist = synthetic_marks(n_marks, rng)
    listings = synthetic_listings(n_listings, watchlist, rng)
    gc.collect()
    before = rss_mib()
    start = time.perf_counter()
    index = compile_index(watchlist)
    build = time.perf_counter() - start
    memory = rss_mib() - before
    index.match(listings[0])  # warm the lazily built tables
    start, cpu = time.perf_counter(), time.process_time()
    hits = sum(len(index.match(listing)) for listing in listings)
    rate_cpu, rate_wall = n_listings / (time.process_time() - cpu), n_listings / (time.perf_counter() - start)
    baseline_cpu, baseline_wall = naive_rate(listings, watchlist)
    return {"marks": n_marks, "listings": n_listings, "build_s": build, "memory_mib": memory, "rate": rate_cpu,
            "rate_wall": rate_wall, "baseline_rate": baseline_cpu, "baseline_wall": baseline_wall,
            "speedup": rate_cpu / baseline_cpu, "hits": hits}  # fmt: skip


def _write_inputs(directory: Path, n_marks: int, n_listings: int) -> tuple[Path, Path, Path]:
    """A JSON watchlist (one entry a line), listings as JSON lines and a netsword.toml with its own var dir."""
    rng = random.Random(n_marks)
    watchlist = synthetic_marks(n_marks, rng)
    entries = [{"id": t.id, "mark": t.mark, "variants": list(t.variants), "classes": list(t.classes),
                "msrp": {"min": t.msrp.min if t.msrp else 199, "currency": "CNY"},
                "authorized_sellers": list(t.authorized_sellers)} for t in watchlist.trademarks]  # fmt: skip
    marks = directory / "marks.json"
    marks.write_text('{"version": 1, "trademarks": [\n' + ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
                     + "\n]}\n", encoding="utf-8")  # fmt: skip
    listings = directory / "listings.jsonl"
    with listings.open("w", encoding="utf-8") as fh:
        for listing in synthetic_listings(n_listings, watchlist, rng):
            fh.write(json.dumps({"id": listing.id, "platform": listing.platform, "url": listing.url,
                                 "title": listing.title, "price": listing.price}, ensure_ascii=False) + "\n")  # fmt: skip
    toml = directory / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{directory / "var"}"\n[store]\nurl = "sqlite:///{directory / "leads.db"}"\n')
    return marks, listings, toml


def _child(command: list[str]) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, time.perf_counter() - start


def end_to_end(n_marks: int, n_listings: int, against: str | None = None, repeat: int = 1) -> None:
    """`netsword match` as a child process, cold and warm; with `against`, the code of that git revision first (the
    baseline), on the same inputs, in the same run; `repeat` times, the trees taking turns, then the medians."""
    with tempfile.TemporaryDirectory() as tmp:
        marks, listings, toml = _write_inputs(Path(tmp), n_marks, n_listings)
        print(f"{n_marks} marks (JSON, {marks.stat().st_size / 1e6:.0f} MB), {n_listings} listings, netsword match "
              "end to end, start-up included")  # fmt: skip
        trees = [(f"baseline {against}", _checkout(against, Path(tmp) / "baseline"))] if against else []
        trees.append(("this tree", str(Path(__file__).resolve().parents[1])))
        runs: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
        for n in range(repeat):
            for name, code in trees:
                print(f" {name}" + (f" (run {n + 1} of {repeat})" if repeat > 1 else ""))
                runs[name].append(_end_to_end_once(code, Path(tmp), marks, listings, toml, n_listings))
        if repeat > 1:
            print(f"medians of {repeat} runs (CPU seconds of the child; listings/s by CPU)")
            for name, figures in runs.items():
                median = {k: statistics.median(r[k] for r in figures) for k in figures[0]}
                print(f" {name}: load + compile cold {median['cold_load']:.1f} s, warm {median['warm_load']:.1f} s; "
                      f"netsword match cold {n_listings / median['cold_match']:,.0f}/s, "
                      f"warm {n_listings / median['warm_match']:,.0f}/s; CLI start-up {median['startup']:.2f} s, "
                      f"read_listings {median['read']:.2f} s")  # fmt: skip


def _checkout(rev: str, where: Path) -> str:
    """The tree of git revision `rev` unpacked under `where` (code only: the run's inputs are shared)."""
    root = Path(__file__).resolve().parents[1]
    where.mkdir()
    archive = subprocess.run(["git", "-C", str(root), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive, check=True)
    return str(where)


def _end_to_end_once(code: str, tmp: Path, marks: Path, listings: Path, toml: Path, n_listings: int,
                     ) -> dict[str, float]:  # fmt: skip
    """One cold and one warm run of one tree: CPU seconds of load + compile and of `netsword match`, each; before
    them, the CLI's start-up (import + build_parser) and read_listings over the listings file, each alone."""
    prefix = f"import sys; sys.path.insert(0, {code!r}); "
    load = [sys.executable, "-c", prefix + "from netsword.config import load_config; from matchers.configured "
            "import build_index; from pathlib import Path; build_index(load_config(Path(sys.argv[1])), [sys.argv[2]])"]  # fmt: skip
    match = [sys.executable, "-c", prefix + "from netsword.cli import main; raise SystemExit(main(sys.argv[1:]))",
             "--config", str(toml), "match", "--watchlist", str(marks), "--listings", str(listings),
             "--out", str(tmp / "leads.jsonl")]  # fmt: skip
    startup = [sys.executable, "-c", prefix + "from netsword.cli import build_parser; build_parser()"]
    read = [sys.executable, "-c", prefix + "import time; from leads.listings_io import read_listings; "
            "t = time.process_time(); sum(1 for _ in read_listings(sys.argv[1])); print(time.process_time() - t)",
            str(listings)]  # fmt: skip
    figures: dict[str, float] = {}
    figures["startup"], wall = _child(startup)
    print(f"  CLI start-up (interpreter, import netsword.cli, build_parser): {figures['startup']:.2f} s CPU "
          f"({wall:.2f} s wall)")  # fmt: skip
    figures["read"] = float(subprocess.run(read, check=True, capture_output=True, text=True).stdout)
    print(f"  read_listings over the {n_listings:,} lines alone: {figures['read']:.2f} s CPU")
    for cache in (tmp / "var" / "cache").glob("*.pickle"):
        cache.unlink()
    for label in ("cold", "warm"):
        if label == "cold":
            cpu, wall = _child([*load, str(toml), str(marks)])
            figures["cold_load"] = cpu
            print(f"  load + compile, cold: {cpu:.1f} s CPU ({wall:.1f} s wall), cache written")
            cpu, wall = _child([*load, str(toml), str(marks)])
            figures["warm_load"] = cpu
            print(f"  load + compile, warm: {cpu:.1f} s CPU ({wall:.1f} s wall), from the cache")
            for cache in (tmp / "var" / "cache").glob("*.pickle"):
                cache.unlink()
        cpu, wall = _child(match)
        figures[f"{label}_match"] = cpu
        print(f"  {label}: {n_listings / cpu:,.0f} listings/s by CPU ({cpu:.1f} s), {n_listings / wall:,.0f}/s wall")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 listings against 1,000 and 10,000 marks")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--marks", default="10000,100000")
    parser.add_argument("--end-to-end", action="store_true", help="netsword match on 100,000 marks, 50,000 listings")
    parser.add_argument("--against", metavar="REV", help="with --end-to-end: also run git revision REV (baseline)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="with --end-to-end: run each tree N times, taking turns, and print the medians")  # fmt: skip
    args = parser.parse_args(argv)
    if args.end_to_end:
        end_to_end(
            int(args.marks.split(",")[-1]),
            args.listings if args.listings != 100_000 else 50_000,
            args.against,
            max(1, args.repeat),
        )
        return 0
    n_listings = 2_000 if args.quick else args.listings
    mark_counts = [1_000, 10_000] if args.quick else [int(m) for m in args.marks.split(",")]
    print(f"{'marks':>8} {'listings':>9} {'build s':>8} {'index MiB':>9} {'listings/s cpu':>14} {'(wall)':>8} "
          f"{'naive/s cpu':>11} {'(wall)':>7} {'speed-up':>8}")  # fmt: skip
    for n_marks in mark_counts:
        r = run(n_listings, n_marks, random.Random(n_marks))
        print(f"{r['marks']:>8} {r['listings']:>9} {r['build_s']:>8.1f} {r['memory_mib']:>9.0f} {r['rate']:>14.0f} "
              f"{r['rate_wall']:>8.0f} {r['baseline_rate']:>11.1f} {r['baseline_wall']:>7.1f} {r['speedup']:>7.0f}×  "
              f"({r['hits']} hits)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
