"""`netsword leads copy` between SQLite stores, and `netsword leads stats` and `reindex` on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from leads.store import LeadQuery
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main
from tests.store.lead_factory import make_lead, upsert_one


def _source(path: Path) -> list:
    leads = [make_lead(f"L{i}", score=50 + i, platform=("taobao", "jd")[i % 2]) for i in range(7)]
    with SqliteLeadStore(path) as store:
        store.upsert_many(leads)
        upsert_one(store, make_lead("L0", price=42, seen="2024-06-01T00:00:00Z"))
        store.set_status(leads[1].lead_id, "confirmed", assignee="wang")
        return list(store.iter_leads(LeadQuery()))


def test_copy_sqlite_to_sqlite_keeps_everything_and_is_idempotent(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = _source(isolated / "a.db")
    args = [
        "leads",
        "copy",
        "--from",
        f"sqlite:///{isolated / 'a.db'}",
        "--to",
        f"sqlite:///{isolated / 'b.db'}",
        "--batch",
        "3",
    ]
    assert main(args) == 0
    assert "copied 7 leads from sqlite:///" in capsys.readouterr().err
    assert main(args) == 0  # again: same ids replaced, nothing doubled
    with SqliteLeadStore(isolated / "a.db") as source:
        logs = source.status_logs(lead.lead_id for lead in original)
    with SqliteLeadStore(isolated / "b.db") as target:
        assert list(target.iter_leads(LeadQuery())) == original
        assert target.status_logs(lead.lead_id for lead in original) == logs  # the status log came along, once
        assert [c["after"] for c in logs[original[0].lead_id if original[0].status == "confirmed" else
                                         next(lead.lead_id for lead in original if lead.status == "confirmed")]] == [
            "confirmed"
        ]  # fmt: skip
        copied = target.get(original[0].lead_id)
    assert copied is not None and copied.times_seen in (1, 2)
    assert {lead.status for lead in original} == {"new", "confirmed"}


def test_copy_with_a_filter(isolated: Path) -> None:
    _source(isolated / "a.db")
    assert main(["leads", "copy", "--from", str(f"sqlite:///{isolated / 'a.db'}"), "--to", f"sqlite:///{isolated / 'c.db'}",
                 "--status", "confirmed"]) == 0  # fmt: skip
    with SqliteLeadStore(isolated / "c.db") as target:
        assert [(lead.listing_id, lead.assignee) for lead in target.iter_leads(LeadQuery())] == [("L1", "wang")]


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("sqlite:///a.db", "sqlite:///a.db", "--from and --to are the same store"),
        ("ftp://host/leads", "sqlite:///b.db", "must start with sqlite:/// or http(s)://"),
    ],
)
def test_copy_refuses_bad_stores(
    isolated: Path, capsys: pytest.CaptureFixture[str], source: str, target: str, message: str
) -> None:
    assert main(["leads", "copy", "--from", source, "--to", target]) == 2
    assert message in capsys.readouterr().err


def test_reindex_needs_elasticsearch(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["leads", "reindex"]) == 2
    assert "needs an Elasticsearch store" in capsys.readouterr().err


def test_stats_on_the_configured_store(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many([make_lead("A", seller="鞋王\x1b[31m"), make_lead("B", platform="jd", seller="鞋王\x1b[31m")])
    assert main(["leads", "stats"]) == 0
    out = capsys.readouterr().out
    assert "2 leads; 0 kept listings (for netsword rematch; retention 90 days)" in out and "2024-05-01  jd" in out
    assert "\x1b" not in out and "鞋王 [31m" in out  # scraped control characters never reach the terminal
    assert main(["leads", "stats", "--json", "--platform", "jd"]) == 0
    out = capsys.readouterr().out
    assert '"total": 1' in out and '"kept_listings": 0' in out
