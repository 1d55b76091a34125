"""JSON from files and crawled pages with its nesting bounded, so one hostile value is one bad line, not a crash.

`json.loads` raises RecursionError (not a ValueError) on a few thousand nested brackets, and a value a little
shallower than that still crashes whatever walks it next. `loads` and `check_depth` turn both into JsonTooDeep, a
ValueError the line readers (listings, parcel manifests, crawled feeds and API bodies) already report and skip.
Listings, manifests and marketplace APIs nest a handful of levels; MAX_DEPTH leaves ample room.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    def __init__(self, limit: int = MAX_DEPTH) -> None:
        super().__init__(f"JSON nested more than {limit} levels deep")


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` that raises JsonTooDeep (a ValueError) for values nested deeper than `max_depth`."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    # Each level of nesting opens with a bracket, so text with no more brackets than max_depth (brackets inside
    # strings included) cannot nest too deep: the walk is skipped for ordinary values, such as a listing line.
    brackets = text.count(b"{") + text.count(b"[") if isinstance(text, bytes) else text.count("{") + text.count("[")
    if brackets > max_depth:
        check_depth(value, max_depth=max_depth)
    return value


def check_depth(value: Any, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise JsonTooDeep when lists and objects in `value` nest deeper than `max_depth` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= max_depth:
            raise JsonTooDeep(max_depth)
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
