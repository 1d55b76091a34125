"""Sessions, CSRF tokens, the signing secret and known-device cookies (login throttling: triage.throttle).

The session cookie carries only a random session id signed with itsdangerous; the session row (user, CSRF token,
expiry after `triage.session_hours`) lives in triage.db, so logging out, disabling a user or changing a password
ends sessions at once. The secret is the key `triage-session` (netsword.keys: NETSWORD_TRIAGE_SECRET_KEY, or a
generated 0600 file in the key directory, never under var/).
"""

from __future__ import annotations

import hmac
import secrets
import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

from triage.db import TriageDB

COOKIE = "ns_session"
LOGIN_COOKIE = "ns_login"  # signed pre-login token: CSRF protection for the login form itself
DEVICE_COOKIE = "ns_device"  # signed (user, device id) set at login: that browser's attempts count on their own
DEVICE_DAYS = 180


class Sessions:
    """Creates, finds and ends sessions; signs and checks cookie values."""

    def __init__(self, db: TriageDB, secret: str, lifetime_hours: float) -> None:
        self.db = db
        self.lifetime = lifetime_hours * 3600
        self.signer = URLSafeTimedSerializer(secret, salt="netsword-triage-session")
        self.login_signer = URLSafeTimedSerializer(secret, salt="netsword-triage-login")
        self.device_signer = URLSafeTimedSerializer(secret, salt="netsword-triage-device")

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

    def device_cookie(self, username: str, device: str = "") -> str:
        """A cookie naming this browser as one `username` logged in from (a new device id unless given)."""
        return self.device_signer.dumps([username, device or secrets.token_urlsafe(16)])

    def device_of(self, cookie: str | None, username: str) -> str:
        """The device id when the cookie is valid and was issued to `username`; else ''."""
        if not cookie:
            return ""
        try:
            value = self.device_signer.loads(cookie, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            return ""
        if isinstance(value, list) and len(value) == 2 and value[0] == username and isinstance(value[1], str):
            return value[1]
        return ""

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
