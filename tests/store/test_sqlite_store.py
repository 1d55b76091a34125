"""What only the SQLite store can show: its full-text index stays consistent after raw writes, and a take-down
read and written under the write lock loses no sighting another connection is committing at that moment."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from leads.store.base import TAKEN_DOWN
from leads.store.sqlite import SqliteLeadStore
from tests.store.lead_factory import make_lead


def test_put_raw_keeps_the_full_text_index_consistent(tmp_path: Path) -> None:
    with SqliteLeadStore(tmp_path / "leads.db") as store:
        lead = make_lead("L1", title="耐克 Air Max 运动鞋")
        store.upsert_many([lead, make_lead("L2")])
        store.put_raw([lead.with_changes(listing={**lead.listing, "title": "阿迪达斯 Superstar 板鞋"})])
        # INSERT OR REPLACE would delete the row without its full-text entry (delete triggers do not fire for
        # REPLACE): FTS5's own check then reports the index malformed
        store.conn.execute("INSERT INTO leads_fts(leads_fts, rank) VALUES ('integrity-check', 1)")


def test_take_down_waits_for_a_sighting_being_written_and_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "leads.db"
    with SqliteLeadStore(path) as store, SqliteLeadStore(path) as writer:
        lead = make_lead("L1")
        store.upsert_many([lead])
        writer.conn.execute("BEGIN IMMEDIATE")  # another writer holds the write lock, mid-sighting
        writer.conn.execute("UPDATE leads SET times_seen = 5 WHERE lead_id = ?", (lead.lead_id,))
        marked = []
        worker = threading.Thread(
            target=lambda: marked.append(store.mark_taken_down(lead.lead_id, reason="http 404", at="2024-06-01"))
        )
        worker.start()
        time.sleep(0.3)
        assert not marked  # waiting for the lock, not working from what it read before
        writer.conn.execute("COMMIT")
        worker.join(10)
        stored = store.get(lead.lead_id)
        assert stored is not None and stored.listing["availability"] == TAKEN_DOWN and stored.times_seen == 5
        assert marked == [stored]
