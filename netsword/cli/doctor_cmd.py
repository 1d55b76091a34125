"""`netsword doctor`: what this installation found (Python, browser, store, SMTP); non-zero when something is missing."""

from __future__ import annotations

import argparse
import smtplib
import sys

from netsword.browser import CJK_FONT_HINT, browser_version, cjk_fonts, find_browser
from netsword.cli.common import config_of


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("doctor", help="check Python, browser, store and SMTP")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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

            line(True, "store", f"{cfg.store_url} ({store.count(LeadQuery())} leads)")
    except Exception as exc:  # noqa: BLE001 - doctor reports whatever goes wrong
        line(False, "store", f"{cfg.store_url}: {exc}")
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
