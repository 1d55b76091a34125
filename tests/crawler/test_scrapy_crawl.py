"""`scrapy crawl marketplace -a profile=…` from the project directory and `netsword crawl` are one crawl: the same
settings and components, the same leads, the same evidence. Both run as real processes against the demo marketplace.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from evidence.store import EvidenceStore
from leads.store import LeadQuery, open_store

pytestmark = pytest.mark.timeout(300)
REPO = Path(__file__).resolve().parents[2]
SCRAPY = Path(sys.executable).with_name("scrapy")
KEYWORDS = ["耐克", "NIKE"]
# What Scrapy logs about a crawler's set-up: the settings that differ from Scrapy's defaults and every component.
_SETUP_BLOCKS = re.compile(
    r"INFO: (Overridden settings|Enabled (?:extensions|downloader middlewares|spider middlewares|item pipelines)):\n"
    r"(.*?)\n\d{4}-\d\d-\d\d ",
    re.S,
)


def _config(tmp: Path, name: str) -> tuple[Path, dict[str, str]]:
    """A var/ of its own, named in a netsword.toml that NETSWORD_CONFIG points at (as docs/configuration.md says)."""
    var_dir = tmp / name
    var_dir.mkdir()
    toml = var_dir / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{var_dir}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_CONFIG=str(toml), PYTHONPATH=str(REPO))
    return var_dir, env


def _run(argv: list[str], *, cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stderr


def _leads(var_dir: Path) -> dict[str, tuple[Any, ...]]:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return {
            lead.lead_id: (lead.platform, lead.listing_id, lead.entry_id, lead.score, lead.kind, lead.matched,
                           lead.reasons, lead.url, lead.status)
            for lead in store.iter_leads(LeadQuery())
        }  # fmt: skip


def _evidence(var_dir: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each capture's manifest entry without its time and id: what was captured, from where, with which files."""
    store = EvidenceStore(var_dir / "evidence")
    assert store.verify().ok
    return {
        (c.platform, c.listing_id): (
            c.url,
            c.profile,
            c.status,
            tuple(sorted(f.role for f in c.files)),
            c.file("response").sha256,  # type: ignore[union-attr]
            tuple(sorted(c.request_headers)),
        )
        for c in store.iter_captures()
    }


def test_scrapy_crawl_and_netsword_crawl_store_the_same_leads_and_evidence(quiet_market: Any, tmp_path: Path) -> None:
    base_url = quiet_market.url
    scrapy_var, scrapy_env = _config(tmp_path, "scrapy")
    scrapy_log = _run(
        [str(SCRAPY), "crawl", "marketplace", "-a", "profile=demo-static", "-a", f"base_url={base_url}",
         "-a", f"keywords={','.join(KEYWORDS)}", "-a", "max_pages=2"],
        cwd=REPO, env=scrapy_env,
    )  # fmt: skip
    cli_var, cli_env = _config(tmp_path, "cli")
    keywords = [arg for k in KEYWORDS for arg in ("--keyword", k)]
    cli_log = _run(
        [sys.executable, "-c", "from netsword.cli import run; run()",
         "crawl", "demo-static", "--base-url", base_url, *keywords, "--max-pages", "2"],
        cwd=cli_var, env=cli_env,
    )  # fmt: skip

    # one set-up: the same settings (as Scrapy reports them) and the same components, the add-on's included
    scrapy_setup, cli_setup = _SETUP_BLOCKS.findall(scrapy_log), _SETUP_BLOCKS.findall(cli_log)
    assert len(scrapy_setup) == 5 and scrapy_setup == cli_setup
    assert "crawler.pipelines.evidence.EvidencePipeline" in dict(scrapy_setup)["Enabled item pipelines"]
    started = "[scrapy-playwright] INFO: Starting download handler"  # Chromium for the evidence screenshots
    assert started in scrapy_log and started in cli_log

    leads = _leads(scrapy_var)
    assert len(leads) >= 5
    assert _leads(cli_var) == leads
    evidence = _evidence(scrapy_var)
    assert set(evidence) == {(platform, listing_id) for platform, listing_id, *_ in leads.values()}
    assert {roles for _, _, _, roles, _, _ in evidence.values()} == {("page", "response", "screenshot", "warc")}
    assert _evidence(cli_var) == evidence
