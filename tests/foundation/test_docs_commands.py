"""Every `netsword …` command shown in a code block of the README or docs/ is one the CLI accepts as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from netsword.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
_FENCE = re.compile(r"```(\w*)\n(.*?)```", re.S)
_SHELL = ("", "sh", "bash", "console", "shell")


def _commands() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for language, block in _FENCE.findall(page.read_text(encoding="utf-8")):
            if language not in _SHELL:
                continue
            for line in block.splitlines():
                line = line.split(" #", 1)[0].strip()
                match = re.search(r"(?:^|\s|/)netsword\s+(.*)$", line)
                if match and not line.startswith(("#", "python")) and "|" not in match.group(1):
                    found.append((f"{page.relative_to(REPO)}: {line}", match.group(1)))
    return found


COMMANDS = _commands()


def test_docs_show_commands() -> None:
    assert len(COMMANDS) > 20


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_command_parses(where: str, args: str) -> None:
    synopsis = re.sub(r"\[[^\]]*\]", "", args).replace("…", "")  # optional parts of a synopsis line
    words = [w for w in shlex.split(synopsis) if not w.startswith("$")]
    parser = build_parser()
    try:
        parser.parse_args(words)
    except SystemExit as exc:
        pytest.fail(f"{where}: the CLI rejects it (exit {exc.code})")
