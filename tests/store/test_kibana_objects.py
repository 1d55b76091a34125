"""The Kibana saved objects in docs/kibana/ import as a set: valid NDJSON, references that resolve, and fields
that exist in the lead mappings with a type Kibana can aggregate on."""

from __future__ import annotations

import json
from pathlib import Path

from leads.store.elastic_mappings import mappings

NDJSON = Path(__file__).resolve().parents[2] / "docs" / "kibana" / "netsword-leads.ndjson"
AGGREGATABLE = {"keyword", "date", "integer", "double"}


def _objects() -> list[dict]:
    return [json.loads(line) for line in NDJSON.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_references_resolve_and_ids_are_unique() -> None:
    objects = _objects()
    ids = {(o["type"], o["id"]) for o in objects}
    assert len(ids) == len(objects)
    for obj in objects:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in ids, f"{obj['id']}: reference {ref} is not in the file"
    assert {o["type"] for o in objects} == {"index-pattern", "search", "visualization", "dashboard"}
    dashboard = next(o for o in objects if o["type"] == "dashboard")
    panel_refs = {p["panelRefName"] for p in json.loads(dashboard["attributes"]["panelsJSON"])}
    assert panel_refs == {r["name"] for r in dashboard["references"]}


def test_fields_exist_in_the_mappings() -> None:
    props = mappings()["properties"]
    objects = _objects()
    data_view = next(o for o in objects if o["type"] == "index-pattern")["attributes"]
    assert data_view["title"] == "netsword-leads"  # the alias, so a reindex changes nothing in Kibana
    assert props[data_view["timeFieldName"]]["type"] == "date"
    for obj in objects:
        if obj["type"] == "visualization":
            for agg in json.loads(obj["attributes"]["visState"])["aggs"]:
                field = agg["params"].get("field")
                if field:
                    assert props[field]["type"] in AGGREGATABLE, f"{obj['id']}: {field}"
        if obj["type"] == "search":
            for column in obj["attributes"]["columns"]:
                assert column in props, f"{obj['id']}: {column}"
