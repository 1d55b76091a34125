"""Batches of detail pages far larger than the pipe's buffer (real detail pages run to hundreds of kilobytes) reach
the crawl's lead process whole, two at a time, and every listing in them is completed, matched and kept."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from crawler.extract import PageBody
from crawler.lead_process import PIPE_BYTES, LeadProcess
from crawler.profile_loader import load_profile
from leads.store import open_store_from_config
from leads.store.listings import ListingQuery
from netsword.config import load_config
from watchlists.configured import load_configured

pytestmark = pytest.mark.timeout(300)
PAGE_KB = 300
PER_BATCH = 50


def _detail_page(n: int) -> bytes:
    filler = "".join(f"<p class='review'>第{k}条评价：物流很快，包装完好，和描述一致。</p>" for k in range(PAGE_KB * 8))
    return (
        "<html><head><meta charset='utf-8'></head><body>"
        f"<h1 class='title'>NIKE 耐克 Air Max 气垫跑鞋 第{n}款</h1><span class='price'>¥{199 + n}.00</span>"
        f"<span class='sold'>月销{n + 1}件</span><div class='desc'>{filler}</div></body></html>"
    ).encode()


def test_batches_many_times_the_pipe_buffer_are_stored_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path))
    cfg = load_config()
    profile = load_profile("demo-static").with_base_url("http://127.0.0.1:9/")
    pages = [_detail_page(n) for n in range(2 * PER_BATCH)]
    assert sum(map(len, pages[:PER_BATCH])) > 10 * PIPE_BYTES  # each batch: over ten pipe buffers
    batches = [
        [
            {"id": f"big{n}", "platform": "demo-static", "title": "鞋", "url": f"http://127.0.0.1:9/static/item/big{n}"}
            for n in range(start, start + PER_BATCH)
        ]
        for start in (0, PER_BATCH)
    ]
    helper = LeadProcess(cfg, load_configured(None, cfg), run_id="big", alerts=False, log_level=logging.WARNING,
                         profile=profile)  # fmt: skip
    try:
        helper.wait_ready()

        async def both() -> list[list]:  # both batches in the pipe at once, as the lead pipeline sends them
            return await asyncio.gather(*(
                helper.store(batch, [PageBody(e["url"], pages[int(e["id"][3:])], "text/html; charset=utf-8")
                                     for e in batch])
                for batch in batches
            ))  # fmt: skip

        answers = asyncio.run(asyncio.wait_for(both(), timeout=240))
    finally:
        helper.close()
    outcomes = [outcome for answer in answers for outcome in answer]
    assert len(outcomes) == 2 * PER_BATCH
    for n, outcome in enumerate(outcomes):
        assert not outcome.rejected and not outcome.not_kept and not outcome.failed, outcome
        assert outcome.listing is not None and outcome.listing["title"] == f"NIKE 耐克 Air Max 气垫跑鞋 第{n}款"
        assert outcome.listing["price"] == 199 + n and outcome.listing["sales"] == n + 1
        assert outcome.new_leads  # NIKE is on the demo watchlist: each completed listing is a lead
        assert outcome.detail is not None and not outcome.detail.errors
    store = open_store_from_config(cfg)
    try:
        assert store.count_listings(ListingQuery()) == 2 * PER_BATCH
    finally:
        store.close()
