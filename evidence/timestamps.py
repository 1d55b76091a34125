"""Trusted timestamps (RFC 3161) over each capture's manifest hash: queued, requested, verified, kept.

Every capture the ledger has as written is queued (table `timestamp_queue` in `ledger.db`, its own schema version
table) and `stamp_pending` (`netsword evidence timestamp`, by hand, from cron or a scheduler job) asks the
configured TSAs (`timestamps.tsa_urls`, in order) for a token over the SHA-256 of the manifest, as the ledger
recorded it and as the file still is. A token is kept only once verified on receipt (rfc3161-client): status
granted, the nonce of our request, the message imprint equal to the manifest hash, the CMS signature valid, and
the TSA's certificate (critical EKU id-kp-timeStamping) chaining to one of `timestamps.trust_roots`, checked at
the token's own time. When no TSA answers (offline, refused, a bad token) the capture stays queued and is tried
again after `timestamps.retry_seconds`, doubling per attempt up to six hours; nothing is dropped.
`check_tokens` (part of `netsword evidence verify`) checks every kept token again, over the manifest as it is now.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    TimeStampRequest,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from evidence.custody import TIMESTAMPED, custody_of, sync
from evidence.ledger import LEDGER_FILE, WRITTEN
from netsword.config import Config, ConfigError
from netsword.fetch_policy import redact
from netsword.models import utc_now
from netsword.sqlite_db import OpenedOnUse, SharedDatabase, has_table

if TYPE_CHECKING:
    import httpx

    from evidence.store import EvidenceStore

SHA256_OID = x509.ObjectIdentifier("2.16.840.1.101.3.4.2.1")
MAX_RESPONSE_BYTES = 256 * 1024  # a TimeStampResp is a few kilobytes; anything far larger is not one
MAX_RETRY_S = 6 * 3600
_USERINFO = re.compile(r"(https?://)[^/\s@\"']+@", re.IGNORECASE)
NOT_COVERED = "the manifest changed after it was timestamped"  # the token does not cover the manifest as it is now
QUEUED, STAMPED, REFUSED = "queued", "stamped", "refused"

_MIGRATIONS = (
    """
    CREATE TABLE timestamp_queue (
        capture_id TEXT PRIMARY KEY,
        manifest_sha256 TEXT NOT NULL,
        state TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_try_at TEXT NOT NULL,
        last_error TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX timestamp_queue_due ON timestamp_queue(state, next_try_at);
    CREATE TABLE timestamp_tokens (
        token_id TEXT PRIMARY KEY,
        capture_id TEXT NOT NULL,
        manifest_sha256 TEXT NOT NULL,
        tsa_url TEXT NOT NULL,
        gen_time TEXT NOT NULL,
        serial_number TEXT NOT NULL,
        policy TEXT NOT NULL,
        received_at TEXT NOT NULL,
        response BLOB NOT NULL
    );
    CREATE INDEX timestamp_tokens_capture ON timestamp_tokens(capture_id);
    """,
)


class TimestampError(RuntimeError):
    """A TSA could not be asked or its answer is not a valid token for this manifest (one line)."""


class TsaUnreachable(TimestampError):
    """No answer at all (no connection, a timeout): the TSA is not asked again in the same run."""


@dataclass(frozen=True)
class TsaSettings:
    tsa_urls: tuple[str, ...]
    roots: tuple[x509.Certificate, ...]
    timeout: float = 20.0
    retry_seconds: float = 300.0
    password: str = ""  # timestamps.tsa_password: for URLs that name a user and no password

    def auth(self, url: str) -> tuple[str, str] | None:
        """Basic-auth credentials for `url` from the secret setting (None: the URL's own userinfo, or none)."""
        parts = urlsplit(url)
        if self.password and parts.username and parts.password is None:
            return parts.username, self.password
        return None

    @classmethod
    def from_config(cls, cfg: Config) -> TsaSettings:
        """The [timestamps] settings with the trust roots read; ConfigError naming the key when one is wrong."""
        section = cfg.timestamps
        for url in section.tsa_urls:
            if not url.startswith(("http://", "https://")):
                raise ConfigError(f"timestamps.tsa_urls: must be http(s) URLs, got {redact(url)!r}")
        if section.tsa_urls and not section.trust_roots:
            raise ConfigError("timestamps.trust_roots: needed with timestamps.tsa_urls (the CA certificates, PEM, "
                              "that TSA certificates must chain to): tokens cannot be verified without them")  # fmt: skip
        if section.timeout <= 0 or section.retry_seconds <= 0:
            raise ConfigError("timestamps.timeout and timestamps.retry_seconds: must be more than 0")
        return cls(section.tsa_urls, load_roots(section.trust_roots), section.timeout, section.retry_seconds,
                   section.tsa_password)  # fmt: skip


def load_roots(paths: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    roots: list[x509.Certificate] = []
    for path in paths:
        try:
            found = x509.load_pem_x509_certificates(Path(path).expanduser().read_bytes())
        except OSError as exc:
            raise ConfigError(f"timestamps.trust_roots: {path}: {exc.strerror or exc}") from None
        except ValueError:
            raise ConfigError(f"timestamps.trust_roots: {path}: no PEM certificate in it") from None
        roots.extend(found)
    return tuple(roots)


@dataclass(frozen=True)
class Token:
    token_id: str
    capture_id: str
    manifest_sha256: str
    tsa_url: str
    gen_time: str  # the TSA's time, UTC, ISO 8601
    serial_number: str
    policy: str
    received_at: str
    response: bytes  # the DER TimeStampResp as received


@dataclass
class DrainReport:
    queued: int = 0  # captures newly queued from the ledger
    stamped: int = 0
    waiting: int = 0  # still queued after this run (failed now, or not due yet)
    refused: int = 0  # not timestamped: the manifest changed since it was written
    errors: list[str] = field(default_factory=list)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def request_for(manifest: bytes) -> TimeStampRequest:
    """A TimeStampReq over SHA-256 of `manifest`, with a random nonce and the TSA's certificate asked for."""
    return TimestampRequestBuilder().data(manifest).hash_algorithm(HashAlgorithm.SHA256).build()


def verify_response(response: TimeStampResponse, manifest_sha256: str, roots: tuple[x509.Certificate, ...], *,
                    nonce: int | None = None) -> None:  # fmt: skip
    """Raise TimestampError unless `response` is a granted token over `manifest_sha256` (SHA-256) whose signature
    and certificate chain (to one of `roots`, at the token's time; EKU id-kp-timeStamping) are valid."""
    if not roots:
        raise TimestampError("no trust roots configured (timestamps.trust_roots): the token cannot be checked")
    try:
        imprint = response.tst_info.message_imprint
        if imprint.hash_algorithm != SHA256_OID:
            raise TimestampError(f"the token's imprint is not SHA-256 ({imprint.hash_algorithm.dotted_string})")
        if imprint.message != bytes.fromhex(manifest_sha256):
            raise TimestampError("the token's message imprint does not match the manifest's SHA-256")
        builder = VerifierBuilder()
        for root in roots:
            builder = builder.add_root_certificate(root)
        if nonce is not None:
            builder = builder.nonce(nonce)
        builder.build().verify(response, bytes.fromhex(manifest_sha256))
    except VerificationError as exc:
        raise TimestampError(f"the token does not verify: {_reason(exc)}") from None
    except ValueError as exc:  # a malformed token the parser let through
        raise TimestampError(f"the token cannot be read: {exc}") from None


def _scrub(exc: Exception, url: str, shown: str, secret: str) -> str:
    """An error's text with the TSA's full URL replaced by the redacted one, and no password left in it."""
    text = str(exc).replace(url, shown) or "no answer"
    for password in (_password(url), secret):
        text = text.replace(password, "***") if password else text
    return text


def hide_userinfo(text: str) -> str:
    """`text` with the user and password of every http(s) URL in it left out (for what was stored before TSA URLs
    were redacted: custody entries cannot be changed, only shown without them)."""
    return _USERINFO.sub(r"\1", text)


def _password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def _reason(exc: Exception) -> str:
    """OpenSSL's own reason ("Verify error: certificate has expired") out of rfc3161-client's error stack."""
    text = str(exc)
    found = re.search(r'data: "([^"]+)"', text) or re.search(r'reason: "([^"]+)"', text)
    return found.group(1) if found else text[:300]


def ask_tsa(client: httpx.Client, url: str, manifest: bytes, manifest_sha256: str,
            settings: TsaSettings) -> TimeStampResponse:  # fmt: skip
    """POST a request for `manifest` to one TSA and return its verified response; TimestampError otherwise
    (TsaUnreachable when nothing answered). `client`: one httpx.Client for a whole run (no redirects)."""
    import httpx

    request = request_for(manifest)
    shown = redact(url)  # the URL as errors, the custody log and the store have it: no userinfo, no query string
    der = request.as_bytes()
    try:
        with client.stream("POST", url, content=der, auth=settings.auth(url),
                           headers={"Content-Type": "application/timestamp-query"}) as reply:  # fmt: skip
            if reply.status_code != 200:
                raise TimestampError(f"{shown}: HTTP {reply.status_code}")
            body = bytearray()
            for chunk in reply.iter_bytes():
                body += chunk
                if len(body) > MAX_RESPONSE_BYTES:
                    raise TimestampError(f"{shown}: answer larger than {MAX_RESPONSE_BYTES} bytes")
    except (httpx.TransportError, httpx.TimeoutException) as exc:
        raise TsaUnreachable(f"{shown}: {type(exc).__name__}: {_scrub(exc, url, shown, settings.password)}") from None
    except httpx.HTTPError as exc:
        raise TimestampError(f"{shown}: {type(exc).__name__}: {_scrub(exc, url, shown, settings.password)}") from None
    try:
        response = decode_timestamp_response(bytes(body))
    except ValueError as exc:
        raise TimestampError(f"{shown}: not a TimeStampResp ({_scrub(exc, url, shown, settings.password)})") from None
    if response.status not in (0, 1):
        raise TimestampError(f"{shown}: refused (PKIStatus {response.status}: {'; '.join(response.status_string)})")
    try:
        verify_response(response, manifest_sha256, settings.roots, nonce=request.nonce)
    except TimestampError as exc:
        raise TimestampError(f"{shown}: {_scrub(exc, url, shown, settings.password)}") from None
    return response


class _TimestampDB(SharedDatabase):
    MIGRATIONS = _MIGRATIONS
    VERSION_TABLE = "timestamp_schema"
    LABEL = "evidence timestamps"


class TimestampBook:
    """The queue and the tokens of one evidence directory (in its ledger.db, opened on first use)."""

    def __init__(self, root: Path) -> None:
        self.path = Path(root) / LEDGER_FILE
        self._opened = OpenedOnUse(_TimestampDB, self.path)

    def _db(self) -> _TimestampDB:
        return self._opened.get()

    def close(self) -> None:
        self._opened.close()

    def enqueue(self, capture_id: str, manifest_sha256: str) -> bool:
        """Queue a capture (due now); False when it is queued or stamped already."""
        return self.enqueue_many([(capture_id, manifest_sha256)]) == 1

    def enqueue_many(self, captures: Iterable[tuple[str, str]]) -> int:
        """Queue the (capture id, manifest SHA-256) pairs not queued yet, in one transaction; how many were new."""
        known = {r[0] for r in self._db().query("SELECT capture_id FROM timestamp_queue")}
        now = utc_now()
        fresh = [(cid, sha, QUEUED, now, now) for cid, sha in dict(captures).items() if cid not in known]
        if fresh:
            with self._db().transaction() as db:
                db.executemany("INSERT OR IGNORE INTO timestamp_queue (capture_id, manifest_sha256, state, queued_at, "
                               "next_try_at) VALUES (?, ?, ?, ?, ?)", fresh)  # fmt: skip
        return len(fresh)

    def due(self, now: str, *, everything: bool = False) -> list[sqlite3.Row]:
        return self._db().query(
            "SELECT * FROM timestamp_queue WHERE state = ? AND (? OR next_try_at <= ?) ORDER BY queued_at",
            (QUEUED, int(everything), now),
        )

    def waiting(self) -> int:
        return int(self._db().query("SELECT count(*) FROM timestamp_queue WHERE state = ?", (QUEUED,))[0][0])

    def last_error(self) -> str:
        """The most recent error of a capture still queued ("" when none failed)."""
        found = self._db().query("SELECT last_error FROM timestamp_queue WHERE state = ? AND last_error != '' "
                                 "ORDER BY next_try_at DESC LIMIT 1", (QUEUED,))  # fmt: skip
        return hide_userinfo(str(found[0][0])) if found else ""  # errors kept before URLs were redacted

    def state_of(self, capture_id: str) -> sqlite3.Row | None:
        found = self._db().query("SELECT * FROM timestamp_queue WHERE capture_id = ?", (capture_id,))
        return found[0] if found else None

    def failed(self, capture_id: str, error: str, retry_seconds: float) -> None:
        with self._db().transaction() as db:
            row = db.execute("SELECT attempts FROM timestamp_queue WHERE capture_id = ?", (capture_id,)).fetchone()
            attempts = (row["attempts"] if row else 0) + 1
            wait = min(MAX_RETRY_S, retry_seconds * 2 ** (attempts - 1))
            later = _iso(datetime.now(UTC) + timedelta(seconds=wait))
            db.execute("UPDATE timestamp_queue SET attempts = ?, next_try_at = ?, last_error = ? WHERE capture_id = ?",
                       (attempts, later, error[:500], capture_id))  # fmt: skip

    def refuse(self, capture_id: str, error: str) -> None:
        with self._db().transaction() as db:
            db.execute("UPDATE timestamp_queue SET state = ?, last_error = ? WHERE capture_id = ?",
                       (REFUSED, error[:500], capture_id))  # fmt: skip

    def keep(self, capture_id: str, manifest_sha256: str, url: str, response: TimeStampResponse) -> Token:
        """Store a verified token and mark the capture stamped."""
        der = response.as_bytes()
        info = response.tst_info
        token = Token(
            token_id="tst-" + hashlib.sha256(der).hexdigest()[:24],
            capture_id=capture_id,
            manifest_sha256=manifest_sha256,
            tsa_url=url,
            gen_time=_iso(info.gen_time if info.gen_time.tzinfo else info.gen_time.replace(tzinfo=UTC)),
            serial_number=str(info.serial_number),
            policy=info.policy.dotted_string,
            received_at=utc_now(),
            response=der,
        )
        with self._db().transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO timestamp_tokens (token_id, capture_id, manifest_sha256, tsa_url, gen_time, "
                "serial_number, policy, received_at, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (token.token_id, capture_id, manifest_sha256, url, token.gen_time, token.serial_number, token.policy,
                 token.received_at, der),
            )  # fmt: skip
            db.execute("UPDATE timestamp_queue SET state = ?, last_error = '' WHERE capture_id = ?",
                       (STAMPED, capture_id))  # fmt: skip
        return token

    def tokens(self, capture_id: str | None = None) -> Iterator[Token]:
        if not has_table(self.path, "timestamp_tokens"):  # read-only: verify and record create nothing
            return
        rows = self._db().query(
            "SELECT * FROM timestamp_tokens WHERE (? IS NULL OR capture_id = ?) ORDER BY received_at, token_id",
            (capture_id, capture_id),
        )
        for row in rows:
            yield Token(row["token_id"], row["capture_id"], row["manifest_sha256"], row["tsa_url"], row["gen_time"],
                        row["serial_number"], row["policy"], row["received_at"], bytes(row["response"]))  # fmt: skip


def stamp_pending(store: EvidenceStore, settings: TsaSettings, *, everything: bool = False,
                  actor: str = "netsword") -> DrainReport:  # fmt: skip
    """Queue every written capture not queued yet, then ask the TSAs for each one due (`everything`: due or not).
    Each token is verified before it is kept and recorded in the custody log (`timestamped`)."""
    import httpx

    report = DrainReport()
    book = TimestampBook(store.root)
    custody = custody_of(store)
    client = httpx.Client(timeout=settings.timeout, follow_redirects=False)
    down: dict[str, str] = {}  # TSAs that did not answer in this run, with why: not asked again until the next run
    try:
        sync(store, custody)
        report.queued = book.enqueue_many((row.capture_id, row.manifest_sha256) for row in store.ledger.captures()
                                          if row.state == WRITTEN)  # fmt: skip
        for item in book.due(utc_now(), everything=everything):
            cid, sha = item["capture_id"], item["manifest_sha256"]
            try:
                manifest = store.manifest_path(cid).read_bytes()
            except OSError as exc:
                book.failed(cid, f"cannot read the manifest: {exc.strerror or exc}", settings.retry_seconds)
                report.errors.append(f"{cid}: cannot read its manifest ({exc.strerror or exc}); kept queued")
                continue
            if hashlib.sha256(manifest).hexdigest() != sha:
                book.refuse(cid, "the manifest changed since it was written")
                report.refused += 1
                report.errors.append(f"captures/{cid}.json: changed since it was written: not timestamped")
                continue
            failures = [down[url] for url in settings.tsa_urls if url in down]
            for url in (u for u in settings.tsa_urls if u not in down):
                try:
                    response = ask_tsa(client, url, manifest, sha, settings)
                except TsaUnreachable as exc:
                    down[url] = str(exc)
                    failures.append(str(exc))
                    continue
                except TimestampError as exc:
                    failures.append(str(exc))
                    continue
                token = book.keep(cid, sha, redact(url), response)
                custody.append(TIMESTAMPED, cid, {"token_id": token.token_id, "tsa_url": token.tsa_url,
                                                  "gen_time": token.gen_time, "serial_number": token.serial_number,
                                                  "manifest_sha256": sha}, actor=actor)  # fmt: skip
                report.stamped += 1
                break
            else:
                error = "; ".join(failures) or "no TSA configured (timestamps.tsa_urls)"
                book.failed(cid, error, settings.retry_seconds)
                report.errors.append(f"{cid}: {error}; kept queued")
        report.waiting = book.waiting()
    finally:
        client.close()
        custody.close()
        book.close()
    return report


@dataclass
class TokenReport:
    tokens: int = 0
    stamped: set[str] = field(default_factory=set)  # capture ids with a valid token
    problems: list[str] = field(default_factory=list)
    states: dict[str, str | None] = field(default_factory=dict)  # token id → its problem (None: valid)


def check_tokens(store: EvidenceStore, roots: tuple[x509.Certificate, ...], capture_id: str | None = None) -> TokenReport:
    """Verify every kept token again (or those of `capture_id`): over the manifest's SHA-256 as the ledger recorded
    it AND as the file is now, signature and chain to `roots` at the token's time. A capture removed by retention is
    not checked. `report.states` has each checked token's problem (None: valid)."""
    report = TokenReport()
    if not (store.root / LEDGER_FILE).exists():
        return report
    book = TimestampBook(store.root)
    try:
        for token in book.tokens(capture_id):
            row = store.ledger.get(token.capture_id)
            if row is not None and row.state != WRITTEN:
                continue
            report.tokens += 1
            problem = token_problem(store, token, row.manifest_sha256 if row is not None else None, roots)
            report.states[token.token_id] = problem
            if problem:
                report.problems.append(f"timestamp {token.token_id} of {token.capture_id}: {problem}")
            else:
                report.stamped.add(token.capture_id)
    finally:
        book.close()
    return report


def token_problem(store: EvidenceStore, token: Token, ledger_sha256: str | None,
                  roots: tuple[x509.Certificate, ...] | None) -> str | None:  # fmt: skip
    """Why `token` does not hold for its manifest as it is now (None: it does). It must cover the manifest's current
    SHA-256, which must also be the ledger's (`ledger_sha256`, None: no row); with `roots` not None, its signature and
    chain must verify too."""
    path = store.manifest_path(token.capture_id)
    if not path.is_file():
        return "the manifest it covers is missing"
    current = hashlib.sha256(path.read_bytes()).hexdigest()
    if current != token.manifest_sha256 or (ledger_sha256 is not None and ledger_sha256 != current):
        return f"{NOT_COVERED} at {token.gen_time}"
    if roots is None:
        return None
    try:
        verify_response(decode_timestamp_response(token.response), current, roots)
    except (TimestampError, ValueError) as exc:
        return str(exc)
    return None
