"""Adapter tests (no Elasticsearch here): `netsword leads copy` SQLite → Elasticsearch and back, with the real
client against a loopback responder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import leads.store.elastic as elastic
from leads.store import LeadQuery
from leads.store.elastic_mappings import doc_of
from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main
from tests.store.es_responder import EsResponder, Recorded, bulk_actions, bulk_item, bulk_response, none_found
from tests.store.lead_factory import make_lead


def test_copy_sqlite_to_elasticsearch(isolated: Path, ready: EsResponder, capsys: pytest.CaptureFixture[str]) -> None:
    with SqliteLeadStore(isolated / "a.db") as source:
        source.upsert_many([make_lead(f"L{i}", score=60 + i) for i in range(5)])
        source.set_status(make_lead("L2").lead_id, "referred", assignee="zhao")
        leads = list(source.iter_leads(LeadQuery()))

    def bulk(request: Recorded) -> tuple[int, Any]:
        return 200, bulk_response(
            [bulk_item(op, "netsword-leads-v1", meta["_id"]) for op, meta, _ in bulk_actions(request)]
        )

    ready.on("PUT", "/_bulk", bulk)
    ready.on("POST", "/netsword-leads/_mget", none_found)
    url = ready.url.replace("http://", "http://netsword:s3cret@")
    assert main(["leads", "copy", "--from", f"sqlite:///{isolated / 'a.db'}", "--to", url, "--batch", "2"]) == 0
    err = capsys.readouterr().err
    assert "copied 5 leads" in err and "s3cret" not in err
    sent = [bulk_actions(r) for r in ready.sent("PUT", "/_bulk")]
    assert [len(actions) for actions in sent] == [2, 2, 1]
    written = [source for actions in sent for _, _, source in actions]
    with SqliteLeadStore(isolated / "a.db") as source:
        logs = source.status_logs(lead.lead_id for lead in leads)
    assert len(logs) == 1
    # status, assignee, price history and status log: exactly as stored
    assert written == [doc_of(lead, status_history=logs.get(lead.lead_id, [])) for lead in leads]
    assert written[[lead.listing_id for lead in leads].index("L2")]["status_history"][0]["after"] == "referred"
    # none was in the index yet (the `_mget` before each chunk): each is created, so a lead another writer creates
    # at the same moment is a 409 that is read again, never a blind overwrite
    assert all(op == "create" and "if_seq_no" not in meta for actions in sent for op, meta, _ in actions)
    assert len(ready.sent("POST", "/netsword-leads/_mget")) == 3


def test_copy_elasticsearch_to_sqlite(isolated: Path, ready: EsResponder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(elastic, "PAGE", 2)
    leads = [make_lead(f"L{i}", score=90 - i).with_changes(status="triaged", times_seen=3) for i in range(3)]
    pages = [leads[:2], leads[2:]]
    ready.on("POST", "/netsword-leads/_pit", {"id": "pit-a"})

    def page(request: Recorded) -> tuple[int, Any]:
        batch = pages[len(ready.sent("POST", "/_search")) - 1]
        hits = [{"_index": "netsword-leads-v1", "_id": lead.lead_id, "_source": doc_of(lead), "sort": [lead.score, lead.lead_id]}
                for lead in batch]  # fmt: skip
        return 200, {"took": 1, "timed_out": False, "pit_id": "pit-a", "hits": {"hits": hits}}

    ready.on("POST", "/_search", page)
    ready.on("DELETE", "/_pit", {"succeeded": True, "num_freed": 1})
    log = [{"at": "2024-05-02T09:00:00Z", "before": "new", "after": "triaged", "assignee": "li"}]

    def status_logs(request: Recorded) -> tuple[int, Any]:
        assert request.params["_source_includes"] == "status_history"
        return 200, {"docs": [{"_index": "netsword-leads-v1", "_id": i, "found": True,
                               "_source": {"status_history": log if i == leads[0].lead_id else []}}
                              for i in request.json["ids"]]}  # fmt: skip

    ready.on("POST", "/netsword-leads/_mget", status_logs)
    # kept listings are copied too unless left out (test_elastic_listings_copy.py copies them with a fake cluster)
    assert main(["leads", "copy", "--from", ready.url, "--to", f"sqlite:///{isolated / 'b.db'}", "--no-listings"]) == 0
    with SqliteLeadStore(isolated / "b.db") as target:
        assert list(target.iter_leads(LeadQuery())) == leads
        assert target.status_history(leads[0].lead_id) == log and target.status_history(leads[1].lead_id) == []


def test_copy_reports_documents_the_cluster_refused(
    isolated: Path, ready: EsResponder, capsys: pytest.CaptureFixture[str]
) -> None:
    with SqliteLeadStore(isolated / "a.db") as source:
        source.upsert_many([make_lead("L1"), make_lead("L2")])
    ready.on("POST", "/netsword-leads/_mget", none_found)
    refused = {
        "type": "cluster_block_exception",
        "reason": "index [netsword-leads-v1] blocked by: [FORBIDDEN/8/index write (api)]",
    }
    ready.on(
        "PUT",
        "/_bulk",
        lambda r: (
            200,
            bulk_response([bulk_item(op, "netsword-leads-v1", m["_id"], 403, refused) for op, m, _ in bulk_actions(r)]),
        ),
    )
    # a block that is not a reindex's (no `_meta.netsword_reindex_to` on the index): reported at once, not waited out
    ready.on("GET", "/netsword-leads-v1/_mapping", {"netsword-leads-v1": {"mappings": {"properties": {}}}})
    assert main(["leads", "copy", "--from", f"sqlite:///{isolated / 'a.db'}", "--to", ready.url]) == 1
    assert len(ready.sent("PUT", "/_bulk")) == 1
    assert (
        "2 leads not written" in capsys.readouterr().err
        and "cluster_block_exception" in capsys.readouterr().err + refused["type"]
    )
