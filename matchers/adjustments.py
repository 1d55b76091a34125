"""Per-deployment adjustments learned from investigators' dismissals, applied to later matching.

A dismissal for one of four reasons records what it teaches about one watchlist entry (docs/triage.md#dismissals):

    authorised_seller   the lead's seller sells the mark legitimately  → later hits of that entry on that seller's
                        listings are dropped, as for an authorised seller in the watchlist (a hit that carries a
                        counterfeit cue or a price no genuine item has is kept, with a reason saying so)
    accessory_term      wording that marks an accessory / compatible part → later hits of that entry whose listing
    resale_term         / a private resale                                   carries the term are scored down
    not_this_mark       the matched form is another brand or word        → later hits of that entry on that form dropped

The adjustments live in a deployment file (<var_dir>/adjustments.jsonl), never in the shipped watchlists: one JSON
object a line, appended (`add`, `undo`), so the file is its own history. Matching receives them as data
(`Adjustments`), read once when the index is built; this module reads and writes only that file.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from matchers.errors import AdjustmentError
from matchers.normalize import fold
from netsword.models import Hit, Listing, Reason

KINDS = ("authorised_seller", "accessory_term", "resale_term", "not_this_mark")
FILE_NAME = "adjustments.jsonl"
MAX_VALUE = 200  # characters of a seller name, term or form
# a hit from an authorised seller stays when one of these says the goods themselves are doubtful (as the rules do)
DOUBT_CODES = frozenset({"cue_word", "price_anomaly", "evasion_phrase", "code_word"})
PENALTY = {"accessory_term": 30.0, "resale_term": 20.0}  # points off a hit whose listing carries the term


@dataclass(frozen=True)
class Adjustment:
    """One thing a dismissal taught: `kind` of `value` for watchlist entry `entry_id`, from `lead_id` by `actor`."""

    id: int
    kind: str
    entry_id: str
    value: str
    lead_id: str = ""
    actor: str = ""
    at: str = ""

    def describe(self) -> str:
        what = {"authorised_seller": "authorised seller", "accessory_term": "accessory wording",
                "resale_term": "resale wording", "not_this_mark": "not this mark"}[self.kind]  # fmt: skip
        return f"“{self.value}” recorded as {what} for {self.entry_id} (adjustment {self.id}, lead {self.lead_id})"


def _key(text: str) -> str:
    """Seller names compare as the rules compare them (matchers.context.is_authorised): folded, spaces out."""
    return fold(text).replace(" ", "")


def _form_key(text: str) -> str:
    """Forms and wording compare exactly up to NFKC, case and spaces: `Nlke` is not `NIKE` (their skeletons are)."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "")


def _key_of(kind: str, text: str) -> str:
    return _key(text) if kind == "authorised_seller" else _form_key(text)


@dataclass(frozen=True)
class Adjustments:
    """The active adjustments, indexed for matching; empty: matching is unchanged."""

    items: tuple[Adjustment, ...] = ()

    def __post_init__(self) -> None:
        by: dict[tuple[str, str], list[tuple[str, Adjustment]]] = {}
        for a in self.items:
            by.setdefault((a.entry_id, a.kind), []).append((_key_of(a.kind, a.value), a))
        object.__setattr__(self, "_by", by)

    def __bool__(self) -> bool:
        return bool(self.items)

    def _of(self, entry_id: str, kind: str) -> list[tuple[str, Adjustment]]:
        return self._by.get((entry_id, kind), [])  # type: ignore[attr-defined, no-any-return]

    def apply(self, hits: Sequence[Hit], listing: Listing) -> list[Hit]:
        """The hits with every adjustment applied: some dropped, some scored down, each change with its reason."""
        if not self.items:
            return list(hits)
        out = []
        seller = {_key(v) for v in (listing.seller_name, listing.seller.id if listing.seller else "") if v}
        text = _form_key(f"{listing.title} {listing.description}")
        for hit in hits:
            adjusted = self._apply_one(hit, seller, text)
            if adjusted is not None:
                out.append(adjusted)
        return out

    def _apply_one(self, hit: Hit, seller: set[str], text: str) -> Hit | None:
        matched = _form_key(hit.matched)
        if any(key and key == matched for key, _ in self._of(hit.entry_id, "not_this_mark")):
            return None
        reasons = list(hit.reasons)
        score = hit.score
        authorised = [a for key, a in self._of(hit.entry_id, "authorised_seller") if key in seller]
        if authorised:
            if not DOUBT_CODES & {r.code for r in hit.reasons}:
                return None
            reasons.append(Reason("authorized_seller", authorised[0].describe() + "; kept for its counterfeit signals"))
        for kind, code in (("accessory_term", "nominative_use"), ("resale_term", "private_resale")):
            found = [a for key, a in self._of(hit.entry_id, kind) if key and key in text]
            if found:
                score -= PENALTY[kind]
                reasons.append(Reason(code, found[0].describe() + f"; −{PENALTY[kind]:g}"))
        if score == hit.score and len(reasons) == len(hit.reasons):
            return hit
        return replace(hit, score=max(0.0, round(score, 1)), reasons=tuple(reasons))


def path_in(var_dir: str | Path) -> Path:
    return Path(var_dir) / FILE_NAME


def _records(path: Path) -> list[dict[str, object]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AdjustmentError(f"{path}: cannot read: {exc.strerror or exc}") from None
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise AdjustmentError(f"{path}:{n}: not JSON") from None
        if (
            not isinstance(record, dict)
            or record.get("op") not in ("add", "undo")
            or not isinstance(record.get("id"), int)
        ):
            raise AdjustmentError(f"{path}:{n}: op/id: expected an add or undo record with a numeric id")
        if record["op"] == "add" and (record.get("kind") not in KINDS or not record.get("entry_id")
                                      or not record.get("value")):  # fmt: skip
            raise AdjustmentError(f"{path}:{n}: kind/entry_id/value: an add record needs all three")
        out.append(record)
    return out


@dataclass(frozen=True)
class Listed:
    """One adjustment as listed: itself, and who undid it and when ('' while active)."""

    adjustment: Adjustment
    undone_by: str = ""
    undone_at: str = ""


def listed(path: Path) -> list[Listed]:
    """Every adjustment ever recorded in the file, oldest first, with its undo if any."""
    found: dict[int, Listed] = {}
    for r in _records(path):
        if r["op"] == "add":
            found[int(r["id"])] = Listed(Adjustment(int(r["id"]), str(r["kind"]), str(r["entry_id"]), str(r["value"]),  # type: ignore[call-overload]
                                                    str(r.get("lead_id", "")), str(r.get("actor", "")),
                                                    str(r.get("at", ""))))  # fmt: skip
        elif int(r["id"]) in found:  # type: ignore[call-overload]
            found[int(r["id"])] = replace(found[int(r["id"])], undone_by=str(r.get("actor", "")),  # type: ignore[call-overload]
                                          undone_at=str(r.get("at", "")))  # fmt: skip
    return list(found.values())


def load(path: str | Path) -> Adjustments:
    """The active adjustments in a file (none when it does not exist)."""
    return Adjustments(tuple(x.adjustment for x in listed(Path(path)) if not x.undone_at))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _append(path: Path, record: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write of one line with O_APPEND: concurrent writers never interleave a line
        os.fsync(fd)
    finally:
        os.close(fd)


def add(path: str | Path, kind: str, entry_id: str, values: Iterable[str], *, lead_id: str,
        actor: str) -> list[Adjustment]:  # fmt: skip
    """Record one adjustment per distinct value (values already active for that entry and kind are not doubled)."""
    if kind not in KINDS:
        raise AdjustmentError(f"kind: {kind!r}, expected one of {', '.join(KINDS)}")
    target = Path(path)
    current = listed(target)
    active = {(x.adjustment.kind, x.adjustment.entry_id, _key_of(x.adjustment.kind, x.adjustment.value))
              for x in current if not x.undone_at}  # fmt: skip
    next_id = max((x.adjustment.id for x in current), default=0) + 1
    made = []
    for value in values:
        value = " ".join(value.split())[:MAX_VALUE]
        if not value or (kind, entry_id, _key_of(kind, value)) in active:
            continue
        a = Adjustment(next_id, kind, entry_id, value, lead_id, actor, _now())
        _append(target, {"op": "add", **asdict(a)})
        active.add((kind, entry_id, _key_of(kind, value)))
        made.append(a)
        next_id += 1
    return made


def undo(path: str | Path, adjustment_id: int, *, actor: str) -> Adjustment:
    """Undo one active adjustment; AdjustmentError when there is no such active adjustment."""
    target = Path(path)
    for x in listed(target):
        if x.adjustment.id == adjustment_id:
            if x.undone_at:
                raise AdjustmentError(f"adjustment {adjustment_id}: already undone by {x.undone_by} at {x.undone_at}")
            _append(target, {"op": "undo", "id": adjustment_id, "actor": actor, "at": _now()})
            return x.adjustment
    raise AdjustmentError(f"adjustment {adjustment_id}: no such adjustment")
