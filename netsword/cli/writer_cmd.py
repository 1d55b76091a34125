"""`netsword writer [--name NAME]`: the one process that stores what distributed workers find (docs/distributed.md).

Reads every platform's items stream in Redis and stores the listings through the crawl's own lead path (matching,
listing keeping, lead sink, alert listeners), keeping each run's ledger. One writer runs at a time: a second one
waits. Runs until SIGTERM/Ctrl-C, or with --max-idle after that many seconds with nothing to store.
Exit status: 0 stopped or idle, 1 the store failed (a batch the store refused for a reason of its own — a full
disk — stays in Redis for the next writer, and this one stops), 2 bad input or setup.
"""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any

from netsword.cli import UsageError
from netsword.cli.common import config_of


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("writer", help="store what distributed workers find (one writer at a time)")
    p.add_argument("--name", default="", help="this writer's name (default: writer-HOST)")
    p.add_argument("--redis-url", default="", metavar="URL", help="the Redis to use (default: distributed.redis_url)")
    p.add_argument("--watchlist", action="append", metavar="W", help="watchlist file(s) to match against")
    p.add_argument("--no-alerts", action="store_true", help="do not queue alert emails for the leads stored")
    p.add_argument("--batch", type=int, default=500, metavar="N", help="listings per store write (default 500)")
    p.add_argument("--max-idle", type=float, default=0, metavar="S", help="stop after S seconds with nothing to store")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import redis

    from alerts.rules import RulesError
    from crawler.distributed.connection import RedisUnavailable, connect
    from crawler.distributed.writer import StoreRefused, Writer, WriterBusy

    cfg = config_of(args)
    if args.batch < 1 or args.max_idle < 0:
        raise UsageError("--batch must be ≥ 1 and --max-idle ≥ 0")
    try:
        server = connect(cfg, args.redis_url)
        writer = Writer(cfg, server, name=args.name, watchlists=args.watchlist or (), alerts=not args.no_alerts,
                        batch_size=args.batch)  # fmt: skip
    except (RedisUnavailable, RulesError) as exc:
        raise UsageError(str(exc)) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, on_signal)
    print(f"writer {writer.name}: storing into {cfg.store_url}", flush=True)
    try:
        figures = writer.run(stop, max_idle=args.max_idle)
    except WriterBusy as exc:
        print(f"writer {writer.name}: {exc}", flush=True)
        return 1
    except StoreRefused as exc:
        figures = writer.figures
        print(f"writer {writer.name}: stopped: {exc}; {figures.stored} listing(s) stored before", flush=True)
        return 1
    except redis.RedisError as exc:  # Redis refuses writes (its own disk full: MISCONF) or went away
        print(f"writer {writer.name}: stopped: Redis: {' '.join(str(exc).split())[:300]}; entries not acknowledged "
              f"stay in Redis for the next writer; {writer.figures.stored} listing(s) stored before", flush=True)  # fmt: skip
        return 1
    finally:
        writer.close()
    print(f"writer {writer.name}: {figures.listings} listings ({figures.stored} stored, {figures.failed} failed, "
          f"{figures.rejected} rejected) in {figures.batches} batches; leads {figures.outcomes}", flush=True)  # fmt: skip
    return 1 if figures.failed else 0
