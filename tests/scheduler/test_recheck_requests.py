"""What a re-check sends and refuses, seen from the site's side: one `netsword recheck` run in a child process
against a recording site (tests/scheduler/probe_server.py) with a profile file for its platform.

The profile's headers (a ${ENV} secret) and the platform's cookies reach the site; robots.txt is obeyed; a 429 is
retried no sooner than its Retry-After; a URL off the profile's hosts and a platform without a profile are refused
without a request; an oversized answer is abandoned, not read, and the lead is left as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from leads.store import LeadQuery, open_store
from netsword.config import Config, load_config
from netsword.models import Lead
from tests.scheduler.helpers import REPO, seed_leads_at
from tests.scheduler.probe_server import HUGE, RETRY_AFTER, ProbeSite, probe_profile

MAX_BYTES = 1024 * 1024
TOKEN = "s3cret-probe-token"
PROFILE_EXTRA = """\
headers:
  X-Probe-Token: "${PROBE_TOKEN}"
politeness: {concurrency: 4}
"""


@dataclass
class ProbeRun:
    site: ProbeSite
    cfg: Config
    stats: dict[str, Any]
    output: str

    def lead(self, path: str) -> Lead:
        url = path if path.startswith("http") else f"{self.site.url}{path}"
        with open_store(self.cfg.store_url) as store:
            return next(lead for lead in store.iter_leads(LeadQuery(limit=0)) if lead.url == url)


@pytest.fixture(scope="module")
def probe_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProbeRun]:
    site = ProbeSite().start()
    root = tmp_path_factory.mktemp("probe")
    profile = root / "probe.yaml"
    profile.write_text(probe_profile(site.url, follow="^/(item|busy)/", extra=PROFILE_EXTRA), encoding="utf-8")
    cookies = root / "cookies.json"
    cookies.write_text(json.dumps({"probe": {"session": "abc123"}}), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update({"NETSWORD_PATHS_VAR_DIR": str(root / "var"), "NETSWORD_CRAWLER_COOKIES_FILE": str(cookies),
                "PROBE_TOKEN": TOKEN, "PYTHONPATH": str(REPO)})  # fmt: skip
    cfg = load_config(env=env)
    site.prices["a1"] = 120.0  # the seeded leads say 99.0
    paths = ["/item/a1", "/busy/b1", "/huge", "/huge-stream", "/private/p1"]
    seed_leads_at(cfg, [f"{site.url}{path}" for path in paths], platform="probe")
    port = site.url.rsplit(":", 1)[1]
    seed_leads_at(cfg, [f"http://localhost:{port}/item/off1"], platform="probe")  # same machine, not the profile's host
    seed_leads_at(cfg, [f"{site.url}/item/n1"], platform="nowhere")  # no profile names this platform
    stats_file = root / "stats.json"
    argv = [sys.executable, "-c", "from netsword.cli import run; run()", "recheck", "--profile", str(profile),
            "--platform", "probe", "--platform", "nowhere", "--delay", "0", "--max-bytes", str(MAX_BYTES),
            "--no-alerts", "--stats-file", str(stats_file)]  # fmt: skip
    proc = subprocess.run(argv, env=env, cwd=root, capture_output=True, text=True, timeout=180, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-4000:]
    for sent in site.sent.values():
        assert sent.done.wait(10), f"{sent.path}: the server is still sending"
    yield ProbeRun(site, cfg, json.loads(stats_file.read_text(encoding="utf-8")), proc.stdout)
    site.stop()


def test_profile_headers_cookies_and_user_agent_are_sent(probe_run: ProbeRun) -> None:
    (seen,) = probe_run.site.hits("/item/a1")
    assert seen.headers["x-probe-token"] == TOKEN  # ${PROBE_TOKEN} expanded from the environment
    assert seen.headers["cookie"] == "session=abc123"  # crawler.cookies_file, for the lead's platform, once
    assert seen.headers["user-agent"] == probe_run.cfg.crawler.user_agent
    assert probe_run.lead("/item/a1").price == 120.0  # and what the page said reached the store


def test_robots_txt_disallow_is_obeyed(probe_run: ProbeRun) -> None:
    assert probe_run.site.hits("/robots.txt")
    assert probe_run.site.hits("/private/p1") == []
    assert probe_run.stats["robotstxt/forbidden"] == 1
    assert "1 disallowed by robots.txt" in probe_run.output


def test_retry_after_is_honoured(probe_run: ProbeRun) -> None:
    first, second = probe_run.site.hits("/busy/b1")
    assert second.at - first.at >= RETRY_AFTER - 0.05
    assert probe_run.stats["retry_after/waits"] >= 1
    assert probe_run.lead("/busy/b1").last_seen != "2026-01-01T00:00:00Z"  # the retry's answer was recorded


def test_offsite_url_and_platform_without_profile_are_refused_unfetched(probe_run: ProbeRun) -> None:
    paths = {seen.path for seen in probe_run.site.requests}
    assert "/item/off1" not in paths and "/item/n1" not in paths
    assert probe_run.stats["recheck/offsite"] == 1 and probe_run.stats["recheck/no_profile"] == 1
    port = probe_run.site.url.rsplit(":", 1)[1]
    assert probe_run.lead(f"http://localhost:{port}/item/off1").last_seen == "2026-01-01T00:00:00Z"
    assert "1 without a profile, 1 off their profile's hosts" in probe_run.output


def test_oversized_response_is_not_read(probe_run: ProbeRun) -> None:
    for path in ("/huge", "/huge-stream"):  # announced by Content-Length, and found out while reading
        assert len(probe_run.site.hits(path)) == 1  # not retried either
        assert probe_run.site.sent[path].sent < HUGE / 2, path
        lead = probe_run.lead(path)
        assert lead.last_seen == "2026-01-01T00:00:00Z" and "availability" not in lead.listing
    assert probe_run.stats["recheck/errors"] == 2


def test_figures_count_every_listing_once(probe_run: ProbeRun) -> None:
    stats = probe_run.stats
    assert stats["recheck/planned"] == stats["recheck/listings"] == 7
    assert stats["recheck/pages"] == 2 and stats["finish_reason"] == "finished"
