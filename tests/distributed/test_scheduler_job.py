"""A scheduled crawl job with `distributed: true` seeds a distributed run and follows it: its child is
`netsword crawl PROFILE --distributed` (no JOBDIR: the run's state is in Redis), and the command line parses."""

from __future__ import annotations

from pathlib import Path

from netsword.cli import build_parser
from netsword.config import load_config
from scheduler.crawl_job import plan_crawl
from scheduler.jobs_loader import parse_jobs

JOBS = """jobs:
  - {id: spread, kind: crawl, every: 1h, profile: demo-static, keywords: [nike, 耐克], max_pages: 2, distributed: true}
  - {id: local, kind: crawl, every: 1h, profile: demo-static, keywords: [nike]}
"""


def test_a_distributed_crawl_job_seeds_and_follows(tmp_path: Path) -> None:
    (tmp_path / "netsword.toml").write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n')
    cfg = load_config(tmp_path / "netsword.toml")
    spread, local = parse_jobs(JOBS)
    argv = plan_crawl(cfg, spread, None).argv
    args = argv[argv.index("crawl") :]
    assert args[:3] == ["crawl", "demo-static", "--distributed"] and "--jobdir" not in args
    assert args[3] == "--stats-json"  # the run's status and losses, for the run history
    assert args[5:] == ["--keyword", "nike", "--keyword", "耐克", "--max-pages", "2"]
    parsed = build_parser().parse_args(args)
    assert parsed.distributed and parsed.keyword == ["nike", "耐克"]
    assert "--distributed" not in plan_crawl(cfg, local, None).argv
