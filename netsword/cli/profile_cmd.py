"""`netsword profile list` and `netsword profile check PROFILE (--url URL | --file PAGE)`: see what a profile reads.

`check` reads one page — a saved file, or a URL fetched once through the crawl machinery (robots.txt, politeness,
the profile's headers and cookies, Chromium for `render: browser`; crawler.spiders.profile_check) — and prints each
listing's fields, how often each field is filled, and warnings: no listings, no price, no seller, garbled text (U+FFFD
or mojibake), a block or login page (a redirect to one too), an error answer (4xx/5xx: the crawl reads nothing from
it), fields mostly empty. It stores nothing. Exit status 0 when listings were read from a 2xx answer that is no
block page, 1 otherwise, 2 for a bad profile or option.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netsword.cli import UsageError
from netsword.cli.common import config_of
from netsword.cli.terminal import printable


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("profile", help="list platform profiles, or check what one reads from a page")
    sub = p.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the bundled profiles and yours (crawler.profiles_dir)")
    listing.set_defaults(func=run_list)
    check = sub.add_parser("check", help="read one page with a profile and show what it gives; stores nothing")
    check.add_argument("profile", help="a profile name (yours or bundled) or a profile YAML file")
    source = check.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", metavar="URL", help="fetch this page once, politely, as a crawl would")
    source.add_argument("--file", metavar="PAGE", help="a saved page (curl -o page.html URL, or the browser's Save)")
    check.add_argument("--detail", action="store_true", help="the page is a detail page, not search results")
    check.add_argument("--base-url", default="", metavar="URL", help="point the profile at another address")
    check.add_argument("--content-type", default="", metavar="TYPE",
                       help="the saved page's Content-Type, e.g. 'text/html; charset=gbk' (default: what the page "
                            "declares, else detected)")  # fmt: skip
    check.add_argument("--page-url", default="", metavar="URL", help="the saved page's address (resolves links)")
    check.add_argument("--limit", type=int, default=20, metavar="N", help="listings to print (default 20)")
    check.set_defaults(func=run_check)


def run_list(args: argparse.Namespace) -> int:
    from crawler.profile_loader import ProfileError, load_profile, profile_files

    user_dir = config_of(args).crawler.profiles_dir
    if user_dir and not Path(user_dir).is_dir():
        print(f"netsword: crawler.profiles_dir: {user_dir}: no such folder", file=sys.stderr)
    for name, path, origin in profile_files(user_dir):
        try:
            profile = load_profile(path)
            about = f"{profile.platform}, {profile.render}, {profile.search.format}: {profile.description}"
        except ProfileError as exc:
            about = f"invalid: {exc}"
        print(f"{printable(name):24s} {origin:7s} {printable(str(path))}  {printable(about)}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from crawler.profile_check import check_page, report_lines
    from crawler.profile_loader import ProfileError, load_profile

    cfg = config_of(args)
    try:
        profile = load_profile(args.profile, user_dir=cfg.crawler.profiles_dir)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.base_url:
        profile = profile.with_base_url(args.base_url)
    kind = "detail" if args.detail else "search"
    if args.detail and profile.detail is None:
        raise UsageError(f"{profile.source}: --detail: the profile has no detail section")
    if args.file:
        try:
            body: bytes | str = Path(args.file).read_bytes()
        except OSError as exc:
            raise UsageError(f"{args.file}: cannot read: {exc.strerror}") from None
        search_page = profile.absolute(profile.search_url.split("?")[0].replace("{keyword}", ""))
        page = {"url": args.page_url or search_page, "status": 200, "content_type": args.content_type,
                "body": body}  # fmt: skip
    else:
        page = fetch_page(args, str(profile.source), args.url, kind)
        if "error" in page:
            print(printable(f"netsword: {page['error']}"), file=sys.stderr)
            return 1
    report = check_page(profile, page["body"], page["url"], kind=kind, content_type=page["content_type"],
                        status=page["status"], location=page.get("location", ""))  # fmt: skip
    for line in report_lines(report, limit=args.limit):
        print(("  " if line.startswith("  ") else "") + printable(line))
    return 0 if report.ok else 1


def fetch_page(args: argparse.Namespace, profile: str, url: str, kind: str) -> dict[str, Any]:
    """One page through the crawl machinery (crawler.spiders.profile_check); nothing is stored."""
    from crawler.errors import CrawlSetupError
    from crawler.run import run_spider
    from crawler.spiders.profile_check import ProfileCheckSpider

    settings = {
        "NETSWORD_CONFIG_FILE": getattr(args, "config", None) or "",
        "NETSWORD_EVIDENCE": False,
        "NETSWORD_ALERTS": False,
        "LOG_LEVEL": "WARNING",
    }
    spider_args = {"profile": profile, "url": url, "kind": kind, "base_url": args.base_url}
    try:
        result = run_spider(ProfileCheckSpider, spider_args, settings)
    except CrawlSetupError as exc:
        raise UsageError(str(exc)) from None
    page = getattr(result.spider, "page", {}) or {"error": f"{url}: no answer"}
    return dict(page)
