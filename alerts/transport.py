"""Where rendered messages go: an SMTP server (STARTTLS or implicit TLS, login, timeouts) or, with no `smtp.host`,
`.eml` files in `paths.outbox_dir`.

Settings: `[smtp]` host, port, security (none | starttls | tls), username, password (NETSWORD_SMTP_PASSWORD),
sender, timeout, ca_file. Failures are sorted into temporary (retry later) and permanent (the server said 5xx).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from netsword.config import Config, SmtpConfig


class TemporaryFailure(Exception):
    """Try again later: connection refused or dropped, timeout, 4xx."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx); the text is its reason."""


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message_id: str, raw: bytes) -> None: ...

    def close(self) -> None: ...


class EmlTransport:
    """Writes each message to `<dir>/<Message-ID>.eml`; rewriting the same message replaces the same file."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, sender: str, recipient: str, message_id: str, raw: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml"
        target = self.directory / name
        partial = target.with_suffix(".eml.part")
        try:
            with open(partial, "wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)  # readers never see half a message
        except OSError as exc:
            raise TemporaryFailure(f"cannot write {target}: {exc}") from exc

    def close(self) -> None:
        pass


def _tls_context(cfg: SmtpConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cfg.ca_file or None)


def _reason(code: int, text: bytes | str) -> str:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(detail.split())}"


class SmtpTransport:
    """One SMTP connection, opened on first use and reused for a batch."""

    def __init__(self, cfg: SmtpConfig) -> None:
        self.cfg = cfg
        self.conn: smtplib.SMTP | None = None
        self.open_error = ""  # once the server could not be reached, the rest of the batch waits for next time

    def _open(self) -> smtplib.SMTP:
        cfg = self.cfg
        try:
            conn: smtplib.SMTP
            if cfg.security == "tls":
                conn = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=_tls_context(cfg))
            else:
                conn = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            try:
                conn.ehlo()
                if cfg.security == "starttls":
                    conn.starttls(context=_tls_context(cfg))
                    conn.ehlo()
                if cfg.username:
                    conn.login(cfg.username, cfg.password)
            except BaseException:
                conn.close()
                raise
        except smtplib.SMTPResponseException as exc:
            # A refused login or STARTTLS is a set-up problem, not the message's: retry, and say why.
            raise TemporaryFailure(f"{cfg.host}:{cfg.port}: {_reason(exc.smtp_code, exc.smtp_error)}") from exc
        except UnicodeEncodeError as exc:  # smtplib sends AUTH credentials as ASCII only
            raise TemporaryFailure(f"{cfg.host}:{cfg.port}: smtp.username and password must be ASCII") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{cfg.host}:{cfg.port}: {type(exc).__name__}: {exc}") from exc
        return conn

    def send(self, sender: str, recipient: str, message_id: str, raw: bytes) -> None:
        if self.conn is None:
            if self.open_error:
                raise TemporaryFailure(self.open_error)
            try:
                self.conn = self._open()
            except TemporaryFailure as exc:
                self.open_error = str(exc)
                raise
        envelope_from = parseaddr(sender)[1] or sender
        try:
            refused = self.conn.sendmail(envelope_from, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._raise(code, text)
        except smtplib.SMTPResponseException as exc:  # sender refused, data refused, …
            self._raise(exc.smtp_code, exc.smtp_error)
        except (OSError, smtplib.SMTPException) as exc:  # dropped connection, timeout
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        if refused:  # pragma: no cover - one recipient per message, so smtplib raises instead
            code, text = next(iter(refused.values()))
            self._raise(code, text)

    def _raise(self, code: int, text: bytes | str) -> None:
        reason = _reason(code, text)
        if code in (-1, 421) or not 500 <= code < 600:
            self.close()  # the session may be unusable; reconnect for the next message
            raise TemporaryFailure(reason)
        self._reset()
        raise PermanentFailure(reason)

    def _reset(self) -> None:
        try:
            if self.conn is not None:
                self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None


def transport_for(config: Config) -> Transport:
    if config.smtp.host:
        return SmtpTransport(config.smtp)
    return EmlTransport(config.outbox_dir)
