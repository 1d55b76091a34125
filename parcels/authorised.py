"""Authorised shippers: the shipper register (`parcels.shippers_file`) names the parties that ship a rights holder's
genuine goods, by phone, name and address, and the watchlist entries they may ship.

The register is read once and keyed at once with the parcel vault, the same keyed hashing the parcel store uses;
only keyed forms are kept and compared, and no personal value from it is stored, logged or shown (its `id` and
`label` name it). A sender is an authorised shipper when it shares a strong identifier with a register record: its
phone, or its name together with its address.

Matching of declared contents then treats that sender exactly as the matchers treat an authorised seller online:
the listing made from its parcel carries a keyed seller identity (`shipper:` + a keyed digest of the record id),
and `authorise(watchlist)` adds the same identity to the `authorized_sellers` of each entry the record covers.
Being keyed with the personal-data key, that identity cannot be written into a manifest or a marketplace page by
anyone else. Pattern detection leaves authorised senders' parcels out (parcels.patterns).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netsword.yaml_validation import (
    Invalid,
    Problem,
    check_fields,
    dotted,
    identifier,
    line_of,
    read_source,
    text,
    texts,
)
from parcels.normalize import normalize_address, normalize_name, normalize_phone
from parcels.phones import phone_problem
from parcels.pii import PiiVault
from watchlists import Watchlist
from watchlists.yaml_lines import Path_, YamlShapeError, load_with_lines

TOKEN_PREFIX = "shipper:"


class RegisterError(ValueError):
    """The shipper register has problems; each is `file:line: field: what`, never quoting a personal value."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class AuthorisedShipper:
    """One register record, keyed: the raw phones, names and addresses are not kept."""

    id: str
    label: str
    entries: tuple[str, ...]
    owners: tuple[str, ...]
    phone_keys: frozenset[str]
    name_address_keys: frozenset[str]
    line: int = 0

    def covers(self, entry_id: str, owner: str) -> bool:
        return entry_id in self.entries or (bool(owner) and owner in self.owners)


def name_address_key(vault: PiiVault, name: str, address: str) -> str:
    """The keyed form of a name together with an address ('' unless both are given)."""
    name, address = normalize_name(name), normalize_address(address)
    return vault.keyed("name+address", f"{name}|{address}") if name and address else ""


class ShipperRegister:
    """The keyed register: which records a sender matches, and the keyed seller identity of each record."""

    def __init__(self, shippers: Iterable[AuthorisedShipper], vault: PiiVault, source: str = "") -> None:
        self.shippers = {s.id: s for s in shippers}
        self.source = source
        self._tokens = {
            s.id: TOKEN_PREFIX + vault.keyed("authorised-shipper", s.id)[:24] for s in self.shippers.values()
        }
        self._by_phone: dict[str, list[str]] = {}
        self._by_name_address: dict[str, list[str]] = {}
        for s in self.shippers.values():
            for key in s.phone_keys:
                self._by_phone.setdefault(key, []).append(s.id)
            for key in s.name_address_keys:
                self._by_name_address.setdefault(key, []).append(s.id)

    def __len__(self) -> int:
        return len(self.shippers)

    def match(self, phone_key: str, name_address: str) -> tuple[str, ...]:
        """Ids of the records sharing the sender's keyed phone, or its keyed name and address; sorted."""
        ids = set(self._by_phone.get(phone_key, ())) if phone_key else set()
        if name_address:
            ids.update(self._by_name_address.get(name_address, ()))
        return tuple(sorted(ids))

    def token(self, shipper_id: str) -> str:
        return self._tokens[shipper_id]

    def covers(self, shipper_ids: Iterable[str], entry_id: str, owner: str) -> bool:
        """Whether any of these records may ship the entry's goods."""
        return any(self.shippers[i].covers(entry_id, owner) for i in shipper_ids if i in self.shippers)

    def authorise(self, watchlist: Watchlist) -> Watchlist:
        """The watchlist with each covered entry's `authorized_sellers` carrying its records' keyed identities."""
        unknown = [
            Problem(self.source, s.line, "entries", f"no watchlist entry {entry!r}")
            for s in self.shippers.values()
            for entry in s.entries
            if watchlist.get(entry) is None
        ]
        if unknown:
            raise RegisterError(unknown)

        def with_tokens(entry: Any) -> Any:
            tokens = tuple(self._tokens[s.id] for s in self.shippers.values() if s.covers(entry.id, entry.owner))
            return (
                dataclasses.replace(entry, authorized_sellers=(*entry.authorized_sellers, *tokens)) if tokens else entry
            )

        return Watchlist(
            trademarks=tuple(with_tokens(e) for e in watchlist.trademarks),
            patents=tuple(with_tokens(e) for e in watchlist.patents),
            geographical_indications=tuple(with_tokens(e) for e in watchlist.geographical_indications),
            sources=watchlist.sources,
        )

    def is_applied_to(self, watchlist: Watchlist) -> bool:
        """True when `authorise` made this watchlist (an index compiled without it would not know the shippers)."""
        return all(any(self._tokens[s.id] in e.authorized_sellers for e in watchlist) for s in self.shippers.values())


def _phone(value: Any) -> str:
    written = text(value)
    problem = phone_problem(written)
    if problem:
        raise Invalid(problem)
    return written


def _phones(value: Any) -> tuple[str, ...]:
    return tuple(_phone(v) for v in (value if isinstance(value, list) else [value]))


_SCHEMA = {
    "id": (identifier, True),
    "label": (text, False),
    "entries": (texts, False),
    "owners": (texts, False),
    "phones": (_phones, False),
    "names": (texts, False),
    "addresses": (texts, False),
    "notes": (text, False),
}


def load_register(path: str | Path, vault: PiiVault) -> ShipperRegister:
    """Read and key the register file; RegisterError lists every problem as `file:line: field: what`."""
    name = str(path)
    try:
        data, lines = load_with_lines(read_source(path))
    except Invalid as exc:
        raise RegisterError([Problem(name, 0, "", str(exc))]) from None
    except YamlShapeError as exc:
        raise RegisterError([Problem(name, exc.line, "", str(exc))]) from None
    problems: list[Problem] = []

    def bad(at: Path_, message: str) -> None:
        problems.append(Problem(name, line_of(lines, at), dotted(at, brackets=True), message))

    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("shippers"), list):
        bad((), "a shipper register is a mapping with version: 1 and a list of shippers")
        raise RegisterError(problems)
    for key in data:
        if key not in ("version", "shippers"):
            bad((key,), "unknown section (known: version, shippers)")
    shippers: list[AuthorisedShipper] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data["shippers"]):
        at: Path_ = ("shippers", index)
        if not isinstance(item, dict):
            bad(at, "each shipper must be a mapping")
            continue
        fields, field_problems, missing = check_fields(item, _SCHEMA)
        for key, message in field_problems:
            bad((*at, key), message)
        for key in missing:
            bad(at, f"{key} is required")
        if field_problems or missing:
            continue
        line = line_of(lines, at)
        if fields["id"] in seen:
            bad((*at, "id"), f"duplicate id {fields['id']!r} (first at line {seen[fields['id']]})")
        seen[fields["id"]] = line
        if not (fields.get("entries") or fields.get("owners")):
            bad(at, "entries or owners is required: the watchlist entries this shipper may ship")
        phones = frozenset(vault.keyed("phone", normalize_phone(p)) for p in fields.get("phones", ()))
        pairs = frozenset(
            key
            for n in fields.get("names", ())
            for a in fields.get("addresses", ())
            if (key := name_address_key(vault, n, a))
        )
        if not (phones or pairs):
            bad(at, "phones, or names together with addresses, are required to recognise the shipper")
        shippers.append(AuthorisedShipper(
            id=fields["id"], label=fields.get("label", fields["id"]), entries=fields.get("entries", ()),
            owners=fields.get("owners", ()), phone_keys=phones, name_address_keys=pairs, line=line,
        ))  # fmt: skip
    if problems:
        raise RegisterError(problems)
    return ShipperRegister(shippers, vault, source=name)
