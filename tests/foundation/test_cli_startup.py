"""Commands that never match do not load the match index: `import netsword.cli`, building the whole parser
(`netsword --help`) and read-only commands leave matchers.index, rjieba, marisa-trie (and pypinyin) unimported
(they cost 0.3–0.7 s of CPU per command; figures: benchmarks/startup.py). Each check runs in a fresh interpreter, so what
this test process has imported does not count. The names matchers exports load on first use, as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("matchers.index", "rjieba", "marisa_trie", "pypinyin")

# run `netsword ARGV…` in-process as the console script does, then print which heavy modules are loaded
CHILD = """
import contextlib, io, json, sys
heavy = sys.argv[1].split(",")
code = None
with contextlib.redirect_stdout(io.StringIO()):
    from netsword.cli import main
    try:
        code = main(sys.argv[2:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "loaded": [m for m in heavy if m in sys.modules]}))
"""


def loaded_by(argv: list[str], cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(cwd / "var"), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", CHILD, ",".join(HEAVY), *argv], cwd=cwd, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_help_and_read_only_commands_do_not_load_the_match_index(tmp_path: Path) -> None:
    commands = (["--help"], ["leads", "list", "--help"], ["leads", "list"], ["scorer", "adjustments"],
                ["schedule", "status"], ["cases", "list"])  # fmt: skip
    for argv in commands:
        result = loaded_by(argv, tmp_path)
        assert result["code"] == 0, (argv, result)
        assert result["loaded"] == [], f"netsword {' '.join(argv)} imported {result['loaded']}"


def test_matching_commands_still_load_it(tmp_path: Path) -> None:
    # the guard above sees the modules when they are loaded: a command that matches does load them
    listings = tmp_path / "listings.jsonl"
    listings.write_text("", encoding="utf-8")
    watchlist = REPO / "watchlists" / "samples" / "trademarks.yaml"
    result = loaded_by(["match", "--watchlist", str(watchlist), "--listings", str(listings)], tmp_path)
    assert result["code"] == 0 and "matchers.index" in result["loaded"], result


def test_matchers_names_load_on_first_use(tmp_path: Path) -> None:
    code = """
import sys
import matchers, matchers.adjustments, matchers.learned, matchers.errors
assert "matchers.index" not in sys.modules, "importing matchers loaded the index"
from matchers import MatchIndex, MatchSettings, compile_index
import matchers.index, matchers.settings
assert MatchIndex is matchers.index.MatchIndex and compile_index is matchers.index.compile_index
assert MatchSettings is matchers.settings.MatchSettings
assert {"MatchIndex", "MatchSettings", "compile_index"} <= set(dir(matchers))
try:
    matchers.no_such_name
except AttributeError as exc:
    assert "no_such_name" in str(exc)
else:
    raise AssertionError("matchers.no_such_name did not raise AttributeError")
# the errors the command line catches are the very classes the modules raise
from matchers.regulated import RegisterError, RulesError
assert matchers.adjustments.AdjustmentError is matchers.errors.AdjustmentError
assert matchers.learned.LearnedScorerError is matchers.errors.LearnedScorerError
assert RegisterError is matchers.errors.RegisterError and RulesError is matchers.errors.RulesError
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)},  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert proc.stdout.strip() == "ok", proc.stderr[-3000:]


def test_register_regimes_are_checked_when_used(tmp_path: Path) -> None:
    # the regime choices are read when argparse needs them, not when the parser is built: still checked and shown
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env["NETSWORD_PATHS_VAR_DIR"] = str(tmp_path / "var")
    netsword = str(Path(sys.executable).parent / "netsword")
    bad = subprocess.run([netsword, "registers", "remove", "nope"], cwd=tmp_path, env=env,  # noqa: S603
                         capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert bad.returncode == 2 and "invalid choice: 'nope'" in bad.stderr and "'pesticide'" in bad.stderr
    shown = subprocess.run([netsword, "registers", "import", "--help"], cwd=tmp_path, env=env,  # noqa: S603
                           capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    assert shown.returncode == 0 and "pesticide" in shown.stdout and "veterinary_drug" in shown.stdout
