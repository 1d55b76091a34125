"""A real crawl of the demo marketplace with image hashes on: images fetched through the crawl (counted in its
stats), stored with the leads, and the planted ring linked by its product photo while the decoy
with the brand's hotline stays apart; the demo's network scores against the ground truth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from demo.catalogue import build_catalogue

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def market():  # type: ignore[no-untyped-def]
    from demo.server import DemoMarket

    server = DemoMarket(port=0, rate_limit=500.0)
    base_url = server.start()
    yield base_url
    server.stop()


def test_crawl_hashes_images_and_the_ring_is_linked(market: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO))
    stats_file = tmp_path / "stats.json"
    cmd = [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", "demo-static", "--base-url", market,
           "--keyword", "耐克", "--max-pages", "3", "--no-evidence", "--no-alerts", "--stats-json", str(stats_file),
           "--set", "NETSWORD_IMAGE_HASHES=1"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-2000:]
    stats = json.loads(stats_file.read_text())
    assert stats.get("netsword/images_hashed", 0) >= 4 and not stats.get("netsword/images_refused")
    assert stats["netsword/images_hashed"] <= stats["netsword/leads_created"]  # only listings that became leads

    from cases.actors import ActorStore
    from cases.build import rebuild_networks
    from cases.db import CasesDB, cases_db_path
    from cases.sources import shop_of
    from demo.rings import network_scores
    from leads.store import LeadQuery, open_store_from_config
    from netsword.config import load_config

    os.environ["NETSWORD_PATHS_VAR_DIR"] = str(tmp_path / "var")
    try:
        cfg = load_config(None)
    finally:
        del os.environ["NETSWORD_PATHS_VAR_DIR"]
    with open_store_from_config(cfg) as store:
        report = rebuild_networks(cfg, store)
        leads = list(store.iter_leads(LeadQuery()))
    assert any(lead.listing.get("image_hashes") for lead in leads)
    with CasesDB(cases_db_path(cfg.var_dir)) as db:
        actors = ActorStore(db)
        (summary,) = actors.ranked()
        actor = actors.get(summary.actor_id)
        actor_of_lead = actors.actors_of_leads([lead.lead_id for lead in leads])
    assert actor is not None and report.actors == 1
    assert {s.name for s in actor.shops} == {"莆田鞋业直营", "潮流鞋铺"}  # the decoy 鞋类尾货 (a 400 hotline) is not
    image_links = [link for link in actor.links if link.kind == "image"]
    assert {link.shop for link in image_links} == {s.key for s in actor.shops}
    assert all(e["image_url"].startswith(market) and e["lead_id"] for link in image_links for e in link.evidence)
    shops: dict[str, list[tuple[str, str]]] = {}
    actor_of_shop = {}
    for lead in leads:
        key = shop_of(lead.platform, lead.listing, lead.listing_id).key
        shops.setdefault(key, []).append((lead.platform, lead.listing_id))
        if lead.lead_id in actor_of_lead:
            actor_of_shop[key] = actor_of_lead[lead.lead_id]
    score = network_scores(shops, actor_of_shop, build_catalogue().ground_truth())
    assert score.precision == 1.0 and score.recall == 1.0 and score.ring_pairs == 1


def test_images_on_a_host_the_profile_does_not_allow_are_not_fetched(market: str, tmp_path: Path) -> None:
    """The same crawl with the profile's images on another host: the fetch policy refuses them (counted), the
    marketplace sees no image request, and the listings are stored all the same, without image hashes."""
    import urllib.request

    port = market.rsplit(":", 1)[1].rstrip("/")
    profile = (REPO / "crawler" / "profiles" / "demo-static.yaml").read_text(encoding="utf-8").replace(
        'images: {css: "img.main::attr(src)", all: true, absolute: true}',
        f'images: {{css: "img.main::attr(src)", all: true, template: "http://cdn.invalid:{port}{{value}}"}}',
    )  # fmt: skip
    assert "cdn.invalid" in profile
    (tmp_path / "elsewhere.yaml").write_text(profile, encoding="utf-8")
    urllib.request.urlopen(market.rstrip("/") + "/admin/reset", data=b"", timeout=10).read()  # noqa: S310 - loopback
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(REPO))
    stats_file = tmp_path / "stats.json"
    cmd = [sys.executable, "-c", "from netsword.cli import run; run()", "crawl", str(tmp_path / "elsewhere.yaml"),
           "--base-url", market, "--keyword", "耐克", "--max-pages", "1", "--no-evidence", "--no-alerts",
           "--stats-json", str(stats_file), "--set", "NETSWORD_IMAGE_HASHES=1"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr[-2000:]
    stats = json.loads(stats_file.read_text())
    assert stats.get("netsword/images_failed", 0) >= 1 and not stats.get("netsword/images_hashed")
    assert any(key.startswith("netsword/fetch_refused/") for key in stats), sorted(stats)  # the policy said no
    assert stats["netsword/leads_created"] >= 1
    with urllib.request.urlopen(market.rstrip("/") + "/admin/hits", timeout=10) as answer:  # noqa: S310 - loopback
        hits = json.loads(answer.read())
    assert not any("/img/" in path for path in hits)
