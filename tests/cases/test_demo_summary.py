"""`netsword demo`'s network summary on the planted rings as a crawl stores them: the networks found, their scores
against the ground truth, the referral-candidate cases opened once (a rerun opens none), audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.catalogue import build_catalogue
from demo.rings import ring_image
from leads.store.sqlite import SqliteLeadStore
from netsword.image_hash import phash_of
from netsword.models import Lead, Reason, make_lead_id


def ring_leads() -> list[Lead]:
    out = []
    for x in build_catalogue().listings:
        if not (x.ring or x.seller.id.startswith("D")):
            continue
        listing = {"id": x.id, "platform": x.platform, "url": f"http://127.0.0.1/{x.id}", "title": x.title,
                   "description": x.description, "price": x.price, "currency": "CNY",
                   "seller": {"id": x.seller.id, "name": x.seller.name}}  # fmt: skip
        if x.sales:
            listing["sales"] = x.sales
        if x.ring and x.platform != "demo-browser":  # the browser profile reads no images
            listing["image_hashes"] = [{"url": f"http://127.0.0.1/img/{x.id}.png", "phash": phash_of(
                ring_image(x.ring, x.id))}]  # fmt: skip
        entry = x.spec.entry_ids[0]
        out.append(Lead(lead_id=make_lead_id(x.platform, x.id, entry), listing_id=x.id, platform=x.platform,
                        url=listing["url"], entry_id=entry, kind="trademark", score=85, matched="NIKE",
                        reasons=(Reason("mark_exact", "NIKE"),), listing=listing, first_seen="2026-11-01T00:00:00Z",
                        last_seen="2026-11-20T00:00:00Z"))  # fmt: skip
    return out


def test_demo_network_summary_opens_cases_once(isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from netsword.cli import main
    from netsword.cli.demo_cmd import summarise_networks
    from netsword.config import load_config

    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(isolated / "var"))
    cfg = load_config(None)
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(ring_leads())
    truth = build_catalogue().ground_truth()
    summarise_networks(cfg, truth)
    out = capsys.readouterr().out
    assert "2 actors linking 9 shops" in out
    assert "network precision 1.00, recall 1.00" in out and "16 of 16 ring pairs linked" in out
    assert out.count("referral candidate") == 2 and out.count(" opened from a referral-candidate network") == 2
    assert "linked by address, image, uscc, wechat" in out  # 球鞋仓库 is tied in by its photo alone
    summarise_networks(cfg, truth)
    assert "opened from" not in capsys.readouterr().out  # the networks are in cases already
    assert main(["cases", "list"]) == 0
    listed = capsys.readouterr().out.strip().splitlines()
    assert len(listed) == 2 and all(" clue " in line for line in listed)
    assert main(["audit", "verify"]) == 0
