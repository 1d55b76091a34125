"""Upkeep of an evidence store: finish or clean up captures a killed process left half-written, and retention.

`recover` runs before a backfill (and is safe beside running crawls: a capture counts as interrupted only when its
process on this host is gone, or it began a day ago). `remove` is what retention calls instead of deleting files
itself, so the ledger says what was removed and why, and the leads of a listing left without a capture still have
a recorded (final) reason.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable

from evidence.custody import DELETED, custody_of, sync
from evidence.ledger import ABANDONED, REMOVED, WRITTEN
from evidence.store import Capture, EvidenceStore, sha256_of, unlink_file

STALE_TEMP_S = 3600  # a temporary file this old belongs to a write that will never finish


def recover(store: EvidenceStore) -> tuple[int, int]:
    """Captures whose process died while writing them: complete those whose manifest was written whole, clean up
    the rest (their files that no other capture names). Also removes stale temporary files.
    Returns (captures completed, captures cleaned up)."""
    completed = cleaned = 0
    named_on_disk: set[str] | None = None
    for row in store.ledger.interrupted():
        path = store.manifest_path(row.capture_id)
        if path.exists():
            manifest = path.read_bytes()
            if sha256_of(manifest) != row.manifest_sha256:
                continue  # not what was begun: left for verify to report, never deleted
            capture = Capture.from_dict(json.loads(manifest))
            if row.capture_id not in {c.capture_id for c in store.captures_for(row.platform, row.listing_id)}:
                store.index(capture)
            store.ledger.end(row.capture_id, WRITTEN, note="completed by recovery")
            completed += 1
            continue
        if named_on_disk is None:
            named_on_disk = {f.sha256 for c in store.readable_captures() for f in c.files}
        store.ledger.release_files(row.capture_id, _deleter(store, named_on_disk))
        store.ledger.end(row.capture_id, ABANDONED, note="interrupted: its process stopped while writing")
        cleaned += 1
    cutoff = time.time() - STALE_TEMP_S
    for folder in (store.root / "objects", store.root / "captures"):
        for tmp in folder.rglob(".tmp-*") if folder.exists() else ():
            if tmp.stat().st_mtime < cutoff:
                tmp.unlink(missing_ok=True)
    return completed, cleaned


def _deleter(store: EvidenceStore, keep: set[str]) -> Callable[[str], bool]:
    """Deletes a file unless a manifest on disk names it (an older store's manifests are not in the ledger)."""
    return lambda sha: sha not in keep and unlink_file(store.path_of(sha))


def remove(store: EvidenceStore, captures: Iterable[Capture], reason: str) -> tuple[int, int]:
    """Remove these captures (custody log: `deleted`, written first; ledger: `removed`, with `reason`), then every
    file no remaining capture names.
    A listing left without a capture gets `reason` as its final no-capture reason.
    Returns (captures removed, files removed)."""
    doomed = list(captures)
    custody = custody_of(store)
    try:
        sync(store, custody)  # the captures' own `captured` events come before their `deleted` ones
        custody.append_many(DELETED, [(c.capture_id, {"reason": reason, "platform": c.platform,
                                                      "listing_id": c.listing_id, "captured_at": c.captured_at,
                                                      "sha256": sorted(f.sha256 for f in c.files)})
                                      for c in doomed])  # fmt: skip
    finally:
        custody.close()
    for capture in doomed:
        store.manifest_path(capture.capture_id).unlink(missing_ok=True)
        if store.ledger.get(capture.capture_id) is not None:
            store.ledger.end(capture.capture_id, REMOVED, note=reason)
    for platform, listing_id in sorted({(c.platform, c.listing_id) for c in doomed}):
        if not store.has_capture(platform, listing_id):
            store.no_capture(platform, listing_id, (), reason, final=True)
    named = {f.sha256 for c in store.readable_captures() for f in c.files} | store.ledger.named_files()
    files = 0
    objects = store.root / "objects"
    for path in objects.rglob("*") if objects.exists() else ():
        if path.is_file() and not path.name.startswith(".tmp-") and path.name not in named:
            path.unlink()
            files += 1
    return len(doomed), files


def seal_unrecorded(store: EvidenceStore) -> tuple[int, list[str]]:
    """Record in the ledger (sealed) each manifest it does not have (written before the ledger existed), and seal
    rows written without the evidence key; only manifests whose files are all there with their hashes.
    Returns (manifests sealed, one line per manifest refused)."""
    sealed, refused = 0, []
    captures_dir = store.root / "captures"
    for path in sorted(captures_dir.glob("*.json")) if captures_dir.is_dir() else ():
        row = store.ledger.get(path.stem)
        if row is not None and (row.seal or not store.ledger.keyed):
            continue
        data = path.read_bytes()
        try:
            capture = Capture.from_dict(json.loads(data))
        except (ValueError, KeyError, TypeError):
            refused.append(f"captures/{path.name}: unreadable manifest, not sealed")
            continue
        bad = [f.sha256 for f in capture.files if not _intact(store, f.sha256)]
        if capture.capture_id != path.stem or bad:
            refused.append(f"captures/{path.name}: names {'another capture' if not bad else 'a missing or altered file'}"
                           f"{' ' + bad[0] if bad else ''}: not sealed")  # fmt: skip
            continue
        if row is None:
            store.ledger.begin(capture.capture_id, capture.platform, capture.listing_id, "sealed", sha256_of(data),
                               [f.sha256 for f in capture.files])  # fmt: skip
            store.ledger.end(capture.capture_id, WRITTEN, note="sealed by netsword evidence seal")
        elif row.manifest_sha256 != sha256_of(data):
            refused.append(f"captures/{path.name}: changed since it was written: not sealed")
            continue
        else:
            store.ledger.reseal(capture.capture_id)
        if capture.capture_id not in {c.capture_id for c in store.captures_for(capture.platform, capture.listing_id)}:
            store.index(capture)
        sealed += 1
    return sealed, refused


def _intact(store: EvidenceStore, sha256: str) -> bool:
    path = store.path_of(sha256)
    return path.is_file() and sha256_of(path.read_bytes()) == sha256
