"""`netsword doctor`: what this installation found (Python, browser, store, keys, SMTP); non-zero when something is
missing. WARN lines (files others can read, a proxy without trusted_proxies) do not change the exit status."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from netsword.cli.common import config_of
from netsword.config import Config, ConfigError
from netsword.private_files import loose_mode


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check Python, browser, store, keys, file permissions and SMTP")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import smtplib

    from netsword.browser import CJK_FONT_HINT, browser_version, cjk_fonts, find_browser

    cfg = config_of(args)
    problems = 0

    def line(ok: bool, what: str, detail: str) -> None:
        nonlocal problems
        problems += 0 if ok else 1
        print(f"{'ok ' if ok else 'ERR'}  {what:8s} {detail}")

    line(sys.version_info >= (3, 11), "python", f"{sys.version.split()[0]} at {sys.executable}")
    browser = find_browser(cfg.browser.executable)
    if browser:
        line(True, "browser", f"{browser} ({browser_version(browser)})")
    else:
        line(False, "browser", "not found: apt-get install -y chromium, or set NETSWORD_BROWSER_EXECUTABLE")
    fonts = cjk_fonts()
    line(bool(fonts), "fonts", f"Chinese: {', '.join(fonts[:3])}" if fonts else f"no Chinese font: {CJK_FONT_HINT}")
    try:
        from leads.store import open_store_from_config

        with open_store_from_config(cfg) as store:
            from leads.store import LeadQuery

            damage = store.integrity_problems()
            line(not damage, "store", f"{cfg.store_url} ({store.count(LeadQuery())} leads)" + (
                f": {'; '.join(damage)}" if damage else ", integrity ok"))  # fmt: skip
    except Exception as exc:  # noqa: BLE001 - doctor reports whatever goes wrong
        line(False, "store", f"{cfg.store_url}: {exc}")
    _check_databases(cfg, line)
    _check_keys(cfg, line)
    _check_private(cfg)
    _check_redis(cfg, line)
    _check_crawl_access(cfg, line)
    _check_timestamps(cfg, line)
    if not cfg.smtp.host:
        print(f"ok   smtp     not configured: mail is written to {cfg.outbox_dir}/ as .eml files")
    else:
        try:
            with smtplib.SMTP(cfg.smtp.host, cfg.smtp.port, timeout=min(cfg.smtp.timeout, 10)) as smtp:
                code, _ = smtp.noop()
            line(code == 250, "smtp", f"{cfg.smtp.host}:{cfg.smtp.port} answered {code}")
        except OSError as exc:
            line(False, "smtp", f"{cfg.smtp.host}:{cfg.smtp.port}: {exc}")
    return 1 if problems else 0


def _check_databases(cfg: Config, line: Callable[[bool, str, str], None]) -> None:
    """SQLite's integrity check on every other database NetSword keeps in var/ (the store checks its own file)."""
    from leads.store import sqlite_file_of
    from netsword.sqlite_db import integrity_problems

    store_file = sqlite_file_of(cfg.store_url)
    files = set(cfg.var_dir.glob("*.db")) if cfg.var_dir.is_dir() else set()
    for path in sorted(files):
        if store_file is not None and path.resolve() == store_file.resolve():
            continue
        problems = integrity_problems(path)
        line(not problems, "database", f"{path}: integrity ok" if not problems else "; ".join(problems))


def _check_timestamps(cfg: Config, line: Callable[[bool, str, str], None]) -> None:
    """[timestamps]: the trust roots load, and how many captures wait for a trusted timestamp (and why)."""
    from evidence.timestamps import TimestampBook, TsaSettings
    from netsword.sqlite_db import has_table

    if not cfg.timestamps.tsa_urls:
        print("ok   timestamp not configured: captures get no trusted timestamp ([timestamps], docs/evidence.md)")
        return
    try:
        settings = TsaSettings.from_config(cfg)
    except ConfigError as exc:
        line(False, "timestamp", str(exc))
        return
    waiting, error = 0, ""
    if has_table(cfg.evidence_dir / "ledger.db", "timestamp_queue"):
        book = TimestampBook(cfg.evidence_dir)
        try:
            waiting, error = book.waiting(), book.last_error()
        finally:
            book.close()
    detail = f"{len(settings.tsa_urls)} TSA(s), {len(settings.roots)} trust root(s); {waiting} captures queued"
    if waiting and error:
        _warn("timestamp", f"{detail}; last error: {error} (netsword evidence timestamp)")
    else:
        line(True, "timestamp", detail)


def _check_redis(cfg: Config, line: Callable[[bool, str, str], None]) -> None:
    """Distributed crawls: the configured Redis answers, else a redis-server is there to start (a WARN when not:
    only `netsword crawl --distributed` needs one)."""
    from netsword.redis_server import find_redis_server, redis_version

    if cfg.distributed.redis_url:
        from crawler.distributed.connection import RedisUnavailable, connect

        try:
            connect(cfg).close()
            line(True, "redis", f"{cfg.distributed.redis_url} answers")
        except RedisUnavailable as exc:
            line(False, "redis", str(exc))
        return
    found = find_redis_server(cfg.distributed.redis_server)
    if found:
        line(True, "redis", f"{found} ({redis_version(found)}): started for `netsword crawl --distributed --workers N`")
    else:
        _warn("redis", "no redis-server: distributed crawls need one (apt-get install -y redis-server) or "
                       "distributed.redis_url")  # fmt: skip


def _check_crawl_access(cfg: Config, line: Callable[[bool, str, str], None]) -> None:
    """crawler.sessions (readable, not expired, private) and crawler.proxies (readable, well-formed), as a crawl would
    read them before it starts; no cookie value or proxy password is printed."""
    import time

    from crawler.errors import CrawlSetupError
    from crawler.platform_config import per_platform
    from crawler.proxies import load_proxies
    from crawler.sessions import load_session

    try:
        entries = per_platform(cfg.crawler.sessions, "crawler.sessions")
    except CrawlSetupError as exc:
        line(False, "sessions", str(exc))
        entries = {}
    for platform, files in entries.items():
        try:
            session = load_session(platform, files[0])
        except CrawlSetupError as exc:
            line(False, "sessions", str(exc))
            continue
        expiries = [c.expires for c in session.cookies if c.expires]
        soonest = min(expiries) if expiries else None
        when = time.strftime("%Y-%m-%d", time.gmtime(soonest)) if soonest else "at the end of a browser session"
        line(
            True, "sessions", f"{platform}: {session.source} ({len(session.cookies)} cookies; the first expires {when})"
        )
        if soonest is not None and soonest - time.time() < 2 * 86400:
            _warn("sessions", f"{platform}: a cookie expires within two days: log in again soon")
        loose = loose_mode(session.source)
        if loose:
            _warn("sessions", f"{session.source}: {loose}: chmod 600 {session.source}")
    try:
        proxies = load_proxies(cfg.crawler.proxies)
    except CrawlSetupError as exc:
        line(False, "proxies", str(exc))
        return
    for platform, urls in proxies.items():
        line(True, "proxies", f"{platform}: {len(urls)} prox{'y' if len(urls) == 1 else 'ies'}")


def _warn(what: str, detail: str) -> None:
    print(f"WARN {what:8s} {detail}")


def _check_keys(cfg: Config, line: Callable[[bool, str, str], None]) -> None:
    """Keys apart from the data, private, and none left where older versions kept them."""
    from netsword.keys import (
        AUDIT,
        EVIDENCE,
        LEGACY_FILES,
        PARCELS_PII,
        TRIAGE_SESSION,
        KeyRing,
        inside,
        migration_hint,
    )

    ring = KeyRing(cfg)
    if inside(ring.directory, cfg.var_dir):
        line(False, "keys", f"keys.dir {ring.directory} is inside {cfg.var_dir}: a copy of var/ would hold the keys")
        return
    loose = loose_mode(ring.directory)
    if loose:
        _warn("keys", f"{ring.directory}: {loose}: chmod 700 {ring.directory}")
    clean = True
    for name in (AUDIT, PARCELS_PII, TRIAGE_SESSION, EVIDENCE):
        legacy = cfg.var_dir / LEGACY_FILES[name] if name in LEGACY_FILES else None
        where = ring.env.where(name) if ring.env.get(name) else str(ring.directory / f"{name}.key")
        if legacy is not None and legacy.exists():
            clean = False
            if name == PARCELS_PII:
                line(False, "keys", migration_hint(legacy, ring.directory / f"{name}.key"))
            else:
                _warn("keys", f"{legacy}: no longer used (now {where}): rm {legacy}")
        key_file = ring.directory / f"{name}.key"
        if loose_mode(key_file):
            clean = False
            line(False, "keys", f"{key_file}: {loose_mode(key_file)}: chmod 600 {key_file}")
    if clean:
        print(f"ok   keys     {ring.directory} (back it up apart from {cfg.var_dir}; see docs/security.md)")


def _check_private(cfg: Config) -> None:
    """var/ and the databases in it are readable by their owner only."""
    paths = [cfg.var_dir, cfg.evidence_dir, cfg.var_dir / "triage.db", cfg.var_dir / "scheduler.db",
             cfg.var_dir / "parcels.db"]  # fmt: skip
    from leads.store import sqlite_file_of

    store_file = sqlite_file_of(cfg.store_url)
    if store_file is not None:
        paths.append(store_file)
    found = [(p, loose_mode(p)) for p in paths]
    for path, loose in found:
        if loose:
            fix = "chmod 700" if path.is_dir() else "chmod 600"
            _warn("files", f"{path}: {loose}: {fix} {path}")
    if not any(loose for _, loose in found):
        print(f"ok   files    {cfg.var_dir}: readable by its owner only")
    if cfg.triage.host not in ("127.0.0.1", "localhost", "::1") and not cfg.triage.trusted_proxies:
        _warn("triage", f"listening on {cfg.triage.host} with no triage.trusted_proxies: behind a TLS proxy every "
                        "client looks alike to login throttling")  # fmt: skip
