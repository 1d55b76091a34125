"""Find the JSON inside a JavaScript wrapper: `g_page_config = {…};`, `window.data = …`, `export const x = …`, JSONP."""

from __future__ import annotations

import json
import re
from typing import Any

_JSONP = re.compile(r"^\s*(?:/\*.*?\*/\s*)?[\w$.]+\s*\(", re.S)


class EmbeddedJsonError(ValueError):
    pass


def extract_embedded(text: str, variable: str) -> Any:
    """The JSON value assigned to `variable` (or passed to a JSONP callback when variable is "jsonp")."""
    if variable == "jsonp":
        match = _JSONP.match(text)
        if not match:
            raise EmbeddedJsonError("no JSONP callback( … ) wrapper found")
        start = match.end()
    else:
        # Not preceded by a name character or a dot, so `data` does not match inside `window.data`.
        match = re.search(r"(?<![\w$.])" + re.escape(variable) + r"\s*=\s*", text)
        if not match:
            raise EmbeddedJsonError(f"no assignment to {variable} found")
        start = match.end()
    try:
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise EmbeddedJsonError(f"the value of {variable} is not JSON: {exc}") from None
    return value
