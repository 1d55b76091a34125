"""`netsword` start-up time: what a command that never matches pays before it does anything, same run.

    python benchmarks/startup.py [--runs N] [--tree DIR]

Runs each command N times (default 5) in a fresh `python` (as the `netsword` script does: `netsword.cli.run()`),
with an empty var/ of its own, and prints the median wall time and the median CPU time (user + system of the
child, from getrusage, so other processes' load on the machine counts less). Compiled bytecode is cached as an
installed package has it (PYTHONPYCACHEPREFIX in a temporary directory, one unmeasured run first, even when
PYTHONDONTWRITEBYTECODE is set); `--cold` compiles every module on every run instead. Reference lines measured in the same
run: `python -c pass` (the interpreter alone), `import scrapy` (what every crawl pays anyway) and
`import matchers.index` (the match index's imports: rjieba, marisa-trie, the mark tables — what each command paid
before they were loaded on first use). `--tree DIR` runs the commands from another checkout as well (e.g. an older
commit extracted with `git archive REV | tar -x -C DIR`), for a before/after in one run.
Each command line also says whether it loaded `matchers.index`, `rjieba`, `pypinyin` or `scrapy` (it should not).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# argv after `netsword`; read-only commands on an empty var/
COMMANDS = (
    ("--help",),
    ("leads", "list", "--help"),
    ("leads", "list"),
    ("evidence", "verify"),
    ("scorer", "adjustments"),
    ("schedule", "status"),
    ("schedule", "list", "--jobs", str(REPO / "scheduler" / "samples" / "jobs.yaml")),
    ("cases", "list"),
)
REFERENCES = (
    ("python -c pass", "pass"),
    ("import scrapy", "import scrapy"),
    ("import matchers.index", "import matchers.index"),
)
# the child runs the command as the console script does, then says whether the heavy modules were loaded
CHILD = """
import sys
try:
    from netsword.cli import run
    run()
finally:
    heavy = [m for m in ("matchers.index", "rjieba", "pypinyin", "scrapy") if m in sys.modules]
    sys.stderr.write("\\nHEAVY:" + ",".join(heavy) + "\\n")
"""


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stderr) of one child run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stderr


Run = tuple[list[str], dict[str, str], Path]  # argv, environment, working directory


def measure(variants: list[Run], runs: int) -> list[tuple[float, float, str]]:
    """Median (wall, CPU) of each variant, and what its last run loaded; the variants take turns run by run, so a
    change in the machine's load falls on all of them alike."""
    for argv, env, cwd in variants:
        timed(argv, env, cwd)  # unmeasured: fills the bytecode cache (when there is one)
    results: list[list[tuple[float, float, str]]] = [[] for _ in variants]
    for _ in range(runs):
        for i, (argv, env, cwd) in enumerate(variants):
            results[i].append(timed(argv, env, cwd))
    return [(statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
             rs[-1][2].rpartition("HEAVY:")[2].strip()) for rs in results]  # fmt: skip


def cell(wall: float, cpu: float) -> str:
    return f"{wall * 1000:6.0f} ms wall {cpu * 1000:6.0f} ms CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command; the median is printed (default 5)")
    parser.add_argument("--tree", type=Path, help="also run the commands from this checkout (a baseline)")
    parser.add_argument("--cold", action="store_true", help="no bytecode cache: every module compiled every run")
    args = parser.parse_args()
    trees = [REPO] + ([args.tree.resolve()] if args.tree else [])
    with tempfile.TemporaryDirectory() as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env["NETSWORD_PATHS_VAR_DIR"] = str(Path(work) / "var")
        if args.cold:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = str(Path(work) / "pycache")  # not in the trees: they stay as they are
        cache = "no bytecode cache" if args.cold else "bytecode cached"
        print(f"median of {args.runs} runs ({cache}), {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        ref_env = {**env, "PYTHONPATH": str(REPO)}
        refs = measure([([sys.executable, "-c", code], ref_env, REPO) for _, code in REFERENCES], args.runs)
        for (label, _), (wall, cpu, _) in zip(REFERENCES, refs, strict=True):
            print(f"{'reference: ' + label:44s} {cell(wall, cpu)}")
        for i, tree in enumerate(trees):
            print(f"{'this tree' if i == 0 else '--tree'}: {tree}")
        print(f"{'command':44s} {'this tree':31s}" + (f" {'--tree':31s}" if args.tree else ""))
        for command in COMMANDS:
            variants = [([sys.executable, "-c", CHILD, *command], {**env, "PYTHONPATH": str(tree)}, Path(work))
                        for tree in trees]  # fmt: skip
            cells = [cell(wall, cpu) + (f" (loads {heavy})" if heavy else "") for wall, cpu, heavy in measure(
                variants, args.runs)]  # fmt: skip
            shown = " ".join(Path(a).name if a.startswith("/") else a for a in command)
            print(f"{'netsword ' + shown:44s} " + "  ".join(cells), flush=True)


if __name__ == "__main__":
    main()
