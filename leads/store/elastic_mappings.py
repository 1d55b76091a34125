"""Index template and mappings for leads, the Chinese analyser choice, and the Lead ⇄ document conversion.

Titles and matched text are analysed by `smartcn` or `icu_tokenizer` when the cluster has the plugin, otherwise by
the standard tokenizer with CJK bigrams; a `.bigram` sub-field is always present so phrase search on Chinese works
the same whatever the plugin (docs/elasticsearch.md, "Chinese text").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elasticsearch import Elasticsearch

from netsword.models import Lead

ANALYSIS_PLUGINS = {"analysis-smartcn": "smartcn", "analysis-icu": "icu"}  # preference order: smartcn first
_DATE = {"type": "date", "format": "strict_date_optional_time||epoch_millis"}
_KEYWORD = {"type": "keyword", "ignore_above": 1024}
# Fields added after the first release: an index made before one of them gets it on the first write that needs it
# (adding a field is an online mapping change; elastic_bulk does it), no reindex needed.
ADDED_FIELDS = ("last_run",)
STATUS_LOG_MAPPING: dict[str, Any] = {
    "type": "nested",
    "properties": {"at": _DATE, "before": _KEYWORD, "after": _KEYWORD, "assignee": _KEYWORD},
}
_TEXT_ANALYZERS: dict[str, dict[str, Any]] = {
    # smartcn segments Simplified Chinese into words with a hidden Markov model; lowercase folds Latin text
    "smartcn": {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
    # ICU segments Chinese with a dictionary and folds case, width and accents for every script
    "icu": {"type": "custom", "tokenizer": "icu_tokenizer", "filter": ["icu_folding"]},
    # no plugin: every Chinese character pair becomes a term, so phrases of two or more characters match
    "bigram": {"type": "custom", "tokenizer": "standard", "filter": ["cjk_width", "lowercase", "cjk_bigram"]},
}


def detect_analysis(client: Elasticsearch) -> str:
    """`smartcn`, `icu` or `bigram` (no plugin), from the plugins each node reports in `GET _nodes/plugins`."""
    nodes = client.nodes.info(metric="plugins").body.get("nodes", {})
    installed = [{p.get("name") for p in node.get("plugins", [])} for node in nodes.values()]
    for plugin, analysis in ANALYSIS_PLUGINS.items():
        # a plugin counts only when every node has it: a shard on a node without it could not open
        if installed and all(plugin in names for names in installed):
            return analysis
    return "bigram"


def _text_field() -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "lead_text",
        "fields": {
            "keyword": {"type": "keyword", "ignore_above": 512},
            "bigram": {"type": "text", "analyzer": "lead_bigram"},
        },
    }


def added_field_mappings() -> dict[str, Any]:
    """The mappings of ADDED_FIELDS, for `PUT <index>/_mapping` on an index made before them."""
    return {name: dict(_KEYWORD) for name in ADDED_FIELDS}


def mappings() -> dict[str, Any]:
    """Explicit mappings; `strict` so a stray field is a reported per-document failure, never a mapping change."""
    keyword_fields = ("lead_id", "listing_id", "platform", "entry_id", "kind", "status", "owner", "assignee",
                      "seller", "seller_id", "currency", "cited_number", *ADDED_FIELDS)  # fmt: skip
    props: dict[str, Any] = {name: dict(_KEYWORD) for name in keyword_fields}
    props.update(
        url={"type": "keyword", "ignore_above": 2048},
        score={"type": "integer"},
        times_seen={"type": "integer"},
        price={"type": "double"},
        first_seen=dict(_DATE),
        last_seen=dict(_DATE),
        title=_text_field(),
        matched=_text_field(),
        reasons={"properties": {"code": dict(_KEYWORD), "detail": {"type": "text", "analyzer": "lead_text"}}},
        # kept in _source for the lead's page and copies, not searched: scraped keys must not grow the mapping
        listing={"type": "object", "enabled": False},
        price_history={"type": "object", "enabled": False},
        # the status log is NetSword's own (four known keys), and the dashboard counts decisions per day from it:
        # nested, so that one change's `at` and `after` are counted together
        status_history=STATUS_LOG_MAPPING,
    )
    return {"dynamic": "strict", "properties": props}


def index_template(alias: str, analysis: str, *, shards: int = 1, replicas: int = 1) -> dict[str, Any]:
    """The composable index template for every `<alias>-v<N>` index."""
    return {
        "index_patterns": [f"{alias}-v*"],
        "priority": 200,
        "template": {
            "settings": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "analysis": {
                    "analyzer": {"lead_text": _TEXT_ANALYZERS[analysis], "lead_bigram": _TEXT_ANALYZERS["bigram"]}
                },
            },
            "mappings": mappings(),
        },
        "_meta": {"managed_by": "netsword", "analysis": analysis},
    }


def doc_of(lead: Lead, *, status_history: list[Any] | None = None) -> dict[str, Any]:
    """The indexed document: the Lead's JSON plus the listing fields filters and dashboards need at top level."""
    doc = lead.to_dict()
    doc.update(title=lead.title, seller=lead.seller_name, price=lead.price)
    seller = lead.listing.get("seller")
    doc["seller_id"] = str(seller.get("id", "")) if isinstance(seller, Mapping) else ""
    doc["currency"] = str(lead.listing.get("currency", "CNY"))
    for name in ("first_seen", "last_seen"):
        doc[name] = doc[name] or None  # an empty string is not a date; null keeps the document indexable
    doc["status_history"] = list(status_history or [])
    return doc


def lead_of(source: Mapping[str, Any]) -> Lead:
    data = dict(source)
    for name in ("first_seen", "last_seen"):
        data[name] = data.get(name) or ""
    return Lead.from_dict(data)
