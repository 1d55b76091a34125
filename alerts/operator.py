"""Messages to the people who run NetSword (`alerts.operators`), not to rights holders: a crawl that a platform
blocked, for instance. Queued in the same outbox as lead alerts (kind `operator`), so `netsword alerts send`
delivers them — by SMTP, or as .eml files in the outbox directory when no `smtp.host` is set.

The text is built here from what the caller says (plain lines: platform, run, reason, what to do); callers never pass
cookies, session files, proxy addresses or request headers, and every line is cut to a safe length and stripped of
control characters, so a page's text cannot forge headers or lines.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from alerts.outbox import Outbox
from alerts.render import safe_text
from netsword.config import Config

KIND = "operator"
log = logging.getLogger(__name__)


def operator_message(config: Config, recipient: str, subject: str, lines: list[str], now: datetime) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = "[NetSword] " + safe_text(subject, 150)
    msg["From"] = config.smtp.sender
    msg["To"] = Address(addr_spec=recipient)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain="netsword.local")
    msg["Auto-Submitted"] = "auto-generated"
    body = "\n".join(safe_text(line, 500) for line in lines) + "\n"
    msg.set_content(body, charset="utf-8", cte="quoted-printable")
    return msg


def queue_operator_message(config: Config, subject: str, lines: list[str], *, now: datetime | None = None) -> int:
    """Queue one message to each address of `alerts.operators`; returns how many were queued (0: nobody to tell,
    which is logged). Never raises: a message that cannot be queued is logged."""
    if not config.alerts.operators:
        log.error("no alerts.operators configured: nobody was told: %s", safe_text(subject, 150))
        return 0
    moment = now or datetime.now(UTC)
    queued = 0
    try:
        with Outbox.for_config(config) as outbox, outbox.transaction():
            for recipient in config.alerts.operators:
                msg = operator_message(config, recipient, subject, lines, moment)
                message_id = str(msg["Message-ID"])
                if outbox.add_message(message_id, recipient, "en", KIND, str(msg["Subject"]), bytes(msg), [], moment):
                    queued += 1
    except Exception as exc:  # noqa: BLE001 - telling the operator must never break the crawl that needs telling
        log.error("could not queue the operator message %r: %s", safe_text(subject, 150), exc)
    return queued
