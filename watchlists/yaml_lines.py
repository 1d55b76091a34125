"""Load YAML (or JSON) while remembering the line of every key and list item, for `file:line` errors.

The one YAML loading path for watchlists, jobs, alert rules and platform profiles. Hostile or careless files are
bounded: nesting deeper than MAX_DEPTH, and aliases that would expand to more than MAX_ALIAS_EXPANSION values
beyond the file's own ("billion laughs": a few hundred bytes that expand to 10⁹ items) or that contain themselves,
are refused with the line where it happens instead of exhausting memory or the stack.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
MAX_DEPTH = 64
MAX_ALIAS_EXPANSION = 50_000


class YamlShapeError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, keeps no custom tags and bounds nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.composed = 0  # nodes written in the file; an alias adds none here

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if not self.check_event(yaml.AliasEvent):
            self.composed += 1
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlShapeError(mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _Budget:
    """How many more values aliases may add: the file's own values are free, copies through aliases are not."""

    def __init__(self, composed: int) -> None:
        self.left = composed + MAX_ALIAS_EXPANSION

    def spend(self, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            raise YamlShapeError(
                node.start_mark.line + 1,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION} values (an alias bomb?): write the values out",
            )


def load_with_lines(text: str) -> tuple[Any, dict[Path_, int]]:
    """Parse text; return the data and a map from each value's path to its 1-based line."""
    try:
        loader = _LineLoader(text)
    except yaml.YAMLError as exc:  # a character YAML does not allow (NUL, most control characters)
        line = 1 + text.count("\n", 0, getattr(exc, "position", 0))
        character = getattr(exc, "character", None)
        what = f"character U+{character:04X}" if isinstance(character, int) else "a character"
        raise YamlShapeError(line, f"not valid YAML: {what} is not allowed") from None
    try:
        node = loader.get_single_node()
        lines: dict[Path_, int] = {}
        budget = _Budget(loader.composed)
        data = _build(loader, node, (), lines, budget, ()) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlShapeError(line, f"not valid YAML/JSON: {exc.problem or exc}") from None
    finally:
        loader.dispose()
    return data, lines


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    budget: _Budget,
    open_nodes: tuple[int, ...],
) -> Any:
    budget.spend(node)
    lines[path] = node.start_mark.line + 1
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in open_nodes:
            raise YamlShapeError(node.start_mark.line + 1, "an alias refers to a value that contains it")
        if len(open_nodes) >= MAX_DEPTH:
            raise YamlShapeError(node.start_mark.line + 1, f"nested more than {MAX_DEPTH} levels deep")
        open_nodes = (*open_nodes, id(node))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlShapeError(key_node.start_mark.line + 1, "a key must be text, not a list or mapping")
            key = str(loader.construct_object(key_node, deep=True))
            if key in out:
                raise YamlShapeError(key_node.start_mark.line + 1, f"duplicate key {key!r}")
            out[key] = _build(loader, value_node, (*path, key), lines, budget, open_nodes)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*path, i), lines, budget, open_nodes) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # e.g. 2031-13-01 looks like a date but is none: keep the text for the validator to name
        return node.value


# ---- the fast path for large files ------------------------------------------------------------------------------

_ALIAS_OR_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])[&*][^\s,\]}]")
_DEEP_INDENT = re.compile(r"^ {128}", re.MULTILINE)
_DEEP_BRACKETS = re.compile(r"[\[{]{16}")


def _deep(text: str) -> bool:
    """A line indented 128 spaces or 16 brackets in a row. The regular expressions walk every character (0.4 s on an
    18 MB file); the substrings they need are looked for first, in C, so most files never run them."""
    if " " * 128 in text and _DEEP_INDENT.search(text):
        return True
    return any(pair in text for pair in ("[[", "[{", "{[", "{{")) and _DEEP_BRACKETS.search(text) is not None


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Duplicate
    return out


class _FastLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
    """libyaml's parser; a mapping with a repeated key sends the file to the line-keeping loader."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if len(mapping) != len(node.value):
            raise _Duplicate
        return mapping


def fast_load(text: str) -> tuple[bool, Any]:
    """(True, data) when the text parses on the fast path — JSON through the json module, YAML through libyaml —
    with no duplicate keys, anchors, aliases or deep nesting; (False, None) otherwise, and the caller then reads it
    with load_with_lines, which keeps the line of every value and bounds what the fast path cannot."""
    if _deep(text):
        return False, None
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")):
            return True, json.loads(text, object_pairs_hook=_no_duplicates)
        if _ALIAS_OR_ANCHOR.search(text) or not getattr(yaml, "__with_libyaml__", False):
            return False, None
        return True, yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader subclass
    except (ValueError, yaml.YAMLError, RecursionError):
        return False, None
