"""The one way NetSword writes a package ZIP (case referral package, takedown notices, triage referral): every file
under one top folder, a `SHA256SUMS` beside them (`sha256sum -c` reads it), entries in name order with a fixed time
and DEFLATE, so the same files always give the same bytes and the package's SHA-256 can be recorded and checked."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping

ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed entry time: the same inputs always give the same bytes
SUMS = "SHA256SUMS"


def sha256sums(files: Mapping[str, bytes]) -> bytes:
    """`<sha256>  <name>` lines, one per file, in name order (the format of coreutils' sha256sum)."""
    return "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(files.items())).encode()


def checksummed_zip(root: str, files: Mapping[str, bytes], *, unlisted: Mapping[str, bytes] | None = None) -> bytes:
    """A deterministic ZIP of `files` and their SHA256SUMS, each entry as `<root>/<name>`.

    `unlisted` files go into the ZIP without a line in SHA256SUMS (the triage referral's manifest.json, which lists
    every file's SHA-256 itself)."""
    entries = {**files, **(unlisted or {})}
    if SUMS in entries:
        raise ValueError(f"{SUMS} is written by checksummed_zip, not given to it")
    entries[SUMS] = sha256sums(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(entries):
            info = zipfile.ZipInfo(f"{root}/{name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[name])
    return out.getvalue()
