"""Sessions, CSRF tokens, the signing secret and login throttling.

The session cookie carries only a random session id signed with itsdangerous; the session row (user, CSRF token,
expiry after `triage.session_hours`) lives in triage.db, so logging out, disabling a user or changing a password
ends sessions at once. The secret comes from NETSWORD_TRIAGE_SECRET_KEY or a generated 0600 file under var/.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from triage.db import TriageDB

COOKIE = "ns_session"
LOGIN_COOKIE = "ns_login"  # signed pre-login token: CSRF protection for the login form itself
MAX_FAILURES = 5  # per user name and per client address
FAILURE_WINDOW = 15 * 60.0  # seconds


def load_secret(configured: str, var_dir: str | Path) -> str:
    """The configured secret, else the one in <var_dir>/triage-secret.key (created 0600 on first use)."""
    if configured:
        return configured
    path = Path(var_dir) / "triage-secret.key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48) + "\n")
    return path.read_text(encoding="utf-8").strip()


class Sessions:
    """Creates, finds and ends sessions; signs and checks cookie values."""

    def __init__(self, db: TriageDB, secret: str, lifetime_hours: float) -> None:
        self.db = db
        self.lifetime = lifetime_hours * 3600
        self.signer = URLSafeTimedSerializer(secret, salt="netsword-triage-session")
        self.login_signer = URLSafeTimedSerializer(secret, salt="netsword-triage-login")

    def create(self, username: str) -> tuple[str, str]:
        """A new session for the user: (cookie value, CSRF token)."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE expires_at < ?", (now,))
            conn.execute(
                "INSERT INTO sessions(session_id, username, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, username, csrf, now, now + self.lifetime),
            )
        return self.signer.dumps(session_id), csrf

    def lookup(self, cookie: str | None) -> tuple[str, str, str] | None:
        """(session id, username, CSRF token) for a valid, unexpired cookie; else None."""
        if not cookie:
            return None
        try:
            session_id = self.signer.loads(cookie, max_age=int(self.lifetime) + 1)
        except BadSignature:
            return None
        rows = self.db.query(
            "SELECT username, csrf_token, expires_at FROM sessions WHERE session_id = ?", (str(session_id),)
        )
        if not rows or rows[0]["expires_at"] < time.time():
            return None
        return str(session_id), rows[0]["username"], rows[0]["csrf_token"]

    def end(self, session_id: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))

    def login_token(self) -> tuple[str, str]:
        """(cookie value, form token) for the login form: the form must echo the token signed in the cookie."""
        token = secrets.token_urlsafe(24)
        return self.login_signer.dumps(token), token

    def check_login_token(self, cookie: str | None, form_token: str) -> bool:
        if not cookie or not form_token:
            return False
        try:
            token = self.login_signer.loads(cookie, max_age=3600)
        except BadSignature:
            return False
        return hmac.compare_digest(str(token), form_token)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


class LoginThrottle:
    """Refuses logins for a user name or client address after MAX_FAILURES failures in FAILURE_WINDOW."""

    def __init__(self, db: TriageDB, max_failures: int = MAX_FAILURES, window: float = FAILURE_WINDOW) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window = window

    def blocked(self, *subjects: str) -> bool:
        since = time.time() - self.window
        for subject in subjects:
            rows = self.db.query("SELECT count(*) FROM login_failures WHERE subject = ? AND at >= ?", (subject, since))
            if rows[0][0] >= self.max_failures:
                return True
        return False

    def fail(self, *subjects: str) -> None:
        now = time.time()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE at < ?", (now - self.window,))
            conn.executemany("INSERT INTO login_failures(subject, at) VALUES (?, ?)", [(s, now) for s in subjects])

    def clear(self, subject: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM login_failures WHERE subject = ?", (subject,))
