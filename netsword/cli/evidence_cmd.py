"""`netsword evidence verify` (recompute every hash; exit 1 on a mismatch) and `netsword evidence capture URL`."""

from __future__ import annotations

import argparse
import asyncio

from evidence.store import EvidenceStore
from netsword.cli import UsageError
from netsword.cli.common import config_of
from netsword.cli.terminal import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evidence", help="verify or capture evidence (raw page, screenshot, hashes)")
    sub = p.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)
    v = sub.add_parser("verify", help="recompute the SHA-256 of every evidence file; exit 1 when any differs")
    v.set_defaults(func=verify)
    c = sub.add_parser("capture", help="capture a page now: raw response, full-page screenshot, hashes")
    c.add_argument("url", help="the page to capture (http or https)")
    c.add_argument("--platform", default="", help="platform name for the manifest (default: the URL's host)")
    c.add_argument("--listing-id", default="", help="listing id for the manifest (default: the URL)")
    c.add_argument("--profile", default="manual", help="profile name for the manifest")
    c.set_defaults(func=capture)


def verify(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    report = EvidenceStore(cfg.evidence_dir).verify()
    for problem in report.problems:
        print(problem)
    print(f"evidence {cfg.evidence_dir}: {report.captures} captures, {report.files} files, "
          f"{len(report.problems)} problems")  # fmt: skip
    return 0 if report.ok else 1


def capture(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from crawler.capture import CaptureError, capture_url
    from netsword.browser import BrowserNotFound

    parts = urlsplit(args.url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{args.url!r}: must be an http(s) URL")
    cfg = config_of(args)
    store = EvidenceStore(cfg.evidence_dir)
    try:
        result = asyncio.run(
            capture_url(
                cfg,
                store,
                args.url,
                platform=args.platform or parts.hostname or "manual",
                listing_id=args.listing_id or args.url,
                profile=args.profile,
            )
        )
    except BrowserNotFound as exc:
        raise UsageError(str(exc)) from None
    except CaptureError as exc:
        print(f"netsword: {exc}")
        return 1
    print(f"captured {result.capture_id} at {result.captured_at}")
    if result.final_url and result.final_url != args.url:
        print(f"  redirected to {printable(result.final_url)}")
    for item in result.files:
        print(f"  {item.role:10s} {item.sha256} {item.size} bytes {item.media_type}")
    return 0
