"""Fixtures for the alert tests: a real aiosmtpd server on 127.0.0.1 (plain, STARTTLS or implicit TLS, with AUTH),
a self-signed certificate made at test time, a temp SQLite lead store and lead builders."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from leads.sink import LeadSink
from leads.store.sqlite import SqliteLeadStore
from netsword.config import AlertsConfig, Config, PathsConfig, SmtpConfig
from netsword.models import Lead, Reason, make_lead_id
from watchlists import Watchlist, load_watchlists

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "watchlists" / "samples"
USER, PASSWORD = "alerts", "s3cret-pa55"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost, generated now."""
    directory = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Recorder:
    """aiosmtpd handler that keeps every accepted message and can refuse recipients or stall a MAIL command."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}  # recipient -> SMTP reply
        self.mail_count = 0
        self.stall_at_mail: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.auth_logins: list[str] = []

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        self.mail_count += 1
        if self.mail_count == self.stall_at_mail:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.received.append(message_from_bytes(envelope.original_content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def _authenticator(recorder: Recorder) -> Callable[..., AuthResult]:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            recorder.auth_logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    return check


class SmtpServer:
    def __init__(self, security: str, tls_files: tuple[Path, Path], port: int | None = None) -> None:
        self.security = security
        self.user, self.password = USER, PASSWORD
        self.port = port or free_port()
        self.recorder = Recorder()
        self.cert = tls_files[0]
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*map(str, tls_files))
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            kwargs = {"tls_context": context, "require_starttls": True,
                      "authenticator": _authenticator(self.recorder), "auth_required": True}  # fmt: skip
        elif security == "tls":
            kwargs = {"ssl_context": context, "authenticator": _authenticator(self.recorder),
                      "auth_required": True, "auth_require_tls": False}  # fmt: skip
        # ready_timeout: aiosmtpd gives a server 5 s to bind and answer a first connection, then fails the test
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, ready_timeout=60, **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.recorder.release.set()
        self.controller.stop()

    def smtp_config(self, **overrides: Any) -> SmtpConfig:
        values: dict[str, Any] = {"host": "127.0.0.1", "port": self.port, "security": self.security, "timeout": 5.0,
                                  "sender": "NetSword <alerts@netsword.example.org>"}  # fmt: skip
        if self.security != "none":
            values.update(username=USER, password=PASSWORD, ca_file=str(self.cert))
        values.update(overrides)
        return SmtpConfig(**values)


@pytest.fixture
def smtp_server(tls_files: tuple[Path, Path]) -> Iterator[Callable[..., SmtpServer]]:
    """Start servers with smtp_server("none" | "starttls" | "tls", port=None); all are stopped afterwards."""
    started: list[SmtpServer] = []

    def start(security: str = "none", port: int | None = None) -> SmtpServer:
        server = SmtpServer(security, tls_files, port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def watchlist() -> Watchlist:
    return load_watchlists(sorted(str(p) for p in SAMPLES.glob("*.yaml")))


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    def make(smtp: SmtpConfig | None = None, **alerts: Any) -> Config:
        return Config(
            paths=PathsConfig(var_dir=str(tmp_path / "var")),
            smtp=smtp or SmtpConfig(),
            alerts=AlertsConfig(**alerts),
        )

    return make


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteLeadStore]:
    with SqliteLeadStore(tmp_path / "var" / "netsword.db") as lead_store:
        yield lead_store  # type: ignore[misc]


def make_lead(
    listing_id: str, score: int, *, title: str = "", entry: str = "tm-nike", platform: str = "taobao",
    price: float = 189.0, seller: str = "潮鞋工厂店", owner: str = "Nike Innovate C.V.",
) -> Lead:  # fmt: skip
    title = title or f"耐克 Air Max 270 高仿 1:1 原单 {listing_id}"
    listing = {"id": listing_id, "platform": platform, "url": f"https://{platform}.example.com/item/{listing_id}",
               "title": title, "price": price, "currency": "CNY", "seller": {"name": seller}}  # fmt: skip
    return Lead(
        lead_id=make_lead_id(platform, listing_id, entry), listing_id=listing_id, platform=platform,
        url=listing["url"], entry_id=entry, kind="trademark", score=score, matched="耐克",
        reasons=(Reason("variant_mark", "“耐克” is a registered form of NIKE"), Reason("cue_replica", "高仿 1:1")),
        listing=listing, first_seen="2026-11-20T08:00:00Z", last_seen="2026-11-20T08:00:00Z", owner=owner,
    )  # fmt: skip


def write_rules(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def new_lead() -> Callable[..., Lead]:
    return make_lead


@pytest.fixture
def stored(store: SqliteLeadStore) -> Callable[..., tuple[Lead, str]]:
    """Store a lead through the lead sink as every writer does; returns (stored lead, outcome) for a listener."""

    def upsert(lead: Lead) -> tuple[Lead, str]:
        item = LeadSink(store).write([lead]).stored[0]
        assert item is not None
        return item.lead, item.outcome

    return upsert


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], int]:
    """`netsword` with only the alerts commands loaded, so other command groups in progress cannot break these tests."""
    import netsword.cli

    monkeypatch.setattr(netsword.cli, "COMMAND_MODULES", ("netsword.cli.alerts_cmd",))
    return netsword.cli.main


@pytest.fixture
def unused_port() -> int:
    return free_port()
