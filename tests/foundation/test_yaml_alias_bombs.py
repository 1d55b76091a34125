"""A few hundred bytes of YAML aliases ("billion laughs") are refused with `file:line` in every kind of YAML file.

Each load runs in a child process with a 2 GiB address-space limit and a time limit: without the bound the child
runs out of memory or time and the test fails, instead of taking the test machine down with it.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LEVELS = "\n".join(
    f"  {name}: &{name} [{', '.join([f'*{prev}'] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)
BOMB = '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + LEVELS  # 9⁹ values

FILES = {
    "watchlist": (
        f"version: 1\nbomb:\n{BOMB}\ntrademarks: []\n",
        "from watchlists import load_watchlists\nload_watchlists([PATH])",
    ),
    "jobs": (
        f"version: 1\nbomb:\n{BOMB}\njobs: []\n",
        "from scheduler.jobs_loader import load_jobs\nload_jobs(PATH)",
    ),
    "rules": (
        f"bomb:\n{BOMB}\nrules: []\n",
        "from alerts.rules import load_rules\nload_rules(PATH)",
    ),
    "profile": (
        f"version: 1\nplatform: bomb\nkeywords:\n{BOMB}\n",
        "from crawler.profile_loader import load_profile\nload_profile(PATH)",
    ),
}


def _limit_memory() -> None:
    limit = 2 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _load_in_child(tmp_path: Path, kind: str) -> str:
    text, call = FILES[kind]
    path = tmp_path / f"{kind}.yaml"
    path.write_text(text, encoding="utf-8")
    code = (
        f"import sys\nPATH = {str(path)!r}\ntry:\n{textwrap.indent(call, '    ')}\n"
        "except ValueError as exc:\n    print(exc)\n    sys.exit(0)\n"
        "print('loaded without an error')\nsys.exit(3)\n"
    )
    proc = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
        preexec_fn=_limit_memory, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stdout[-500:]} {proc.stderr[-1500:]}"
    return proc.stdout


@pytest.mark.parametrize("kind", sorted(FILES))
def test_alias_bomb_is_refused_with_file_and_line(tmp_path: Path, kind: str) -> None:
    out = _load_in_child(tmp_path, kind)
    anchor_line = FILES[kind][0].splitlines().index(BOMB.splitlines()[0]) + 1  # where the expanded value is written
    assert f"{kind}.yaml:{anchor_line}: " in out and "aliases expand to more than" in out, out


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("a: &x [1, *x]\n", 1, "an alias refers to a value that contains it"),
        ("a: 1\nb: " + "[" * 5000 + "]" * 5000 + "\n", 2, "nested more than 64 levels deep"),
        ("? [1, 2]\n: x\n", 1, "a key must be text"),
        ("a: 1\nb: \x01\n", 2, "not valid YAML: character U\\+0001 is not allowed"),
    ],
)
def test_other_hostile_shapes_are_one_line_errors(text: str, line: int, message: str) -> None:
    from watchlists.yaml_lines import YamlShapeError, load_with_lines

    with pytest.raises(YamlShapeError, match=message) as caught:
        load_with_lines(text)
    assert caught.value.line == line


def test_ordinary_aliases_still_work() -> None:
    from watchlists.yaml_lines import load_with_lines

    data, lines = load_with_lines("shared: &kw [耐克, nike]\na: {keywords: *kw}\nb: {keywords: *kw}\n")
    assert data["a"]["keywords"] == data["b"]["keywords"] == ["耐克", "nike"]
    assert lines[("b", "keywords")] == 3
