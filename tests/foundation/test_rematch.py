"""`netsword rematch`: a mark added to the watchlist after a crawl finds its leads among the kept listings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from alerts.outbox import Outbox
from leads.store import LeadQuery, open_store_from_config
from leads.store.listings import ListingQuery
from netsword.cli import main
from netsword.cli.rematch_cmd import since_of
from netsword.config import load_config

NIKE = """\
  - id: tm-nike
    mark: NIKE
    variants: [耐克]
    owner: Nike Innovate C.V.
    classes: [25]
"""
LUMIXA = """\
  - id: tm-lumixa
    mark: LUMIXA
    variants: [卢米萨]
    owner: Lumixa SA
    classes: [14]
"""
RULES = "version: 1\nrules:\n  - {id: lumixa, to: [ip@lumixa.example], entries: [tm-lumixa], min_score: 50}\n"


def _at(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _listing(listing_id: str, title: str, days_ago: int, platform: str = "taobao") -> str:
    return json.dumps({"id": listing_id, "platform": platform, "url": f"https://{platform}.example/{listing_id}",
                       "title": title, "price": 99, "crawled_at": _at(days_ago)}, ensure_ascii=False)  # fmt: skip


@pytest.fixture
def crawled(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store after an import (`match --store`) under a watchlist that knows only NIKE."""
    (isolated / "nike.yaml").write_text("version: 1\ntrademarks:\n" + NIKE, encoding="utf-8")
    (isolated / "both.yaml").write_text("version: 1\ntrademarks:\n" + NIKE + LUMIXA, encoding="utf-8")
    lines = [
        _listing("n1", "耐克 NIKE 运动鞋 高仿 一比一 复刻", 2),
        _listing("x1", "LUMIXA 卢米萨 手表 高仿 一比一 复刻", 3),
        _listing("x2", "卢米萨 LUMIXA 男士 手表 高仿 复刻 原单", 1, platform="jd"),
        _listing("x3", "LUMIXA 卢米萨 手表 高仿 一比一 复刻 清仓", 60),  # seen long ago
        _listing("p1", "不锈钢 保温杯 500ml", 1),
    ]
    (isolated / "listings.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["match", "--watchlist", "nike.yaml", "--listings", "listings.jsonl", "--store", "--out",
                 "leads.jsonl"]) == 0  # fmt: skip
    # the rights holder of the new mark asks to be told of its leads (rules name entries of the new watchlist)
    (isolated / "rules.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(isolated / "rules.yaml"))
    return isolated


def test_every_listing_is_kept_matched_or_not(capsys: pytest.CaptureFixture[str], crawled: Path) -> None:
    assert "kept 5 listings for rematch, 0 not kept" in capsys.readouterr().err
    with open_store_from_config(load_config()) as store:
        assert store.count(LeadQuery()) == 1
        assert store.count_listings(ListingQuery()) == 5
        kept = store.get_listing("taobao", "p1")
        assert kept is not None and kept.listing["title"] == "不锈钢 保温杯 500ml" and kept.times_seen == 1


def test_a_mark_added_after_the_crawl_finds_its_listings(crawled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["rematch", "--since", "30d", "--watchlist", "both.yaml"]) == 0
    out = capsys.readouterr().out
    assert "4 listings last seen since" in out and "leads: 2 new, 0 updated, 1 already stored, 0 failed" in out
    cfg = load_config()
    with open_store_from_config(cfg) as store:
        found = {lead.listing_id: lead for lead in store.iter_leads(LeadQuery(entry_id=("tm-lumixa",)))}
        assert set(found) == {"x1", "x2"}  # x3 was last seen 60 days ago: outside --since
        x1 = found["x1"]
        assert (x1.first_seen, x1.last_seen, x1.times_seen) == (_at_of(crawled, "x1"), _at_of(crawled, "x1"), 1)
        nike = store.iter_leads(LeadQuery(entry_id=("tm-nike",)))
        assert [lead.times_seen for lead in nike] == [1]  # a re-match is not another sighting
    with Outbox.for_config(cfg) as outbox:  # the alert rules hear of the new leads, as for a crawl's
        alerted = {r[0] for r in outbox.conn.execute("SELECT lead_id FROM alert_items")}
    assert alerted == {found["x1"].lead_id, found["x2"].lead_id}

    assert main(["rematch", "--since", "30d", "--watchlist", "both.yaml"]) == 0  # again: nothing new, nothing doubled
    assert "leads: 0 new, 0 updated, 3 already stored" in capsys.readouterr().out
    assert main(["rematch", "--since", "90d", "--watchlist", "both.yaml", "--platform", "taobao", "--no-alerts"]) == 0
    assert "leads: 1 new, 0 updated, 2 already stored" in capsys.readouterr().out  # x3 now, x2 (jd) not read
    with Outbox.for_config(cfg) as outbox:
        assert outbox.conn.execute("SELECT count(*) FROM alert_items").fetchone()[0] == 2  # --no-alerts


def _at_of(root: Path, listing_id: str) -> str:
    for line in (root / "listings.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        if data["id"] == listing_id:
            return str(data["crawled_at"])
    raise KeyError(listing_id)


def test_since_takes_an_age_or_a_date(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    assert since_of("30d", now) == "2026-10-31T12:00:00Z"
    assert since_of("12h", now) == "2026-11-30T00:00:00Z" and since_of("2w", now) == "2026-11-16T12:00:00Z"
    assert since_of("2026-11-01") == "2026-11-01T00:00:00Z"
    assert main(["rematch", "--since", "last week"]) == 2
    assert "--since: an age such as 30d" in capsys.readouterr().err
