"""Fetch ReplayWeb.page (the standard WACZ replay tool) for the evidence replay test; `make test` runs this first.

    python tools/fetch_replaywebpage.py

The published `replaywebpage` npm package, pinned by version and integrity (sha512), is fetched once with `npm pack`
into ~/.cache/netsword/replaywebpage-<version>/ and unpacked there; an existing copy is kept. The tests then serve it
from 127.0.0.1 and never reach the network themselves. Without npm it says so in one line and exits 0: the replay
test then skips, naming this script.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "2.4.6"
INTEGRITY = "sha512-uG50jESRld0p+fY7+nUxIWl7hvfimreNjSmaNkc/a9a8gBdmb7PH4J42Iib+vgk9KrHd0HLScVT++LgqV5fwpQ=="
HOME = Path.home() / ".cache" / "netsword" / f"replaywebpage-{VERSION}"
APP = HOME / "package"


def installed() -> bool:
    return (APP / "sw.js").exists()


def fetch() -> str:
    """Fetch and unpack the pinned package; what happened, in one line."""
    if installed():
        return f"ReplayWeb.page {VERSION}: already in {APP}"
    npm = shutil.which("npm")
    if npm is None:
        return f"ReplayWeb.page {VERSION}: npm is not installed (apt-get install npm); the WACZ replay test will skip"
    HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "pack", f"replaywebpage@{VERSION}", "--pack-destination", str(HOME)], check=True,
                   capture_output=True, timeout=600)  # fmt: skip  # noqa: S603
    tgz = HOME / f"replaywebpage-{VERSION}.tgz"
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tgz.read_bytes()).digest()).decode()
    if digest != INTEGRITY:
        tgz.unlink()
        raise SystemExit(f"replaywebpage {VERSION}: integrity {digest}, expected {INTEGRITY}: not unpacked")
    with tarfile.open(tgz) as archive:
        archive.extractall(HOME, filter="data")
    return f"ReplayWeb.page {VERSION}: unpacked into {APP}"


if __name__ == "__main__":
    try:
        print(fetch())
    except (OSError, subprocess.SubprocessError) as exc:  # no registry reachable: the replay test skips and says why
        print(f"ReplayWeb.page {VERSION}: not fetched: {exc}", file=sys.stderr)
