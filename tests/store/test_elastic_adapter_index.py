"""Adapter tests (no Elasticsearch here): the real client against a loopback responder, checking the requests
that set up the index: compatibility headers, auth, the template and mappings, the alias, and reindexing."""

from __future__ import annotations

import base64

import pytest

from leads.store.base import StoreError
from leads.store.elastic import ElasticLeadStore
from leads.store.elastic_client import ClientSettings
from tests.store.es_responder import EsResponder, acknowledged, error_body

ALIAS_MISSING = error_body("index_not_found_exception", "no such index [netsword-leads]", 404)


def _nodes(*plugin_sets: list[str]) -> dict[str, object]:
    """`GET /_nodes/plugins`, one node per set of plugin names."""
    return {
        "_nodes": {"total": len(plugin_sets), "successful": len(plugin_sets), "failed": 0},
        "cluster_name": "test",
        "nodes": {
            f"node{i}": {"name": f"es{i}", "version": "9.1.0", "plugins": [{"name": p, "version": "9.1.0"} for p in ps]}
            for i, ps in enumerate(plugin_sets)
        },
    }


def _fresh_cluster(es: EsResponder, *plugin_sets: list[str]) -> None:
    es.on("GET", "/_alias/netsword-leads", ALIAS_MISSING, status=404)
    es.on("GET", "/_nodes/plugins", _nodes(*plugin_sets))
    es.on("PUT", "/_index_template/netsword-leads", acknowledged)
    es.on(
        "PUT", "/netsword-leads-v1", {"acknowledged": True, "shards_acknowledged": True, "index": "netsword-leads-v1"}
    )


def test_first_open_creates_template_and_versioned_index_behind_alias(responder: EsResponder) -> None:
    _fresh_cluster(responder, [])
    ElasticLeadStore(responder.url).close()
    template = responder.sent("PUT", "/_index_template/netsword-leads")[0].json
    assert template["index_patterns"] == ["netsword-leads-v*"]
    mappings = template["template"]["mappings"]
    assert mappings["dynamic"] == "strict"
    props = mappings["properties"]
    for name in ("lead_id", "status", "platform", "entry_id", "kind", "owner", "seller", "assignee"):
        assert props[name]["type"] == "keyword", name
    assert props["title"]["type"] == "text"
    assert props["title"]["fields"]["keyword"]["type"] == "keyword"
    assert props["title"]["fields"]["bigram"]["analyzer"] == "lead_bigram"
    assert props["first_seen"]["type"] == props["last_seen"]["type"] == "date"
    assert props["listing"] == {"type": "object", "enabled": False}
    # the status log is nested, so the dashboard counts each change's day and new status together
    log = props["status_history"]
    assert log["type"] == "nested"
    assert {name: field["type"] for name, field in log["properties"].items()} == {
        "at": "date", "before": "keyword", "after": "keyword", "assignee": "keyword",
    }  # fmt: skip
    analysis = template["template"]["settings"]["analysis"]["analyzer"]
    # no analysis plugin on the cluster: the documented fallback, standard tokenizer + CJK bigrams
    assert analysis["lead_text"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "lowercase", "cjk_bigram"],
    }
    assert template["_meta"]["analysis"] == "bigram"
    create = responder.sent("PUT", "/netsword-leads-v1")[0].json
    assert create == {"aliases": {"netsword-leads": {"is_write_index": True}}}


@pytest.mark.parametrize(
    ("plugins", "tokenizer"),
    [
        ([["analysis-smartcn"], ["analysis-smartcn", "analysis-icu"]], "smartcn_tokenizer"),
        ([["analysis-icu"], ["analysis-icu"]], "icu_tokenizer"),
        ([["analysis-smartcn"], []], "standard"),  # one node without it: a shard there could not open the index
    ],
)
def test_chinese_analyser_follows_the_plugins_on_every_node(
    responder: EsResponder, plugins: list[list[str]], tokenizer: str
) -> None:
    _fresh_cluster(responder, *plugins)
    ElasticLeadStore(responder.url).close()
    template = responder.sent("PUT", "/_index_template/netsword-leads")[0].json
    assert template["template"]["settings"]["analysis"]["analyzer"]["lead_text"]["tokenizer"] == tokenizer


def test_existing_alias_is_used_as_is_with_compat_headers(ready: EsResponder) -> None:
    ElasticLeadStore(ready.url).close()
    assert [f"{r.method} {r.path}" for r in ready.requests] == ["GET /_alias/netsword-leads"]
    # the 9.x client would say compatible-with=9, which 8.x clusters refuse; the default asks for 8
    assert ready.requests[0].headers["accept"] == "application/vnd.elasticsearch+json; compatible-with=8"


def test_compat_9_leaves_the_client_headers(ready: EsResponder) -> None:
    ElasticLeadStore(ready.url, client_settings=ClientSettings(compat_version=9)).close()
    assert ready.requests[0].headers["accept"].endswith("compatible-with=9")


def test_api_key_and_basic_auth_headers(ready: EsResponder) -> None:
    ElasticLeadStore(ready.url, client_settings=ClientSettings(api_key="a2V5OnNlY3JldA==")).close()
    assert ready.requests[-1].headers["authorization"] == "ApiKey a2V5OnNlY3JldA=="
    ElasticLeadStore(ready.url, client_settings=ClientSettings(username="netsword", password="pw")).close()
    expected = base64.b64encode(b"netsword:pw").decode()
    assert ready.requests[-1].headers["authorization"] == f"Basic {expected}"


def test_unreachable_or_refusing_cluster_is_a_store_error(responder: EsResponder) -> None:
    responder.on(
        "GET",
        "/_alias/netsword-leads",
        error_body("security_exception", "missing authentication credentials", 401),
        status=401,
    )
    with pytest.raises(StoreError, match="cannot prepare index netsword-leads"):
        ElasticLeadStore(responder.url)


def test_reindex_copies_into_next_version_and_swaps_alias_atomically(ready: EsResponder) -> None:
    ready.on("GET", "/_nodes/plugins", _nodes(["analysis-icu"]))
    ready.on("PUT", "/_index_template/netsword-leads", acknowledged)
    ready.on("GET", "/netsword-leads-v\\*", {"netsword-leads-v1": {}, "netsword-leads-v2": {}})
    ready.on(
        "PUT", "/netsword-leads-v3", {"acknowledged": True, "shards_acknowledged": True, "index": "netsword-leads-v3"}
    )
    passes = iter([12, 2, 0])  # everything, then what writers changed meanwhile, then what changed before the block
    ready.on("POST", "/_reindex", lambda _r: (200, {"took": 40, "timed_out": False, "total": 12, "created": 0,
                                                    "updated": next(passes), "version_conflicts": 10,
                                                    "failures": []}))  # fmt: skip
    ready.on("PUT", "/netsword-leads-v1/_mapping", acknowledged)
    ready.on("PUT", "/netsword-leads-v1/_settings", acknowledged)
    ready.on("POST", "/_aliases", acknowledged)
    ready.on("POST", "/netsword-leads-v3/_count", {"count": 12})
    ready.on("DELETE", "/netsword-leads-v1", acknowledged)
    ready.on("HEAD", "/_alias/netsword-listings", None, status=404)  # this store never kept a listing
    store = ElasticLeadStore(ready.url)
    report = store.reindex(delete_old=True)
    store.close()
    assert (report.old_index, report.new_index, report.documents, report.analysis, report.listings) == (
        "netsword-leads-v1",
        "netsword-leads-v3",
        12,
        "icu",
        None,
    )
    copies = ready.sent("POST", "/_reindex")
    assert len(copies) == 3
    for copy in copies:  # each document keeps its version: a later pass writes only what changed since
        assert copy.json == {
            "source": {"index": "netsword-leads-v1"},
            "dest": {"index": "netsword-leads-v3", "version_type": "external"},
            "conflicts": "proceed",
        }
        assert copy.params == {"refresh": "true", "wait_for_completion": "true"}
    assert ready.sent("PUT", "/netsword-leads-v1/_mapping")[0].json == {"_meta": {"netsword_reindex_to": "netsword-leads-v3"}}
    assert ready.sent("PUT", "/netsword-leads-v1/_settings")[0].json == {"index.blocks.write": True}
    assert ready.sent("POST", "/_aliases")[0].json == {
        "actions": [
            {"remove": {"index": "netsword-leads-v1", "alias": "netsword-leads"}},
            {"add": {"index": "netsword-leads-v3", "alias": "netsword-leads", "is_write_index": True}},
        ]
    }
    # two passes while writers write, then the block, the last pass, the swap; the old index goes only after
    order = [f"{r.method} {r.path}" for r in ready.requests]
    block = order.index("PUT /netsword-leads-v1/_settings")
    last_pass = max(i for i, o in enumerate(order) if o == "POST /_reindex")
    assert order.index("PUT /netsword-leads-v1/_mapping") < block < last_pass < order.index("POST /_aliases")
    assert order.index("POST /_aliases") < order.index("DELETE /netsword-leads-v1")


def test_open_store_by_url_takes_auth_from_the_environment(
    ready: EsResponder, isolated: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leads.store import open_store

    monkeypatch.setenv("NETSWORD_STORE_ES_API_KEY", "ZW52OmtleQ==")
    open_store(ready.url).close()
    assert ready.requests[-1].headers["authorization"] == "ApiKey ZW52OmtleQ=="
