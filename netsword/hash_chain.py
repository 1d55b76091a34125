"""Keyed hash chains: the one link function behind the triage audit trail and the evidence chain of custody.

Each entry's hash is HMAC-SHA256, under a sub-key of a master key, over the previous entry's hash and the entry's
fields as canonical JSON; the first entry links to GENESIS. Editing, deleting, inserting or reordering entries
breaks the chain unless one holds the key. What no chain can see from inside (a cut tail, a deleted database) an
anchor kept elsewhere catches: the newest entry's number and hash at some moment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def sub_key(master: bytes, purpose: bytes) -> bytes:
    """A key for one chain only, derived from `master`, so the same master key never MACs anything else alike."""
    return hmac.new(master, purpose, hashlib.sha256).digest()


def body(fields: Sequence[Any]) -> bytes:
    """The canonical bytes of an entry's fields (a JSON array, no spaces, Unicode as is)."""
    return json.dumps(list(fields), ensure_ascii=False, separators=(",", ":")).encode()


def link_hash(key: bytes, prev_hash: str, fields: Sequence[Any]) -> str:
    """The keyed hash of an entry: HMAC-SHA256(key, previous hash ‖ canonical fields)."""
    return hmac.new(key, prev_hash.encode() + body(fields), hashlib.sha256).hexdigest()


def plain_hash(prev_hash: str, fields: Sequence[Any]) -> str:
    """The unkeyed hash (SHA-256) of an entry written without a key."""
    return hashlib.sha256(prev_hash.encode() + body(fields)).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored entry as a chain sees it: its number, the hash it links to, its own hash and its fields."""

    seq: int
    prev_hash: str
    hash: str
    fields: Sequence[Any]


@dataclass(frozen=True)
class Head:
    """The newest entry's number and hash (an anchor, once kept off the machine)."""

    seq: int
    hash: str


def check_links(links: Iterable[Link], key: bytes | None, *, start: Head | None = None,
                content: bool = True) -> tuple[list[str], Head | None]:  # fmt: skip
    """Walk a chain in order of `seq`: report missing numbers, broken links and changed entries (keyed with `key`,
    or plain SHA-256 when `key` is None). Returns (problems, the newest entry seen). `start`: the entry before the
    first one given (a chain checked from the middle). `content=False`: numbers and links only (a keyed chain read
    without its key, where a changed entry cannot be told from a keyed one)."""
    problems: list[str] = []
    prev, expected = (start.hash, start.seq + 1) if start else (GENESIS, 1)
    last = start
    for link in links:
        if link.seq != expected:
            what = f"entries {expected}–{link.seq - 1} are missing (deleted)" if link.seq > expected else (
                "out of order (entries were moved or renumbered)")  # fmt: skip
            problems.append(f"entry {link.seq}: {what}")
        if link.prev_hash != prev:
            problems.append(f"entry {link.seq}: does not link to the entry before it (removed, inserted or reordered)")
        expect = link_hash(key, link.prev_hash, link.fields) if key is not None else plain_hash(link.prev_hash,
                                                                                                 link.fields)
        if content and not hmac.compare_digest(expect, link.hash):
            problems.append(f"entry {link.seq}: content was changed after it was written"
                            + (" (or written with another key)" if key is not None else ""))  # fmt: skip
        prev, expected, last = link.hash, link.seq + 1, Head(link.seq, link.hash)
    return problems, last


def anchor_problems(head: Head | None, anchor: Head, hash_at: dict[int, str]) -> list[str]:
    """What an anchor taken earlier says is wrong now: the chain ends before it, or its entry changed.
    `hash_at`: the stored hash of the anchor's entry number (missing when there is none)."""
    last = head.seq if head else 0
    if anchor.seq > last:
        return [f"the chain ends at entry {last} but the anchor names entry {anchor.seq} (entries were cut off)"]
    if not hmac.compare_digest(hash_at.get(anchor.seq, ""), anchor.hash):
        return [f"entry {anchor.seq}: differs from the anchor (the chain was rewritten)"]
    return []
