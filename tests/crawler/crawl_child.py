"""Run one crawl in a fresh process for the loopback tests (Twisted's reactor runs once per process).

Usage: python crawl_child.py '{"profile": …, "base_url": …, "keywords": […], "max_pages": N, "jobdir": …,
"extra": {…}, "evidence": bool}' — prints the crawl stats as one JSON line at the end.
"""

import json
import sys

from crawler.profile_loader import load_profile
from crawler.run import run_crawl
from netsword.config import load_config

args = json.loads(sys.argv[1])
profile = load_profile(args["profile"])
stats = run_crawl(
    load_config(),
    profile,
    keywords=args.get("keywords", []),
    max_pages=args.get("max_pages", 0),
    base_url=args["base_url"],
    jobdir=args.get("jobdir", ""),
    evidence=args.get("evidence", True),
    alerts=args.get("alerts", False),
    extra=args.get("extra") or {},
)
print("STATS " + json.dumps(stats, default=str))
