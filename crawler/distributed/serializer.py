"""Requests in Redis as JSON, for scrapy-redis's SCHEDULER_SERIALIZER (a module with `dumps` and `loads`).

scrapy-redis pickles by default, and unpickling runs code: whoever can write to Redis could then run code in every
worker. JSON runs nothing. `Request.to_dict()` holds bytes (headers, body) and byte-keyed maps, tagged here; any
other object (a Playwright PageMethod, say) is refused, so the spider leaves those out (crawler.distributed.spider
rebuilds them when a request comes back).
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES, _MAP = "__b64__", "__map__"


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray)):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and _BYTES not in value and _MAP not in value:
            return {k: _plain(v) for k, v in value.items()}
        return {_MAP: [[_plain(k), _plain(v)] for k, v in value.items()]}
    raise TypeError(f"cannot queue a {type(value).__name__} in a request")


def _restore(value: Any) -> Any:
    if isinstance(value, list):
        return [_restore(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        if set(value) == {_MAP}:
            return {_restore(k): _restore(v) for k, v in value[_MAP]}
        return {k: _restore(v) for k, v in value.items()}
    return value


def dumps(obj: dict[str, Any]) -> bytes:
    return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> dict[str, Any]:
    obj = _restore(json.loads(data))
    if not isinstance(obj, dict):
        raise ValueError("a queued request must be a JSON object")
    return obj
