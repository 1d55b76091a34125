"""`netsword worker PROFILE… [--name NAME]`: a distributed crawl worker (docs/distributed.md).

Takes requests from each platform's shared queue in Redis (`distributed.redis_url`, or --redis-url), fetches and
parses them like `netsword crawl`, and hands listings to the writer (`netsword writer`) through Redis. Runs until
stopped (SIGTERM or Ctrl-C: its requests in flight go back to the queue; SIGKILL: they go back once its liveness key
expires, after distributed.worker_ttl seconds), or with --max-idle after that many seconds with nothing to do.
A worker that stalls longer than distributed.worker_ttl is reaped meanwhile (its pages go to another worker); when it
resumes it hands over nothing more and stops with the reason `reaped`.
Exit status: 0 stopped or idle, 1 reaped (start it again), 2 bad input or setup (no Redis, bad profile).
"""

from __future__ import annotations

import argparse
import os
import socket

from netsword.cli import UsageError
from netsword.cli.common import config_of


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("worker", help="a distributed crawl worker: crawl what the platforms' Redis queues hold")
    p.add_argument("profile", nargs="+", help="profile name(s) or YAML file(s): the platforms this worker crawls")
    p.add_argument("--name", default="", help="this worker's name (default: HOST-PID); unique among running workers")
    p.add_argument("--redis-url", default="", metavar="URL", help="the Redis to use (default: distributed.redis_url)")
    p.add_argument("--base-url", default="", metavar="URL", help="point the profile(s) at another address")
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) for evidence decisions")
    p.add_argument("--no-evidence", action="store_true", help="do not capture evidence for listings with leads")
    p.add_argument("--max-idle", type=int, default=0, metavar="S", help="stop after S seconds with nothing to do")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting, as `scrapy crawl -s NAME=VALUE` (repeatable)")  # fmt: skip
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from crawler.distributed.connection import RedisUnavailable, connect
    from crawler.distributed.worker import run_workers
    from crawler.errors import CrawlSetupError
    from crawler.profile_loader import ProfileError, load_profile

    cfg = config_of(args)
    try:
        platforms = [load_profile(p).platform for p in args.profile]
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if len(set(platforms)) != len(platforms):
        raise UsageError("each profile must be of another platform (they share the platform's queue)")
    if args.max_idle < 0:
        raise UsageError("--max-idle: must be ≥ 0")
    try:
        connect(cfg, args.redis_url).close()
    except RedisUnavailable as exc:
        raise UsageError(str(exc)) from None
    name = args.name or f"{socket.gethostname()}-{os.getpid()}"
    overrides = {
        "NETSWORD_CONFIG_FILE": getattr(args, "config", None) or "",
        "NETSWORD_WATCHLISTS": list(args.watchlist or []),
        "NETSWORD_EVIDENCE": not args.no_evidence,
        "NETSWORD_ALERTS": False,
        "NETSWORD_REDIS_URL": args.redis_url,
        "MAX_IDLE_TIME_BEFORE_CLOSE": args.max_idle,
    }
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"-s {item}: must be NAME=VALUE")
        overrides[key.strip()] = value
    print(f"worker {name}: {', '.join(platforms)}", flush=True)
    try:
        stats = run_workers(args.profile, worker=name, base_url=args.base_url, overrides=overrides)
    except (CrawlSetupError, ProfileError) as exc:
        raise UsageError(str(exc)) from None
    reaped = False
    for profile, figures in stats.items():
        fetched = figures.get("downloader/response_count", 0)
        handed = figures.get("netsword/handoff_listings", 0)
        print(f"worker {name} {profile}: {figures.get('finish_reason', '?')}; {fetched} responses, "
              f"{handed} listings handed to the writer", flush=True)  # fmt: skip
        reaped = reaped or figures.get("finish_reason") == "reaped"
    return 1 if reaped else 0
