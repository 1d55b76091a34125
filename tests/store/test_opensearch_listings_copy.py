"""`netsword leads copy` SQLite → OpenSearch → SQLite and `netsword leads reindex` on OpenSearch carry the kept
listings with the leads and their status logs, against an osmem-server process on 127.0.0.1 (an in-memory
OpenSearch-compatible server: what that proves and what not is in docs/elasticsearch.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from leads.store import LeadQuery, open_store_from_config
from leads.store.listings import ListingQuery, sighting
from leads.store.opensearch import OpenSearchLeadStore
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main
from netsword.config import load_config
from netsword.models import Listing
from tests.store.lead_factory import make_lead

pytestmark = pytest.mark.osmem


@pytest.fixture
def opensearch(isolated: Path, osmem_base_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """store.engine = opensearch in its own index prefix (deleted afterwards); the URL to copy to and from."""
    prefix = f"nstest-{uuid.uuid4().hex[:10]}"
    for name, value in (("URL", osmem_base_url), ("ENGINE", "opensearch"), ("INDEX_PREFIX", prefix)):
        monkeypatch.setenv(f"NETSWORD_STORE_{name}", value)
    yield osmem_base_url
    with open_store_from_config(load_config()) as store:
        assert isinstance(store, OpenSearchLeadStore)
        for family in ("leads", "listings"):
            store.client.indices.delete(index=f"{prefix}-{family}-v*", allow_no_indices=True)
        store.client.indices.delete_index_template(name=f"{prefix}-leads")


def test_copy_and_reindex_carry_kept_listings(isolated: Path, opensearch: str, capsys: pytest.CaptureFixture[str]) -> None:
    def seen(listing_id: str, at: str, run: str, **fields: object) -> object:
        listing = Listing.from_dict({"id": listing_id, "platform": "taobao", "title": "耐克 运动鞋",
                                     "url": f"https://taobao.example/{listing_id}", "crawled_at": at, **fields})  # fmt: skip
        return sighting(listing, run=run)

    with SqliteLeadStore(isolated / "a.db") as source:
        source.upsert_many([make_lead(f"L{i}") for i in range(3)])
        source.set_status(make_lead("L1").lead_id, "confirmed", assignee="wang")
        source.keep_listings([seen(f"K{i}", "2024-05-01T00:00:00Z", "r1") for i in range(1205)])  # > one page
        source.keep_listings([seen("K7", "2024-05-05T00:00:00Z", "r2", price=3)])
        leads = list(source.iter_leads(LeadQuery()))
        logs = source.status_logs(lead.lead_id for lead in leads)
        kept = list(source.iter_listings(ListingQuery()))
    assert main(["leads", "copy", "--from", f"sqlite:///{isolated / 'a.db'}", "--to", opensearch]) == 0
    assert "copied 1205 kept listings" in capsys.readouterr().err
    assert main(["leads", "reindex", "--delete-old"]) == 0
    out = capsys.readouterr().out
    assert "reindexed 1205 kept listings" in out and "-listings-v2" in out
    assert main(["leads", "copy", "--from", opensearch, "--to", f"sqlite:///{isolated / 'b.db'}"]) == 0
    with SqliteLeadStore(isolated / "b.db") as back:
        assert list(back.iter_listings(ListingQuery())) == kept  # K7: seen twice, its later price, run r2
        assert list(back.iter_leads(LeadQuery())) == leads
        assert back.status_logs(lead.lead_id for lead in leads) == logs
