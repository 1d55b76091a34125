"""Trusted timestamps (RFC 3161) against a TSA of our own on 127.0.0.1: tokens verified on receipt and again by
verify; a tampered manifest, a TSA certificate from the wrong CA and an offline TSA (queued, retried) (issue 18)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rfc3161_client import decode_timestamp_response

from evidence import Blob, EvidenceStore
from evidence.custody import CAPTURED, TIMESTAMPED, custody_of
from evidence.timestamps import (
    TimestampBook,
    TimestampError,
    TsaSettings,
    request_for,
    stamp_pending,
    verify_response,
)
from evidence.verify import verify_store
from netsword.cli import main

sys.path.insert(0, str(Path(__file__).parent))
from tsa import Pki, TsaServer, make_pki, respond  # noqa: E402

KEY = b"evidence-key-for-tests-0123456789"


@pytest.fixture(scope="module")
def good() -> Pki:
    return make_pki("Trusted")


@pytest.fixture(scope="module")
def rogue() -> Pki:
    return make_pki("Rogue")


@pytest.fixture(scope="module")
def tsa(good: Pki):  # type: ignore[no-untyped-def]
    server = TsaServer(good)
    yield server
    server.stop()


def _store(root: Path, key: bytes | None = KEY) -> tuple[EvidenceStore, str]:
    store = EvidenceStore(root / "evidence", key=key)
    capture = store.add(blobs=[Blob("page", "<html>仿冒 listing</html>".encode(), "text/html")], platform="taobao",
                        listing_id="a1", url="https://taobao.example.com/item/a1", profile="html")  # fmt: skip
    return store, capture.capture_id


def _settings(urls: list[str], roots: list[Pki], retry: float = 3600.0) -> TsaSettings:
    return TsaSettings(tuple(urls), tuple(p.ca for p in roots), timeout=5.0, retry_seconds=retry)


def test_a_token_is_verified_kept_and_in_the_chain_of_custody(tmp_path: Path, tsa: TsaServer, good: Pki) -> None:
    store, cid = _store(tmp_path)
    report = stamp_pending(store, _settings([tsa.url], [good]))
    assert (report.queued, report.stamped, report.waiting, report.errors) == (1, 1, 0, [])
    [token] = list(TimestampBook(store.root).tokens(cid))
    response = decode_timestamp_response(token.response)
    assert response.tst_info.message_imprint.message.hex() == store.ledger.get(cid).manifest_sha256  # type: ignore[union-attr]
    assert stamp_pending(store, _settings([tsa.url], [good])).stamped == 0  # stamped once only
    checked = verify_store(store, need_key=True, roots=(good.ca,))
    assert checked.problems == [] and checked.timestamped == {cid} and checked.tokens == 1
    events = custody_of(store).events(cid)
    assert [e.event for e in events] == [CAPTURED, TIMESTAMPED] and events[1].detail["token_id"] == token.token_id


def test_a_manifest_changed_after_its_timestamp_is_caught(tmp_path: Path, tsa: TsaServer, good: Pki) -> None:
    # no evidence key: the ledger row can be rewritten along with the manifest, and only the token still tells
    store, cid = _store(tmp_path, key=None)
    assert stamp_pending(store, _settings([tsa.url], [good])).stamped == 1
    path = store.manifest_path(cid)
    forged = path.read_bytes().replace(b"taobao.example.com", b"jd.example.com")
    path.write_bytes(forged)
    conn = sqlite3.connect(store.root / "ledger.db")
    conn.execute("UPDATE captures SET manifest_sha256 = ? WHERE capture_id = ?",
                 (__import__("hashlib").sha256(forged).hexdigest(), cid))  # fmt: skip
    conn.commit()
    conn.close()
    problems = verify_store(store, roots=(good.ca,)).problems
    assert problems == [f"timestamp {next(TimestampBook(store.root).tokens()).token_id} of {cid}: the manifest changed "
                        "after it was timestamped at " + next(TimestampBook(store.root).tokens()).gen_time]  # fmt: skip
    with pytest.raises(TimestampError, match="message imprint does not match"):
        verify_response(decode_timestamp_response(next(TimestampBook(store.root).tokens()).response),
                        __import__("hashlib").sha256(forged).hexdigest(), (good.ca,))  # fmt: skip


def test_a_manifest_changed_before_its_timestamp_is_refused(tmp_path: Path, tsa: TsaServer, good: Pki) -> None:
    store, cid = _store(tmp_path)
    store.manifest_path(cid).write_bytes(store.manifest_path(cid).read_bytes() + b" ")
    before = tsa.requests
    report = stamp_pending(store, _settings([tsa.url], [good]))
    assert (report.stamped, report.refused, tsa.requests) == (0, 1, before)
    assert report.errors == [f"captures/{cid}.json: changed since it was written: not timestamped"]


def test_a_tsa_certificate_from_another_ca_is_rejected(tmp_path: Path, good: Pki, rogue: Pki) -> None:
    server = TsaServer(rogue)
    try:
        store, cid = _store(tmp_path)
        report = stamp_pending(store, _settings([server.url], [good]))
        assert (report.stamped, report.waiting) == (0, 1) and server.requests == 1
        assert "does not verify" in report.errors[0] and "unable to get local issuer certificate" in report.errors[0]
        assert list(TimestampBook(store.root).tokens()) == []
        # a rogue token planted in the book (as if received unchecked) fails verify
        manifest = store.manifest_path(cid).read_bytes()
        planted = decode_timestamp_response(respond(request_for(manifest).as_bytes(), rogue))
        TimestampBook(store.root).keep(cid, store.ledger.get(cid).manifest_sha256, server.url, planted)  # type: ignore[union-attr]
        problems = verify_store(store, need_key=True, roots=(good.ca,)).problems
        assert len(problems) == 1 and "unable to get local issuer certificate" in problems[0]
        # trusting the rogue CA instead makes the same token valid: the roots decide
        assert verify_store(store, need_key=True, roots=(rogue.ca,)).problems == []
    finally:
        server.stop()


def test_an_offline_tsa_leaves_the_capture_queued_and_a_later_run_stamps_it(tmp_path: Path, good: Pki) -> None:
    probe = TsaServer(good)
    port, url = probe.port, probe.url
    probe.stop()  # nothing listens there now: the TSA is offline
    store, cid = _store(tmp_path)
    settings = _settings([url], [good], retry=600.0)
    report = stamp_pending(store, settings)
    assert (report.stamped, report.waiting) == (0, 1) and "ConnectError" in report.errors[0]
    row = TimestampBook(store.root).state_of(cid)
    assert row is not None and row["state"] == "queued" and row["attempts"] == 1 and row["next_try_at"] > row["queued_at"]
    server = TsaServer(good, port=port)  # back online
    try:
        assert stamp_pending(store, settings).stamped == 0 and server.requests == 0  # not due yet: no request
        conn = sqlite3.connect(store.root / "ledger.db")
        conn.execute("UPDATE timestamp_queue SET next_try_at = '2000-01-01T00:00:00Z'")  # the wait has passed
        conn.commit()
        conn.close()
        report = stamp_pending(store, settings)
        assert (report.stamped, report.waiting, report.errors, server.requests) == (1, 0, [], 1)
    finally:
        server.stop()
    assert verify_store(store, need_key=True, roots=(good.ca,)).timestamped == {cid}


def test_the_chain_is_checked_at_the_tokens_time() -> None:
    old = make_pki("Expired", not_before=datetime(2020, 1, 1, tzinfo=UTC), days=366)
    manifest = b'{"capture_id": "cap-1"}'
    sha = __import__("hashlib").sha256(manifest).hexdigest()
    during = decode_timestamp_response(respond(request_for(manifest).as_bytes(), old,
                                               now=datetime(2020, 6, 1, tzinfo=UTC)))  # fmt: skip
    verify_response(during, sha, (old.ca,))  # valid then, so valid now, years after the certificate expired
    after = decode_timestamp_response(respond(request_for(manifest).as_bytes(), old,
                                              now=datetime(2022, 6, 1, tzinfo=UTC)))  # fmt: skip
    with pytest.raises(TimestampError, match="certificate has expired"):
        verify_response(after, sha, (old.ca,))


def test_the_command(isolated: Path, tsa: TsaServer, good: Pki, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    root = good.write_root(isolated / "tsa-root.pem")
    assert main(["evidence", "timestamp"]) == 2  # no TSA configured: a usage error naming the setting
    assert "tsa_urls" in capsys.readouterr().err
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", tsa.url)
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(root))
    from netsword.config import load_config

    store = EvidenceStore.for_config(load_config())
    _, cid = store, store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao",
                              listing_id="a1", url="https://taobao.example.com/item/a1", profile="html").capture_id  # fmt: skip
    store.close()
    assert main(["evidence", "timestamp"]) == 0
    assert "1 captures stamped" in capsys.readouterr().out
    assert main(["evidence", "custody", cid]) == 0
    out = capsys.readouterr().out
    assert " captured " in out and " timestamped " in out
    main(["evidence", "verify"])  # exit 1: the capture is of a listing no lead has; no timestamp problem though
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("which no lead has") and len(lines) == 3
    assert lines[1] == "chain of custody: 2 events checked; trusted timestamps: 1 checked (1 captures)"


def test_the_scheduler_job(isolated: Path, tsa: TsaServer, good: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from netsword.config import load_config
    from scheduler.history import RunHistory
    from scheduler.jobs_loader import parse_jobs
    from scheduler.runner import JobRunner

    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(isolated / "var"))
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", tsa.url)
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(good.write_root(isolated / "root.pem")))
    cfg = load_config()
    store = EvidenceStore.for_config(cfg)
    cid = store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
                    url="https://taobao.example.com/item/a1", profile="html").capture_id  # fmt: skip
    store.close()
    history = RunHistory.for_config(cfg)
    try:
        specs = parse_jobs("jobs:\n  - {id: stamp, kind: evidence_timestamp, every: 15m}\n")
        record = JobRunner(cfg, {s.id: s for s in specs}, history, threading.Event()).run("stamp", trigger="run-now")
    finally:
        history.close()
    assert record.outcome == "ok" and "1 captures stamped" in record.message, record.message
    assert [t.capture_id for t in TimestampBook(cfg.evidence_dir).tokens()] == [cid]


def test_doctor_reports_the_timestamp_setup(isolated: Path, good: Pki, monkeypatch: pytest.MonkeyPatch,
                                            capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NETSWORD_BROWSER_EXECUTABLE", "/nonexistent/chromium")  # doctor fails on it: not our line
    main(["doctor"])
    assert "ok   timestamp not configured" in capsys.readouterr().out
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", "http://127.0.0.1:9/tsr")
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(isolated / "missing.pem"))
    main(["doctor"])
    assert "ERR  timestamp timestamps.trust_roots: " in capsys.readouterr().out
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(good.write_root(isolated / "root.pem")))
    from netsword.config import load_config

    store = EvidenceStore.for_config(load_config())
    store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
              url="https://taobao.example.com/item/a1", profile="html")  # fmt: skip
    assert main(["evidence", "timestamp"]) == 1  # nothing listens on port 9: queued
    capsys.readouterr()
    main(["doctor"])
    out = capsys.readouterr().out
    assert "WARN timestamp 1 TSA(s), 1 trust root(s); 1 captures queued; last error: http://127.0.0.1:9/tsr" in out


def test_the_next_tsa_is_asked_when_one_is_down(tmp_path: Path, tsa: TsaServer, good: Pki) -> None:
    probe = TsaServer(good)
    offline = probe.url
    probe.stop()
    store, first = _store(tmp_path)
    second = store.add(blobs=[Blob("page", b"<html>2</html>", "text/html")], platform="taobao", listing_id="a2",
                       url="https://taobao.example.com/item/a2", profile="html").capture_id  # fmt: skip
    report = stamp_pending(store, _settings([offline, tsa.url], [good]))
    assert (report.stamped, report.waiting, report.errors) == (2, 0, [])
    assert {t.tsa_url for t in TimestampBook(store.root).tokens()} == {tsa.url}
    assert {t.capture_id for t in TimestampBook(store.root).tokens()} == {first, second}


def test_a_tsa_password_is_used_and_never_recorded(isolated: Path, good: Pki, monkeypatch: pytest.MonkeyPatch,
                                                   capsys) -> None:  # type: ignore[no-untyped-def]
    """A password in a TSA URL (or in timestamps.tsa_password for a URL naming a user) authenticates to the TSA and
    appears nowhere: not in the store (ledger.db, tokens, custody log, queue errors), the record, or any output."""
    import gzip

    from netsword.config import load_config

    secret, other = "Sup3rSecret-url", "Sup3rSecret-env"
    server = TsaServer(good, basic_auth=("user", secret))
    env_server = TsaServer(good, basic_auth=("user", other))
    outputs: list[str] = []
    try:
        monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(isolated / "var"))
        monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(good.write_root(isolated / "root.pem")))
        monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", f"http://user:{secret}@127.0.0.1:9/tsr?key={secret}")
        store = EvidenceStore.for_config(load_config())
        cid = store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
                        url="https://taobao.example.com/item/a1", profile="html").capture_id  # fmt: skip
        store.close()
        assert main(["evidence", "timestamp"]) == 1  # nothing listens on port 9: the error is queued
        outputs += capsys.readouterr()
        book = TimestampBook(isolated / "var" / "evidence")
        outputs.append(book.last_error())
        book.close()
        assert "http://127.0.0.1:9/tsr" in outputs[-1]
        monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", f"http://user:{secret}@127.0.0.1:{server.port}/tsr")
        assert main(["evidence", "timestamp", "--all"]) == 0, capsys.readouterr()
        monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_URLS", f"http://user@127.0.0.1:{env_server.port}/tsr")
        monkeypatch.setenv("NETSWORD_TIMESTAMPS_TSA_PASSWORD", other)
        cfg = load_config()
        store = EvidenceStore.for_config(cfg)
        store.add(blobs=[Blob("page", b"<html>y</html>", "text/html")], platform="taobao", listing_id="a2",
                  url="https://taobao.example.com/item/a2", profile="html")  # fmt: skip
        stamped = stamp_pending(store, TsaSettings.from_config(cfg))
        store.close()
        assert env_server.requests == 1 and stamped.stamped == 1, stamped.errors  # the secret setting authenticated
        for args in (["custody", cid], ["record", cid], ["record", cid, "--format", "json"], ["verify"]):
            main(["evidence", *args])
            outputs += capsys.readouterr()
    finally:
        server.stop()
        env_server.stop()
    assert server.requests >= 1 and f"127.0.0.1:{server.port}/tsr" in "".join(outputs)
    for path in (isolated / "var").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            data = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
            assert secret.encode() not in data and other.encode() not in data, path
    for text in outputs:
        assert secret not in text and other not in text, text


def test_credentials_stored_before_redaction_are_not_shown(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A custody entry or queue error written by an older NetSword with the TSA's password in its URL: the chain's
    bytes stay as they are, `netsword evidence custody` and doctor's last error show the URL without it."""
    from netsword.config import load_config

    cfg = load_config()
    store = EvidenceStore.for_config(cfg)
    cid = store.add(blobs=[Blob("page", b"<html>x</html>", "text/html")], platform="taobao", listing_id="a1",
                    url="https://taobao.example.com/item/a1", profile="html").capture_id  # fmt: skip
    log = custody_of(store)
    log.append(TIMESTAMPED, cid, {"tsa_url": "http://user:Old-Secret@tsa.example/tsr", "token_id": "tst-1"})
    log.close()
    book = TimestampBook(store.root)
    book.enqueue_many([(cid, "ab" * 32)])
    book.failed(cid, "http://user:Old-Secret@tsa.example/tsr: ConnectError: refused", 60.0)
    assert book.last_error() == "http://tsa.example/tsr: ConnectError: refused"
    book.close()
    store.close()
    assert main(["evidence", "custody", cid]) == 0
    out = capsys.readouterr().out
    assert "http://tsa.example/tsr" in out and "Old-Secret" not in out and "user:" not in out
