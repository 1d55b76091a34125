"""A small in-memory stand-in for the Elasticsearch endpoints the kept-listings and reindex code use, wired into the
loopback responder (tests/store/es_responder.py): documents with versions and sequence numbers, conditional and
`create` writes, aliases, the write block, `_meta`, external-version reindexing and point-in-time paging.

It follows the documented semantics only as far as these tests need; a request it does not know is unscripted, and
the responder fixture fails the test. The live half of the suite (NETSWORD_TEST_ES_URL) runs on a real cluster.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.store.es_responder import EsResponder, Recorded, acknowledged, bulk_actions, bulk_response, error_body

Reply = tuple[int, Any]
NAME = r"(?P<index>netsword-[a-z]+(?:-v\d+)?)"


@dataclass
class Doc:
    source: dict[str, Any]
    version: int
    seq_no: int


@dataclass
class Index:
    docs: dict[str, Doc] = field(default_factory=dict)
    blocked: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    seq: int = 0

    def put(self, doc_id: str, source: dict[str, Any], version: int | None = None) -> Doc:
        old = self.docs.get(doc_id)
        self.seq += 1
        doc = Doc(source, version if version is not None else (old.version + 1 if old else 1), self.seq)
        self.docs[doc_id] = doc
        return doc


@dataclass
class FakeCluster:
    es: EsResponder
    indices: dict[str, Index] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    on_reindex: Callable[[int], None] | None = None  # called with the pass number (1, 2, …) after each copy
    reindexes: int = 0
    blocked_writes: int = 0

    def resolve(self, name: str) -> str:
        return self.aliases.get(name, name)

    def wait_for_blocked_writes(self, count: int, timeout: float = 5.0) -> None:
        """Wait (up to `timeout` seconds) until `count` writes have met a write block; the caller asserts after."""
        deadline = time.monotonic() + timeout
        while self.blocked_writes < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def install(self) -> FakeCluster:
        es = self.es
        es.on("GET", "/_alias/(?P<name>[^/]+)", self._get_alias)
        es.on("HEAD", "/_alias/(?P<name>[^/]+)", lambda r: (200 if self._name(r) in self.aliases else 404, None))
        es.on("PUT", f"/{NAME}", self._create)
        es.on("GET", "/(?P<alias>netsword-[a-z]+)-v\\*", self._versions)
        es.on("POST", f"/{NAME}/_mget", self._mget)
        es.on("GET", f"/{NAME}/_doc/(?P<id>[^/]+)", self._get)
        es.on("POST", f"/{NAME}/_update/(?P<id>[^/]+)", self._update)
        es.on("PUT", "/_bulk", self._bulk)
        es.on("POST", "/_reindex", self._reindex)
        es.on("PUT", f"/{NAME}/_mapping", self._put_mapping)
        es.on("GET", f"/{NAME}/_mapping", self._get_mapping)
        es.on("PUT", f"/{NAME}/_settings", self._put_settings)
        es.on("POST", "/_aliases", self._swap)
        es.on("POST", f"/{NAME}/_count", self._count)
        es.on("POST", f"/{NAME}/_pit", lambda r: (200, {"id": self.resolve(self._index(r))}))
        es.on("POST", "/_search", self._search)
        es.on("DELETE", "/_pit", {"succeeded": True, "num_freed": 1})
        es.on("POST", f"/{NAME}/_delete_by_query", self._delete_by_query)
        es.on("GET", "/_nodes/plugins", {"nodes": {"n1": {"plugins": []}}})
        es.on("PUT", "/_index_template/(?P<name>[^/]+)", acknowledged)
        es.on("POST", f"/{NAME}/_refresh", {"_shards": {"total": 1, "successful": 1, "failed": 0}})
        return self

    # --- helpers -------------------------------------------------------------------------------------------------
    @staticmethod
    def _name(request: Recorded) -> str:
        return request.path.split("/")[2]

    @staticmethod
    def _index(request: Recorded) -> str:
        return request.path.split("/")[1]

    def _doc_reply(self, index: str, doc_id: str) -> dict[str, Any]:
        doc = self.indices[index].docs.get(doc_id)
        if doc is None:
            return {"_index": index, "_id": doc_id, "found": False}
        return {"_index": index, "_id": doc_id, "found": True, "_version": doc.version, "_seq_no": doc.seq_no,
                "_primary_term": 1, "_source": doc.source}  # fmt: skip

    def _versions(self, request: Recorded) -> Reply:
        alias = request.path.strip("/").removesuffix("-v*")
        return 200, {index: {} for index in self.indices if index.startswith(f"{alias}-v")}

    def _get_alias(self, request: Recorded) -> Reply:
        name = self._name(request)
        if name not in self.aliases:
            return 404, error_body("aliases_not_found_exception", f"alias [{name}] missing", 404)
        return 200, {self.aliases[name]: {"aliases": {name: {"is_write_index": True}}}}

    def _create(self, request: Recorded) -> Reply:
        with self.lock:
            index = self._index(request)
            if index in self.indices:
                return 400, error_body("resource_already_exists_exception", f"index [{index}] exists", 400)
            self.indices[index] = Index()
            for alias in (request.json or {}).get("aliases", {}) if request.body else {}:
                self.aliases[alias] = index
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": index}

    def _mget(self, request: Recorded) -> Reply:
        with self.lock:
            index = self.resolve(self._index(request))
            return 200, {"docs": [self._doc_reply(index, i) for i in request.json["ids"]]}

    def _get(self, request: Recorded) -> Reply:
        with self.lock:
            index = self.resolve(self._index(request))
            reply = self._doc_reply(index, request.path.split("/")[-1])
        return (200 if reply["found"] else 404), reply

    def _blocked(self, index: str, doc_id: str, op: str) -> dict[str, Any]:
        self.blocked_writes += 1
        reason = f"index [{index}] blocked by: [FORBIDDEN/8/index write (api)];"
        return {op: {"_index": index, "_id": doc_id, "status": 403,
                     "error": {"type": "cluster_block_exception", "reason": reason}}}  # fmt: skip

    def _update(self, request: Recorded) -> Reply:
        with self.lock:
            index, doc_id = self._index(request), request.path.split("/")[-1]
            target = self.indices[self.resolve(index)]
            if target.blocked:
                self.blocked_writes += 1
                return 403, error_body("cluster_block_exception", f"index [{index}] blocked by: [FORBIDDEN/8/index write (api)];", 403)  # fmt: skip
            doc = target.docs[doc_id]
            if int(request.params["if_seq_no"]) != doc.seq_no:
                return 409, error_body("version_conflict_engine_exception", "conflict", 409)
            target.put(doc_id, {**doc.source, **request.json["doc"]})
        return 200, {"_index": index, "_id": doc_id, "result": "updated"}

    def _bulk(self, request: Recorded) -> Reply:
        items = []
        with self.lock:
            for op, meta, source in bulk_actions(request):
                index = self.resolve(meta["_index"])
                target, doc_id = self.indices[index], meta["_id"]
                current = target.docs.get(doc_id)
                if target.blocked:
                    items.append(self._blocked(index, doc_id, op))
                elif (op == "create" and current is not None) or (
                    "if_seq_no" in meta and (current is None or current.seq_no != meta["if_seq_no"])
                ):
                    items.append({op: {"_index": index, "_id": doc_id, "status": 409,
                                       "error": {"type": "version_conflict_engine_exception", "reason": "conflict"}}})  # fmt: skip
                else:
                    assert source is not None
                    target.put(doc_id, source)
                    items.append({op: {"_index": index, "_id": doc_id, "status": 201 if current is None else 200,
                                       "result": "created" if current is None else "updated"}})  # fmt: skip
        return 200, bulk_response(items)

    def copy(self, old: str, new: str) -> int:
        """`_reindex` with `version_type: external`: a document is written only when its version is higher."""
        written = 0
        with self.lock:
            for doc_id, doc in self.indices[old].docs.items():
                there = self.indices[new].docs.get(doc_id)
                if there is None or there.version < doc.version:
                    self.indices[new].put(doc_id, dict(doc.source), version=doc.version)
                    written += 1
        return written

    def _reindex(self, request: Recorded) -> Reply:
        body = request.json
        assert body["dest"].get("version_type") == "external" and body.get("conflicts") == "proceed"
        written = self.copy(body["source"]["index"], body["dest"]["index"])
        self.reindexes += 1
        if self.on_reindex is not None:
            self.on_reindex(self.reindexes)  # writers act after the pass copied (so only a later pass can carry it)
        return 200, {"took": 1, "timed_out": False, "created": written, "updated": 0, "failures": []}

    def _put_mapping(self, request: Recorded) -> Reply:
        with self.lock:
            self.indices[self._index(request)].meta.update(request.json.get("_meta", {}))
        return acknowledged()

    def _get_mapping(self, request: Recorded) -> Reply:
        index = self.resolve(self._index(request))
        return 200, {index: {"mappings": {"_meta": dict(self.indices[index].meta), "properties": {}}}}

    def _put_settings(self, request: Recorded) -> Reply:
        with self.lock:
            self.indices[self._index(request)].blocked = bool(request.json["index.blocks.write"])
        return acknowledged()

    def _swap(self, request: Recorded) -> Reply:
        with self.lock:
            for action in request.json["actions"]:
                if "add" in action:
                    self.aliases[action["add"]["alias"]] = action["add"]["index"]
        return acknowledged()

    def _matches(self, source: dict[str, Any], query: dict[str, Any]) -> bool:
        for clause in query.get("bool", {}).get("filter", []):
            if "terms" in clause:
                ((name, values),) = clause["terms"].items()
                if source.get(name) not in values:
                    return False
            if "range" in clause:
                ((name, bounds),) = clause["range"].items()
                value = source.get(name) or ""
                if ("gte" in bounds and value < bounds["gte"]) or ("lt" in bounds and value >= bounds["lt"]):
                    return False
        return True

    def _count(self, request: Recorded) -> Reply:
        with self.lock:
            index = self.indices[self.resolve(self._index(request))]
            query = request.json.get("query", {}) if request.body else {}
            return 200, {"count": sum(self._matches(d.source, query) for d in index.docs.values())}

    def _search(self, request: Recorded) -> Reply:
        """Point-in-time pages sorted by platform and listing id (the kept listings' order)."""
        body = request.json
        with self.lock:
            index = self.indices[body["pit"]["id"]]
            keys = sorted(
                ((d.source["platform"], d.source["listing_id"]), d.source)
                for d in index.docs.values()
                if self._matches(d.source, body.get("query", {}))
            )
        after = tuple(body.get("search_after") or ())
        hits = [{"_source": source, "sort": list(key)} for key, source in keys if not after or key > after]
        return 200, {"pit_id": body["pit"]["id"], "hits": {"hits": hits[: body["size"]]}}

    def _delete_by_query(self, request: Recorded) -> Reply:
        with self.lock:
            index = self.indices[self.resolve(self._index(request))]
            bound = request.json["query"]["range"]["last_seen"]["lt"]
            doomed = [i for i, d in index.docs.items() if (d.source.get("last_seen") or "") < bound]
            for doc_id in doomed:
                del index.docs[doc_id]
        return 200, {"deleted": len(doomed), "failures": []}
