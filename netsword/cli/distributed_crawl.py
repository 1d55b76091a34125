"""`netsword crawl PROFILE --distributed [--workers N]`: seed a distributed run, follow it to its end, print it.

With --workers N it first starts N workers and a writer on this machine (scheduler.distributed.LocalCluster; a
private redis-server unless `distributed.redis_url` or --redis-url names one); without, workers and a writer must be
running already (`netsword worker`, `netsword writer`). A run of the platform already going is followed instead of
seeded again. Prints and exits like `netsword crawl`: 0 complete, 3 partial, 1 failed, 4 stopped before the end,
5 blocked (a worker stopped the platform for its block pages: crawler.middlewares.blocks); with --stats-json the
run's status, figures and losses are kept there as `netsword crawl` keeps them (the scheduler's run history).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from netsword.cli import UsageError
from netsword.cli.common import config_of, load_watchlist


def run_distributed(args: argparse.Namespace) -> int:
    from crawler.distributed.connection import RedisUnavailable, connect
    from crawler.distributed.keys import Keys
    from crawler.distributed.run import finish_run, follow, start_run
    from crawler.ledger import STOPPED, exit_code
    from crawler.profile_loader import ProfileError, load_profile
    from netsword.cli.crawl_cmd import print_result
    from netsword.redis_server import RedisNotFound
    from scheduler.distributed import LocalCluster

    cfg = config_of(args)
    try:
        profile = load_profile(args.profile, user_dir=cfg.crawler.profiles_dir)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.workers < 0 or args.max_pages < 0:
        raise UsageError("--workers and --max-pages must be ≥ 0")
    url = args.redis_url or cfg.distributed.redis_url
    if not url and not args.workers:
        raise UsageError("--distributed needs a Redis: set distributed.redis_url, give --redis-url, or start local "
                         "workers with --workers N (a private redis-server is started then)")  # fmt: skip
    keywords = list(args.keyword or profile.keywords)
    if profile.uses_keywords and not keywords:
        keywords = load_watchlist(args.watchlist, cfg).search_keywords()
    max_pages = args.max_pages or profile.pagination.max_pages or cfg.crawler.max_pages
    cluster = None
    if args.workers:
        cluster = LocalCluster(cfg, args.profile, args.workers, log_dir=cfg.var_dir / "distributed" / profile.platform,
                               base_url=args.base_url, redis_url=url, watchlists=tuple(args.watchlist or ()),
                               evidence=not args.no_evidence, alerts=not args.no_alerts)  # fmt: skip
        try:
            url = cluster.start()
        except (RedisNotFound, RuntimeError) as exc:
            cluster.stop()
            raise UsageError(str(exc)) from None
        print(f"started {args.workers} worker(s) and a writer; their logs are in {cluster.log_dir}", flush=True)
    try:
        try:
            server = connect(cfg, url)
        except RedisUnavailable as exc:
            raise UsageError(str(exc)) from None
        keys = Keys(cfg.distributed.key_prefix, profile.platform)
        info = start_run(server, keys, profile=args.profile, keywords=keywords, max_pages=max_pages,
                         uses_keywords=profile.uses_keywords)  # fmt: skip
        how = "following the run already going" if info.joined else f"{len(keywords)} keyword(s) seeded"
        print(f"distributed crawl {profile.platform}: run {info.run_id}, {how}", flush=True)
        started = time.monotonic()

        def stop() -> bool:  # every local child stopped, or the writer did (nothing would store what is left)
            if cluster is None:
                return False
            gone = cluster.exited()
            return bool(gone) and (len(gone) == len(cluster.children) or any(g.startswith("writer") for g in gone))

        try:
            drained = follow(server, keys, stop=stop, progress=lambda line: print(f"  {line}", flush=True))
        except KeyboardInterrupt:
            drained = False
        if not drained:
            why = f"; stopped: {', '.join(cluster.exited())}" if cluster is not None and cluster.exited() else ""
            writer_error = server.hget(keys.run, "writer_error")
            why += f"; {writer_error.decode('utf-8', 'replace')}" if isinstance(writer_error, bytes) else ""
            print(f"crawl {profile.platform}: {STOPPED} before the end (run {info.run_id} goes on when workers and a "
                  f"writer run; `netsword crawl {args.profile} --distributed` follows it again){why}", flush=True)
            _keep_stats(args.stats_json, {"run_id": info.run_id, "status": STOPPED, "attempt": 1,
                                          "lost": [why.lstrip("; ")] if why else []})  # fmt: skip
            return exit_code(STOPPED)
        summary = finish_run(server, keys, info.run_id)
        _keep_stats(args.stats_json, summary)
    finally:
        if cluster is not None:
            cluster.stop()
    print_result(profile.platform, str(summary["status"]), {"finish_reason": "finished",
                 "netsword/elapsed_seconds": round(time.monotonic() - started, 1)},
                 summary)  # fmt: skip
    return exit_code(str(summary["status"]))


def _keep_stats(path: str, run: dict[str, Any]) -> None:
    """--stats-json: the run as a one-process crawl keeps it (`{"crawl": {status, totals, lost …}}`), which the
    scheduler's run history reads; a file that cannot be written costs that, never the run's status."""
    from crawler.extensions.stats_file import write_json_atomically

    if not path:
        return
    try:
        write_json_atomically(Path(path), {"crawl": run})
    except OSError as exc:
        print(f"  the run's figures not kept in {path}: {exc}", flush=True)
