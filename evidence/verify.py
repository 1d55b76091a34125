"""Checking an evidence store on its own: every file's hash, every manifest against its ledger row, stray files.

- a manifest must be in the ledger, byte for byte as written (its SHA-256), with the row's seal valid under the
  evidence key; a capture the ledger has as written must still have its manifest; one it has as abandoned or removed
  must not;
- every file a manifest names must be there with that SHA-256;
- every file under objects/ must be named by a manifest (or by a capture being written); nothing else may lie in
  the store but `objects/`, `captures/`, `by-listing/` and the ledger;
- every no-capture record must carry a valid seal;
- the chain of custody (evidence.custody) must be whole: no entry removed, edited, inserted or reordered;
- with trust roots given, every trusted timestamp (evidence.timestamps) must verify over its manifest as it is now.
Leads are checked against captures by evidence.coverage. Problems are one line each; notes are not problems.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from evidence.custody import CustodyAnchor, custody_of
from evidence.ledger import (
    ABANDONED,
    LEDGER_FILE,
    PENDING,
    REMOVED,
    WRITTEN,
    LedgerAnchor,
    LedgerCapture,
    NoCapture,
)
from evidence.store import Capture, sha256_of

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from evidence.store import EvidenceStore

_SHA = re.compile(r"^[0-9a-f]{64}$")
_KNOWN = {"objects", "captures", "by-listing", LEDGER_FILE, *(LEDGER_FILE + s for s in ("-wal", "-shm", "-journal"))}


@dataclass
class VerifyReport:
    captures: int = 0  # manifests checked
    files: int = 0  # file references checked
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sealed: bool = False  # seals were checked with the evidence key
    valid: list[Capture] = field(default_factory=list)  # captures that passed every check
    origins: dict[str, str] = field(default_factory=dict)  # capture id → origin (crawl, backfill, manual, sealed)
    reasons: dict[tuple[str, str], NoCapture] = field(default_factory=dict)  # newest sealed reason per listing
    custody_events: int = 0  # entries of the custody log checked
    tokens: int = 0  # trusted timestamps checked
    timestamped: set[str] = field(default_factory=set)  # capture ids with a valid trusted timestamp

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_store(store: EvidenceStore, *, need_key: bool = False, roots: tuple[Certificate, ...] | None = None,
                 anchors: tuple[str, ...] = ()) -> VerifyReport:  # fmt: skip
    """Check the store; `need_key`: sealed rows with no key to check them are a problem (else a note); `roots`: the
    trust roots to check trusted timestamps against (None: not checked); `anchors`: lines of `netsword evidence
    anchor` taken earlier (ValueError when one is neither a ledger nor a custody anchor)."""
    report = VerifyReport(sealed=store.ledger.keyed)
    rows = {row.capture_id: row for row in store.ledger.captures()}
    _check_key(store, rows, report, need_key=need_key)
    named: set[str] = set()
    seen: set[str] = set()
    captures_dir = store.root / "captures"
    for path in sorted(captures_dir.iterdir()) if captures_dir.is_dir() else ():
        rel = f"captures/{path.name}"
        if path.name.startswith(".tmp-"):
            report.notes.append(f"{rel}: a temporary file of an unfinished write (backfill removes it after an hour)")
            continue
        if path.suffix != ".json" or not path.is_file():
            report.problems.append(f"{rel}: not a capture manifest: no capture wrote it")
            continue
        seen.add(path.stem)
        row = rows.get(path.stem)
        check = _check_manifest(store, path, row)
        report.problems.extend(check.problems)
        report.files += check.files
        capture = check.capture
        if capture is None:
            continue
        report.captures += 1
        named.update(f.sha256 for f in capture.files)
        if not check.problems:
            report.valid.append(capture)
            if row is not None:
                report.origins[capture.capture_id] = row.origin
    for cid, row in rows.items():
        if cid in seen:
            continue
        if row.state == WRITTEN:
            report.problems.append(f"captures/{cid}.json: missing (the ledger has it as written at {row.begun_at})")
        elif row.state == PENDING:
            named.update(store.ledger.files_of(cid))
            report.notes.append(f"captures/{cid}.json: being written, or its process stopped (backfill cleans up)")
    _check_objects(store, named, report)
    _check_reasons(store, report)
    _check_custody(store, report, anchors)
    if roots is not None:
        _check_timestamps(store, roots, report)
    for entry in sorted(store.root.iterdir()) if store.root.is_dir() else ():
        if entry.name not in _KNOWN:
            report.problems.append(f"{entry.name}: not part of the evidence store (no manifest names it)")
    return report


def _check_key(store: EvidenceStore, rows: dict[str, LedgerCapture], report: VerifyReport, *, need_key: bool) -> None:
    sealed = sum(1 for row in rows.values() if row.seal)
    if store.ledger.keyed or not sealed:
        return
    message = f"{LEDGER_FILE}: {sealed} captures are sealed with the evidence key, and no key was found to check them"
    (report.problems if need_key else report.notes).append(message)


@dataclass
class CaptureCheck:
    """One capture checked the way `verify_store` checks it (the extraction record lists these problems)."""

    capture: Capture | None = None  # the manifest as read (valid or not); None: missing or unreadable
    files: int = 0  # file references checked
    problems: list[str] = field(default_factory=list)
    tokens: dict[str, str | None] = field(default_factory=dict)  # token id → its problem (None: valid)


def check_capture(store: EvidenceStore, capture_id: str, *,
                  roots: tuple[Certificate, ...] | None = None) -> CaptureCheck:  # fmt: skip
    """Every check `netsword evidence verify` makes of one capture: its manifest against its ledger row (hash and
    seal), its files, and its trusted timestamps over the manifest as it is now (signatures with `roots`; None: the
    coverage alone)."""
    from evidence.timestamps import NOT_COVERED, check_tokens

    row = store.ledger.get(capture_id) if store.ledger.exists() else None
    path = store.manifest_path(capture_id)
    if path.is_file():
        check = _check_manifest(store, path, row)
    else:
        check = CaptureCheck(problems=[f"captures/{capture_id}.json: missing"
                                       + (f" (the ledger has it as written at {row.begun_at})" if row else "")])  # fmt: skip
    tokens = check_tokens(store, roots if roots is not None else (), capture_id)
    for token_id, problem in tokens.states.items():
        if roots is None and problem and not problem.startswith((NOT_COVERED, "the manifest it covers")):
            problem = None  # no trust roots given: the signature was not checked
        check.tokens[token_id] = problem
        if problem:
            check.problems.append(f"timestamp {token_id} of {capture_id}: {problem}")
    return check


def _check_manifest(store: EvidenceStore, path: Path, row: LedgerCapture | None) -> CaptureCheck:
    """Check one manifest against its ledger row and the files it names."""
    rel = f"captures/{path.name}"
    data = path.read_bytes()
    check = CaptureCheck()
    problems = check.problems
    try:
        capture = Capture.from_dict(json.loads(data))
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{rel}: unreadable manifest ({type(exc).__name__})")
        return check
    check.capture = capture
    if row is None:
        problems.append(f"{rel}: not in the ledger: no capture wrote it (an older store: netsword evidence seal)")
    elif row.state in (ABANDONED, REMOVED):
        problems.append(f"{rel}: present, but the ledger has the capture as {row.state} ({row.note})")
    elif sha256_of(data) != row.manifest_sha256:
        problems.append(f"{rel}: changed since it was written (SHA-256 {row.manifest_sha256[:16]}… recorded)")
    elif store.ledger.keyed:
        expected = store.ledger.capture_seal(row.capture_id, row.platform, row.listing_id, row.origin,
                                             row.manifest_sha256)  # fmt: skip
        if not row.seal:
            problems.append(f"{rel}: its ledger row is not sealed (written without the evidence key)")
        elif not hmac.compare_digest(row.seal, expected):
            problems.append(f"{rel}: its ledger row was altered, or sealed with another evidence key")
    if capture.capture_id != path.stem:
        problems.append(f"{rel}: names capture {capture.capture_id}")
    for item in capture.files:
        check.files += 1
        target = store.path_of(item.sha256)
        if not _SHA.match(item.sha256) or not target.is_file():
            problems.append(f"{capture.capture_id}: {item.role} {item.sha256}: missing")
            continue
        actual = sha256_of(target.read_bytes())
        if actual != item.sha256:
            problems.append(f"{capture.capture_id}: {item.role} {item.sha256}: hash is now {actual}")
    return check


def _check_objects(store: EvidenceStore, named: set[str], report: VerifyReport) -> None:
    objects = store.root / "objects"
    for path in sorted(objects.rglob("*")) if objects.is_dir() else ():
        rel = path.relative_to(store.root).as_posix()
        if path.is_dir():
            if path.parent != objects or not re.fullmatch(r"[0-9a-f]{2}", path.name):
                report.problems.append(f"{rel}/: not part of the evidence store")
            continue
        if path.name.startswith(".tmp-"):
            report.notes.append(f"{rel}: a temporary file of an unfinished write (backfill removes it after an hour)")
        elif path.name not in named or path.parent.name != path.name[:2]:
            report.problems.append(f"{rel}: no manifest names this file")


def _check_reasons(store: EvidenceStore, report: VerifyReport) -> None:
    for key, item in store.ledger.no_captures().items():
        if store.ledger.keyed and not hmac.compare_digest(item.seal, store.ledger.no_capture_seal(item)):
            report.problems.append(f"{LEDGER_FILE}: the no-capture record of {key[0]} {key[1]} was altered "
                                   "(or sealed with another evidence key)")  # fmt: skip
            continue
        report.reasons[key] = item


def _check_custody(store: EvidenceStore, report: VerifyReport, anchors: tuple[str, ...]) -> None:
    custody_anchor: CustodyAnchor | None = None
    for text in anchors:
        if text.strip().startswith("evidence-custody:"):
            custody_anchor = CustodyAnchor.parse(text)
        else:
            report.problems.extend(store.ledger.anchor_problems(LedgerAnchor.parse(text)))
    if not store.ledger.exists():
        if custody_anchor is not None and custody_anchor.seq:
            report.problems.append(f"{LEDGER_FILE}: missing, but the custody anchor counted {custody_anchor.seq} events")
        return
    log = custody_of(store)
    try:
        report.custody_events, problems = log.verify(custody_anchor)
        report.problems.extend(problems)
    finally:
        log.close()


def _check_timestamps(store: EvidenceStore, roots: tuple[Certificate, ...], report: VerifyReport) -> None:
    from evidence.timestamps import check_tokens

    tokens = check_tokens(store, roots)
    report.tokens, report.timestamped = tokens.tokens, tokens.stamped
    if tokens.tokens and not roots:
        report.problems.append(f"{tokens.tokens} trusted timestamps cannot be checked: timestamps.trust_roots is "
                               "empty")  # fmt: skip
        return
    report.problems.extend(tokens.problems)
