"""Where a command writes its result: `--out FILE`, or standard output for no `--out` or `--out -` (as Unix tools do)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

STDOUT = "-"


def to_stdout(path: str | None) -> bool:
    """True when `--out` names standard output: absent, empty or `-`."""
    return not path or path == STDOUT


@contextmanager
def output(path: str | None, *, newline: str | None = None) -> Iterator[TextIO]:
    """The file `path` opened for writing (UTF-8), or standard output for `-` or nothing; only a file is closed."""
    if to_stdout(path):
        yield sys.stdout
        sys.stdout.flush()
        return
    assert path is not None
    with open(path, "w", encoding="utf-8", newline=newline) as fh:
        yield fh
