"""`netsword demo-market`: run the bundled demo marketplace alone until killed (on a loopback port unless --host)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo-market", help="serve the bundled demo marketplace (all four platform styles)")
    p.add_argument("--port", type=int, default=0, metavar="N", help="port (default: a free one)")
    p.add_argument("--host", default="127.0.0.1", metavar="ADDR",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 in a container that workers reach)")  # fmt: skip
    p.add_argument("--seed", type=int, metavar="S", help="catalogue seed (default: the built-in one)")
    p.add_argument("--size", type=int, metavar="N", help="number of listings (default 2400, at least 400)")
    p.add_argument("--rate-limit", type=float, default=200.0, metavar="R",
                   help="requests per second per client before HTTP 429 (0 = off; default 200)")  # fmt: skip
    p.add_argument("--burst", type=float, metavar="B", help="requests a client may send at once (default: R)")
    p.add_argument("--fault-rate", type=float, default=0.02, metavar="F",
                   help="share of URLs that answer 5xx once, then succeed (0 = off; default 0.02)")  # fmt: skip
    p.add_argument("--slow-rate", type=float, default=0.01, metavar="F",
                   help="share of URLs answered slowly (0 = off; default 0.01)")  # fmt: skip
    p.add_argument("--slow-seconds", type=float, default=0.3, metavar="S", help="delay of a slow answer (default 0.3)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from demo.catalogue import DEFAULT_SEED, DEFAULT_SIZE
    from demo.server import DemoMarket
    from netsword.cli import UsageError

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port: must be 0–65535, got {args.port}")
    size = DEFAULT_SIZE if args.size is None else args.size
    if size < 400:
        raise UsageError(f"--size: must be at least 400, got {size}")
    if args.slow_seconds < 0:
        raise UsageError(f"--slow-seconds: must be ≥ 0, got {args.slow_seconds}")
    try:
        market = DemoMarket(port=args.port, seed=DEFAULT_SEED if args.seed is None else args.seed, size=size,
                            rate_limit=args.rate_limit or None, burst=args.burst, fault_rate=args.fault_rate,
                            slow_rate=args.slow_rate, slow_seconds=args.slow_seconds, host=args.host)  # fmt: skip
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        url = market.start()
    except OSError as exc:
        raise UsageError(f"--port: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"demo marketplace listening on {url}", flush=True)
    print(f"{len(market.catalogue.listings)} listings; ground truth at {url}/ground_truth.json", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        market.stop()
    print("demo marketplace stopped", file=sys.stderr)
    return 0
