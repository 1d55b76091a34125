"""Sending over a real aiosmtpd server on 127.0.0.1: STARTTLS and implicit TLS with AUTH, both languages, retries
while the server is down, permanent 5xx failures, the hourly cap and digests, and .eml files without SMTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest

from alerts import AlertQueuer, Outbox, Renderer, compose_digest, compose_immediate, flush, load_rules, transport_for
from alerts.outbox import item_key
from alerts.render import message_id_for
from netsword.config import SmtpConfig

RULES = """\
recipients:
  - {address: en@example.com, language: en, hourly_cap: 1}
  - {address: zh@example.com, language: zh}
rules:
  - id: nike-now
    to: [zh@example.com, en@example.com]
    entries: [tm-nike]
    min_score: 50
  - id: daily
    to: [boss@example.com]
    min_score: 50
    digest: daily
"""
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def setup(tmp_path, make_config, watchlist, store, stored):
    def make(smtp=None, **alerts):
        config = make_config(smtp, **alerts)
        path = tmp_path / "rules.yaml"
        path.write_text(RULES, encoding="utf-8")
        queuer = AlertQueuer(config, watchlist, load_rules(path), clock=lambda: T0)
        return config, queuer

    return make


def _send(config, outbox, now=T0):
    compose_immediate(outbox, Renderer(config), now)
    return flush(outbox, transport_for(config), config, now=lambda: now)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: aiosmtpd can't tell
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_messages_arrive_with_headers_and_bodies_in_both_languages(security, smtp_server, setup, stored, new_lead):
    server = smtp_server(security)
    config, queuer = setup(server.smtp_config())
    for i, score in enumerate((91, 77, 66)):
        queuer(*stored(new_lead(f"tb-{i}", score, price=150.0 + i)))
    report = _send(config, queuer.outbox)
    assert report.as_dict() == {"sent": 2, "retrying": 0, "failed": 0}, report.errors
    assert server.recorder.auth_logins == ["alerts"]  # one authenticated connection for the batch
    by_to = {str(m["To"]): m for m in server.recorder.received}
    en, zh = by_to["en@example.com"], by_to["zh@example.com"]

    assert en["Subject"] == "[NetSword] 3 new high-risk leads: NIKE on taobao"
    assert zh["Subject"] == "[NetSword] 3 条新的高风险线索：NIKE（taobao）"
    assert str(en["From"]) == "NetSword <alerts@netsword.example.org>"
    keys = [item_key(new_lead(f"tb-{i}", 0).lead_id, "nike-now", "en@example.com", "new") for i in range(3)]
    assert en["Message-ID"].strip() == message_id_for(keys, config.smtp.sender)
    assert en["Date"].datetime.utcoffset() == timedelta(hours=8)  # Asia/Shanghai
    assert en["Auto-Submitted"] == "auto-generated"
    assert server.recorder.envelopes[0][0] == "alerts@netsword.example.org"

    for message, words in ((en, ("Score", "Seller", "Why", "NetSword found 3 leads")),
                           (zh, ("分数", "卖家", "原因", "NetSword 发现 3 条"))):  # fmt: skip
        assert message.get_content_type() == "multipart/alternative"
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert message.get_body(("html",)).get_content_charset() == "utf-8"
        for word in words[1:]:
            assert word in text or word in html
        assert words[0] in html
        # best first; title, price, seller, reasons and link to the triage UI
        assert text.index("[91]") < text.index("[77]") < text.index("[66]")
        assert "耐克 Air Max 270 高仿 1:1 原单 tb-0" in text and "¥150.00" in text and "潮鞋工厂店" in text
        assert "variant_mark: “耐克” is a registered form of NIKE" in html
        lead_id = new_lead("tb-0", 0).lead_id
        assert f'<a href="http://127.0.0.1:8470/leads/{lead_id}">' in html
    # RFC 2047 on the wire: the raw subject is ASCII
    raw = queuer.outbox.messages("sent")[0].raw
    subject_line = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert subject_line.isascii()


def test_server_down_then_back_sends_exactly_once(smtp_server, setup, stored, new_lead, unused_port):
    smtp = SmtpConfig(host="127.0.0.1", port=unused_port, timeout=5.0, sender="NetSword <alerts@example.org>")
    config, queuer = setup(smtp)
    queuer(*stored(new_lead("tb-1", 90)))
    assert _send(config, queuer.outbox).as_dict() == {"sent": 0, "retrying": 2, "failed": 0}
    pending = queuer.outbox.messages("pending")
    assert len(pending) == 2 and all(m.attempts == 1 and "Connection refused" in m.last_error for m in pending)

    server = smtp_server("none", port=unused_port)
    assert flush(queuer.outbox, transport_for(config), config, now=lambda: T0).sent == 0  # still backing off
    later = T0 + timedelta(minutes=2)
    assert flush(queuer.outbox, transport_for(config), config, now=lambda: later).sent == 2
    assert _send(config, queuer.outbox, later + timedelta(hours=1)).sent == 0
    assert sorted(i.strip() for i in server.recorder.ids()) == sorted(m.message_id for m in pending)
    assert queuer.outbox.counts() == {"pending": 0, "sent": 2, "failed": 0}
    assert all(m.attempts == 2 and m.last_error == "" for m in queuer.outbox.messages("sent"))


def test_permanent_5xx_fails_with_reason_and_4xx_retries(smtp_server, setup, stored, new_lead):
    server = smtp_server("none")
    server.recorder.refuse = {"zh@example.com": "550 5.1.1 <zh@example.com>: mailbox unavailable",
                              "en@example.com": "451 4.3.0 try again later"}  # fmt: skip
    config, queuer = setup(server.smtp_config(), max_attempts=3, retry_seconds=60)
    queuer(*stored(new_lead("tb-1", 90)))
    report = _send(config, queuer.outbox)
    assert report.as_dict() == {"sent": 0, "retrying": 1, "failed": 1}
    (failed,) = queuer.outbox.messages("failed")
    assert (
        failed.recipient == "zh@example.com" and "550 5.1.1 <zh@example.com>: mailbox unavailable" in failed.last_error
    )
    (pending,) = queuer.outbox.messages("pending")
    assert pending.attempts == 1 and "451" in pending.last_error
    assert pending.next_attempt_at == "2026-11-20T08:01:00Z"
    # backoff doubles; after max_attempts the temporary failure becomes a failure
    assert flush(queuer.outbox, transport_for(config), config, now=lambda: T0).as_dict()["retrying"] == 0
    later = T0 + timedelta(minutes=1)
    flush(queuer.outbox, transport_for(config), config, now=lambda: later)
    assert queuer.outbox.get_message(pending.message_id).next_attempt_at == "2026-11-20T08:03:00Z"
    flush(queuer.outbox, transport_for(config), config, now=lambda: later + timedelta(minutes=2))
    assert queuer.outbox.get_message(pending.message_id).state == "failed"
    assert server.recorder.received == []


def test_hourly_cap_rolls_overflow_into_next_digest(smtp_server, setup, stored, new_lead):
    server = smtp_server("none")
    config, queuer = setup(server.smtp_config())
    queuer(*stored(new_lead("tb-1", 90)))
    _send(config, queuer.outbox)
    queuer(*stored(new_lead("tb-2", 91)))  # en@ has hourly_cap 1: this one waits for the digest
    plan = compose_immediate(queuer.outbox, Renderer(config), T0 + timedelta(minutes=10))
    assert [i.recipient for i in plan.rolled_over] == ["en@example.com"]
    assert [m.recipient for m in plan.messages] == ["zh@example.com"]
    flush(queuer.outbox, transport_for(config), config, now=lambda: T0)
    plan = compose_digest(queuer.outbox, Renderer(config), "daily", T0 + timedelta(hours=2))
    assert sorted(m.recipient for m in plan.messages) == ["boss@example.com", "en@example.com"]
    flush(queuer.outbox, transport_for(config), config, now=lambda: T0 + timedelta(hours=2))
    subjects = {str(m["To"]): str(m["Subject"]) for m in server.recorder.received[-2:]}
    assert subjects["en@example.com"] == "[NetSword] Daily digest: 1 lead: NIKE on taobao"
    assert subjects["boss@example.com"] == "[NetSword] 每日汇总：2 条线索：NIKE（taobao）"
    assert compose_digest(queuer.outbox, Renderer(config), "daily", T0 + timedelta(hours=3)).messages == []


def test_without_smtp_host_messages_become_eml_files_once(setup, stored, new_lead, tmp_path):
    config, queuer = setup(None)
    queuer(*stored(new_lead("tb-1", 90)))
    assert _send(config, queuer.outbox).sent == 2
    files = sorted((tmp_path / "var" / "outbox").glob("*.eml"))
    assert len(files) == 2 and not list((tmp_path / "var" / "outbox").glob("*.part"))
    parsed = message_from_bytes(files[0].read_bytes(), policy=default)
    assert parsed["Message-ID"].strip("<>").replace("@", "_") + ".eml" == files[0].name
    queuer(*stored(new_lead("tb-1", 90)))
    assert _send(config, queuer.outbox).sent == 0
    assert len(list((tmp_path / "var" / "outbox").glob("*.eml"))) == 2
    with Outbox.for_config(config) as outbox:
        assert outbox.counts() == {"pending": 0, "sent": 2, "failed": 0}
