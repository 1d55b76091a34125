"""Local accounts: argon2 password hashes, password strength (zxcvbn), roles, and what a rights-holder viewer sees."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from leads.store import Scope
from netsword.models import Lead, utc_now
from triage.db import TriageDB

INVESTIGATOR, SUPERVISOR, VIEWER = "investigator", "supervisor", "rights_holder_viewer"
ROLES = (INVESTIGATOR, SUPERVISOR, VIEWER)
_USERNAME = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")
MIN_PASSWORD = 10
MIN_SCORE = 3  # zxcvbn: "safely unguessable", the default of triage.min_password_score
_hasher = PasswordHasher()
# verified against when the user does not exist, so a login takes as long either way (made on first use)
_DUMMY_HASH = ""


class UserError(ValueError):
    """A bad username, password, role or scope; the message says which."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    scope_owners: tuple[str, ...] = ()
    scope_entries: tuple[str, ...] = ()
    display_name: str = ""
    disabled: bool = False
    created_at: str = ""

    @property
    def can_triage(self) -> bool:
        return self.role in (INVESTIGATOR, SUPERVISOR)

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR

    @property
    def is_viewer(self) -> bool:
        return self.role == VIEWER

    @property
    def may_see_parcels(self) -> bool:
        """Parcel leads carry personal data: only the roles parcels.access allows may see them."""
        return not self.is_viewer

    def lead_scope(self) -> Scope | None:
        """The store scope of what this user may see (as `may_see_lead`), or None when that is nothing at all."""
        if self.is_viewer and not self.scope_owners and not self.scope_entries:
            return None
        if not self.is_viewer:
            return Scope(exclude_parcels=not self.may_see_parcels)
        return Scope(self.scope_owners, self.scope_entries, exclude_parcels=not self.may_see_parcels)

    def may_see_lead(self, lead: Lead) -> bool:
        return self.may_see(lead.owner, lead.entry_id) and (self.may_see_parcels or not lead.from_parcels)

    def may_see(self, owner: str, entry_id: str) -> bool:
        """Viewers see only leads within their scope (owners and entries each narrow it when set)."""
        if not self.is_viewer:
            return True
        if not self.scope_owners and not self.scope_entries:
            return False
        if self.scope_owners and owner not in self.scope_owners:
            return False
        return not (self.scope_entries and entry_id not in self.scope_entries)


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if not _DUMMY_HASH:
        _DUMMY_HASH = _hasher.hash("netsword-dummy-password")
    return _DUMMY_HASH


def check_password(password: str, min_score: int = MIN_SCORE, user_inputs: tuple[str, ...] = ()) -> None:
    """At least MIN_PASSWORD characters and a zxcvbn score of `min_score` (0–4): a password not among the common
    ones, nor a name, date, keyboard walk or word with digits tacked on, nor close to `user_inputs`."""
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: must be at least {MIN_PASSWORD} characters")
    # zxcvbn's time grows with length; a strong first 100 characters make a strong password
    verdict = zxcvbn(password[:100], user_inputs=[*user_inputs, "netsword", "triage"])
    if verdict["score"] < min_score:
        advice = verdict["feedback"].get("warning") or " ".join(verdict["feedback"].get("suggestions", []))
        raise UserError(f"password: too easy to guess (strength {verdict['score']} of 4, needs {min_score})"
                        + (f": {advice}" if advice else ""))  # fmt: skip


def _user_of(row: object) -> User:
    r = row  # sqlite3.Row
    return User(
        username=r["username"], role=r["role"],  # type: ignore[index]
        scope_owners=tuple(json.loads(r["scope_owners"])), scope_entries=tuple(json.loads(r["scope_entries"])),  # type: ignore[index]
        display_name=r["display_name"], disabled=bool(r["disabled"]), created_at=r["created_at"],  # type: ignore[index]
    )  # fmt: skip


class UserStore:
    """Accounts in triage.db."""

    def __init__(self, db: TriageDB, min_score: int = MIN_SCORE) -> None:
        self.db = db
        self.min_score = min_score

    def add(
        self,
        username: str,
        password: str,
        role: str,
        *,
        owners: tuple[str, ...] = (),
        entries: tuple[str, ...] = (),
        display_name: str = "",
    ) -> User:
        if not _USERNAME.match(username):
            raise UserError(f"username: 2–64 letters, digits or . _ @ -, got {username!r}")
        if role not in ROLES:
            raise UserError(f"role: must be one of {', '.join(ROLES)}, got {role!r}")
        if role == VIEWER and not (owners or entries):
            raise UserError("scope: a rights_holder_viewer needs at least one --owner or --entry")
        check_password(password, self.min_score, (username, display_name))
        with self.db.transaction() as conn:
            if conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
                raise UserError(f"username: {username!r} already exists")
            conn.execute(
                "INSERT INTO users(username, password_hash, role, scope_owners, scope_entries, display_name,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (username, _hasher.hash(password), role, json.dumps(list(owners), ensure_ascii=False),
                 json.dumps(list(entries), ensure_ascii=False), display_name, utc_now()),
            )  # fmt: skip
        user = self.get(username)
        assert user is not None
        return user

    def get(self, username: str) -> User | None:
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        return _user_of(rows[0]) if rows else None

    def list(self) -> list[User]:
        return [_user_of(r) for r in self.db.query("SELECT * FROM users ORDER BY username")]

    def set_password(self, username: str, password: str) -> None:
        check_password(password, self.min_score, (username,))
        with self.db.transaction() as conn:
            cur = conn.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (_hasher.hash(password), username)
            )
            if cur.rowcount == 0:
                raise UserError(f"username: no user {username!r}")
            conn.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def set_disabled(self, username: str, disabled: bool = True) -> None:
        with self.db.transaction() as conn:
            cur = conn.execute("UPDATE users SET disabled = ? WHERE username = ?", (int(disabled), username))
            if cur.rowcount == 0:
                raise UserError(f"username: no user {username!r}")
            if disabled:
                conn.execute("DELETE FROM sessions WHERE username = ?", (username,))

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account enabled; None otherwise (same cost either way)."""
        rows = self.db.query("SELECT * FROM users WHERE username = ?", (username,))
        stored = rows[0]["password_hash"] if rows else _dummy_hash()
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if not rows or rows[0]["disabled"]:
            return None
        if _hasher.check_needs_rehash(stored):
            with self.db.transaction() as conn:
                conn.execute(
                    "UPDATE users SET password_hash = ? WHERE username = ?", (_hasher.hash(password), username)
                )
        return _user_of(rows[0])
