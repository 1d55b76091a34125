"""Flush the outbox: send every due pending message once, record each result as soon as it is known.

Settings: `alerts.max_attempts`, `alerts.retry_seconds` (backoff doubles per attempt, at most 6 hours),
`alerts.claim_seconds` and `smtp.timeout` (a claim lasts the longer of the two and three SMTP timeouts).
Each message is claimed (`Outbox.claim`, a lease with expiry) before it is sent, so any number of senders at once
send each message once; it is marked sent right after the server accepts it, in its own transaction. A sender killed
mid-batch leaves its claimed message to the next sender once the lease expires. (A kill in the instant between the
server's "250 OK" and that commit resends that one message after the lease, with the same Message-ID, which mail
clients show once: the one window SMTP cannot close.)
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from alerts.outbox import FAILED, Outbox
from alerts.transport import PermanentFailure, TemporaryFailure, Transport
from netsword.config import Config

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    claimed_elsewhere: int = 0  # due, but another sender holds its claim
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed}


def flush(
    outbox: Outbox,
    transport: Transport,
    config: Config,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ignore_backoff: bool = False,
) -> SendReport:
    report = SendReport()
    alerts = config.alerts
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    lease = timedelta(seconds=max(alerts.claim_seconds, 3 * config.smtp.timeout))
    try:
        for message in outbox.due(now(), ignore_backoff=ignore_backoff):
            if not outbox.claim(message.message_id, owner, now(), lease):
                report.claimed_elsewhere += 1
                continue
            try:
                transport.send(config.smtp.sender, message.recipient, message.message_id, message.raw)
            except (TemporaryFailure, PermanentFailure) as exc:
                permanent = isinstance(exc, PermanentFailure)
                state = outbox.record_failure(
                    message.message_id, str(exc), permanent=permanent, now=now(),
                    retry_seconds=alerts.retry_seconds, max_attempts=alerts.max_attempts,
                )  # fmt: skip
                report.errors.append(f"{message.recipient}: {exc}")
                log.warning("alert %s to %s: %s (%s)", message.message_id, message.recipient, exc, state)
                if state == FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
                continue
            outbox.record_sent(message.message_id, now())
            report.sent += 1
    finally:
        transport.close()
    return report
