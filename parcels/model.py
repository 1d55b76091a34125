"""The parcel record read from a manifest row, and the per-row error that names file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

PERSON_FIELDS = (
    "sender_name", "sender_phone", "sender_address", "receiver_name", "receiver_phone", "receiver_address",
)  # fmt: skip
FIELDS = (
    "waybill", "shipped_at", "declared_contents", "declared_value", "currency", "weight", "origin", "destination",
    *PERSON_FIELDS,
)  # fmt: skip


@dataclass(frozen=True)
class Parcel:
    """One waybill from a courier manifest, validated; personal fields still raw (never stored as such)."""

    courier: str
    waybill: str
    shipped_at: str  # ISO 8601, local time of the manifest, to the second
    declared_contents: str
    declared_value: float | None = None
    currency: str = "CNY"
    weight: float | None = None  # kilograms
    origin: str = ""
    destination: str = ""
    sender_name: str = ""
    sender_phone: str = ""
    sender_address: str = ""
    receiver_name: str = ""
    receiver_phone: str = ""
    receiver_address: str = ""


@dataclass(frozen=True)
class BadRow:
    """A manifest row that was skipped: `file:line: field: reason`."""

    file: str
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.reason}"


def described(text: str) -> str:
    """What a value looks like without repeating it: '9 characters: letters' for 'yesterday'."""
    kinds = []
    if any(c.isdigit() for c in text):
        kinds.append("digits")
    if any(c.isalpha() for c in text):
        kinds.append("letters")
    if any(c.isspace() for c in text):
        kinds.append("spaces")
    if any(not (c.isalnum() or c.isspace()) for c in text):
        kinds.append("other signs")
    return f"{len(text)} characters: {', '.join(kinds)}" if kinds else f"{len(text)} characters"
