"""`leads.process.process_batch` (what the crawl's LeadPipeline runs) stores and reports exactly what `process` does."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from leads.process import process, process_batch
from leads.sink import LeadSink
from leads.store import LeadQuery, open_store
from netsword.models import Lead, Listing

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "sample_listings.jsonl"


@pytest.fixture(scope="module")
def index() -> Any:
    from matchers.configured import build_index
    from netsword.config import load_config

    return build_index(load_config())


def _rounds() -> list[list[Listing]]:
    """Three crawls of the same listings: first sight; seen again with some prices changed; a listing twice."""
    first = [Listing.from_dict(json.loads(line)) for line in SAMPLES.read_text(encoding="utf-8").splitlines()]
    second = [
        replace(x, crawled_at="2026-12-01T08:00:00Z", price=(x.price or 0) + 1 if n % 3 == 0 else x.price)
        for n, x in enumerate(first)
    ]
    third = [replace(x, crawled_at="2026-12-02T08:00:00Z") for x in second[:10]]
    return [first, second, third + third[:4]]  # the same listings twice in one batch


def _stored(store: Any) -> list[dict[str, Any]]:
    return sorted((lead.to_dict() for lead in store.iter_leads(LeadQuery())), key=lambda d: d["lead_id"])


def test_batches_store_and_report_what_process_does(index: Any, tmp_path: Path) -> None:
    heard: dict[str, list[tuple[str, str, int]]] = {"one": [], "batch": []}

    def listener(name: str) -> Any:
        def hear(lead: Lead, outcome: str) -> None:
            heard[name].append((lead.lead_id, outcome, lead.score))

        return hear

    with open_store(f"sqlite:///{tmp_path / 'one.db'}") as one, open_store(f"sqlite:///{tmp_path / 'b.db'}") as many:
        for listings in _rounds():
            singly = [process(x, index, LeadSink(one, [listener("one")]), min_score=50) for x in listings]
            batched = []
            for start in range(0, len(listings), 7):  # batches that split rounds and duplicates anywhere
                chunk = listings[start : start + 7]
                batched.extend(process_batch(chunk, index, LeadSink(many, [listener("batch")]), min_score=50))
            assert [(r.leads, r.outcomes, r.report.as_dict()) for r in batched] == [
                (r.leads, r.outcomes, r.report.as_dict()) for r in singly
            ]
        assert heard["batch"] == heard["one"]
        assert _stored(many) == _stored(one)
    outcomes = {outcome for _, outcome, _ in heard["one"]}
    assert outcomes == {"created", "updated", "unchanged"}  # every path was exercised
    assert len(heard["one"]) >= 20


def test_an_empty_batch_and_listings_without_leads(index: Any, tmp_path: Path) -> None:
    plain = Listing.from_dict(
        {"id": "x1", "platform": "demo", "url": "https://demo.example/x1", "title": "plain cotton socks"}
    )
    with open_store(f"sqlite:///{tmp_path / 'leads.db'}") as store:
        assert process_batch([], index, LeadSink(store)) == []
        (result,) = process_batch([plain], index, LeadSink(store))
        assert result.leads == [] and result.outcomes == [] and result.report.as_dict()["created"] == 0
        assert _stored(store) == []
