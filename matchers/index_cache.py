"""The compiled trademark index kept on disk (`matching.index_cache`, under <var_dir>/cache), so a 100,000-mark
watchlist is ready in about a second instead of being read and compiled again.

The key is a SHA-256 of the watchlist files' bytes, the settings the trademark index depends on, and the matchers'
and watchlists' own code and word lists: any change to one of them is a miss, and a miss builds and stores anew.
The cache is the process's own output in its private var/ directory (0700, files 0600); a file that cannot be read
as a cache is ignored and replaced.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from matchers.mark_index import MarkIndex
from watchlists.model import Watchlist

FORMAT = 3  # bump when the pickled shape changes in a way the code fingerprint would not show
KEEP = 3  # newest cache files kept; older ones are removed when a new one is written
_PACKAGES = ("matchers", "watchlists")


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """A hash of every source and data file of the packages that shape the index."""
    digest = hashlib.sha256()
    root = Path(__file__).resolve().parents[1]
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".tsv", ".txt", ".csv"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_key(paths: Iterable[str | Path], min_typo_length: int, short_latin_max: int) -> str:
    digest = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}|{min_typo_length}|{short_latin_max}|".encode())
    digest.update(_code_fingerprint().encode())
    for path in paths:
        digest.update(str(Path(path).resolve()).encode())
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()[:32]


def load(cache_dir: Path, key: str) -> tuple[Watchlist, MarkIndex] | None:
    """The cached (watchlist, trademark index) of `key`, or None."""
    path = cache_dir / f"match-index-{key}.pickle"
    if not path.is_file():
        return None
    gc.collect()  # garbage that exists now would be frozen below and never collected
    was = gc.isenabled()
    gc.disable()  # millions of objects, no cycles
    try:
        with path.open("rb") as fh:
            watchlist, marks = pickle.load(fh)  # noqa: S301 - our own file in the private var directory
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is only a miss
        return None
    finally:
        gc.freeze()  # the index lives as long as the process: later collections need not walk its objects again
        if was:
            gc.enable()
    if not isinstance(watchlist, Watchlist) or not isinstance(marks, MarkIndex):
        return None
    return watchlist, marks


def store(cache_dir: Path, key: str, watchlist: Watchlist, marks: MarkIndex) -> None:
    """Write atomically (a reader never sees half a file), then keep only the newest KEEP caches."""
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".match-index-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump((watchlist, marks), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache_dir / f"match-index-{key}.pickle")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    caches = sorted(cache_dir.glob("match-index-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in caches[KEEP:]:
        old.unlink(missing_ok=True)
