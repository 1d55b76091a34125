"""Load and validate platform profiles (YAML) into `Profile`; every mistake is a `file:line: field: message` error."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jmespath
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from crawler.decoding import known_encoding
from crawler.profile import (
    FIELD_NAMES,
    FORMATS,
    PAGINATIONS,
    RENDERS,
    SOURCES,
    BlockRules,
    Detail,
    FieldRule,
    PageSpec,
    Pagination,
    ParamsRule,
    Profile,
)
from netsword.yaml_validation import line_of
from watchlists.yaml_lines import YamlShapeError, load_with_lines

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
_PLATFORM = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_PLACEHOLDERS = {"keyword", "page", "offset", "cursor", "id"}
_RULE_OPTIONS = {"regex", "all", "html", "absolute", "template"}


class ProfileError(ValueError):
    """A profile that cannot be used; the message is `file:line: field: what is wrong`."""


class _Reader:
    """Walks the parsed YAML, turning each problem into a ProfileError with the line it came from."""

    def __init__(self, source: str, lines: Mapping[tuple[str | int, ...], int]) -> None:
        self.source = source
        self.lines = lines

    def fail(self, path: tuple[str | int, ...], message: str) -> ProfileError:
        line = line_of(self.lines, path)
        name = ".".join(str(p) for p in path) or "profile"
        return ProfileError(f"{self.source}:{line}: {name}: {message}")

    def mapping(self, data: Any, path: tuple[str | int, ...], known: set[str]) -> Mapping[str, Any]:
        if not isinstance(data, Mapping):
            raise self.fail(path, f"must be a mapping, got {type(data).__name__}")
        for key in data:
            if key not in known:
                raise self.fail((*path, key), f"unknown key (known: {', '.join(sorted(known))})")
        return data

    def text(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...], default: str = "") -> str:
        value = data.get(key, default)
        if not isinstance(value, str):
            raise self.fail((*path, key), f"must be text, got {value!r}")
        return value

    def number(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...], default: float) -> float:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise self.fail((*path, key), f"must be a number ≥ 0, got {value!r}")
        return value

    def choice(self, data: Mapping[str, Any], key: str, path: tuple[str | int, ...], options: tuple[str, ...]) -> str:
        value = self.text(data, key, path, options[0])
        if value not in options:
            raise self.fail((*path, key), f"must be one of {', '.join(options)}, got {value!r}")
        return value

    def rule(self, name: str, data: Any, path: tuple[str | int, ...], default_source: str) -> FieldRule:
        if isinstance(data, str):
            data = {default_source: data}
        data = self.mapping(data, path, set(SOURCES) | _RULE_OPTIONS)
        sources = [s for s in SOURCES if s in data]
        if len(sources) != 1:
            raise self.fail(path, f"needs exactly one of {', '.join(SOURCES)}")
        source = sources[0]
        expr = self.text(data, source, path)
        self._check_expr(source, expr, (*path, source))
        regex = self.text(data, "regex", path)
        if regex:
            try:
                re.compile(regex)
            except re.error as exc:
                raise self.fail((*path, "regex"), f"not a valid regular expression: {exc}") from None
        flags = {}
        for flag in ("all", "html", "absolute"):
            value = data.get(flag, False)
            if not isinstance(value, bool):
                raise self.fail((*path, flag), f"must be true or false, got {value!r}")
            flags[flag] = value
        template = self.text(data, "template", path)
        if template and "{value}" not in template:
            raise self.fail((*path, "template"), "must contain {value}")
        return FieldRule(name=name, source=source, expr=expr, regex=regex, template=template, **flags)

    def params(self, data: Any, path: tuple[str | int, ...], default_source: str) -> ParamsRule | None:
        """fields.params: a rule for the rows, or {rows, key, value} rules (docs/adding-a-platform.md)."""
        if data is None:
            return None
        if isinstance(data, Mapping) and "rows" in data:
            data = self.mapping(data, path, {"rows", "key", "value"})
            if ("key" in data) != ("value" in data):
                raise self.fail(path, "needs both key and value (or neither: rows then select JSON objects)")
            rows = self.rule("params", data["rows"], (*path, "rows"), default_source)
            if "key" not in data:
                return ParamsRule(rows=rows)
            key = self.rule("params", data["key"], (*path, "key"), default_source)
            value = self.rule("params", data["value"], (*path, "value"), default_source)
            return ParamsRule(rows=rows, key=key, value=value)
        return ParamsRule(rows=self.rule("params", data, path, default_source))

    def _check_expr(self, source: str, expr: str, path: tuple[str | int, ...]) -> None:
        if not expr and source != "const":
            raise self.fail(path, "must not be empty")
        try:
            if source == "css":
                HTMLTranslator().css_to_xpath(expr)
            elif source == "xpath":
                Selector(text="<html/>").xpath(expr)
            elif source in ("json", "jsonld"):
                jmespath.compile(expr)
        except Exception as exc:  # noqa: BLE001 - each library raises its own error type; all mean "bad expression"
            raise self.fail(path, f"not a valid {source} expression: {exc}") from None

    def page(self, data: Any, path: tuple[str | int, ...], *, with_items: bool, extra: set[str]) -> PageSpec:
        known = {"format", "embedded", "items", "fields", "wait_for"} | extra
        data = self.mapping(data, path, known)
        fmt = self.choice(data, "format", path, FORMATS)
        embedded = self.text(data, "embedded", path)
        if fmt == "embedded" and not embedded:
            raise self.fail((*path, "embedded"), "format embedded needs the JS variable name (or jsonp)")
        default_source = "css" if fmt == "html" else "json"
        items = None
        if fmt == "jsonld" and with_items and "items" not in data:
            data = {**data, "items": "products"}  # a search page's products (ItemList entries included)
        if "items" in data:
            items = self.rule("items", data["items"], (*path, "items"), default_source)
        elif with_items and fmt not in ("jsonl", "csv"):
            raise self.fail((*path, "items"), "is required: where the repeated results are")
        raw_fields = dict(self.mapping(data.get("fields", {}), (*path, "fields"), {*FIELD_NAMES, "params"}))
        params = self.params(raw_fields.pop("params", None), (*path, "fields", "params"), default_source)
        fields = {
            name: self.rule(name, rule, (*path, "fields", name), default_source) for name, rule in raw_fields.items()
        }
        if "image_alts" in fields:  # every alt text, not the first
            fields["image_alts"] = dataclasses.replace(fields["image_alts"], all=True)
        for name, rule in fields.items():
            if rule.source == "jsonld" and fmt != "html":
                raise self.fail((*path, "fields", name), f"jsonld reads the schema.org data of HTML pages, not {fmt}")
        return PageSpec(
            format=fmt,
            embedded=embedded,
            items=items,
            fields=fields,
            params=params,
            wait_for=self.text(data, "wait_for", path),
        )


def _placeholders(template: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", template))


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Validate a profile's YAML text; raise ProfileError naming file, line and field."""
    try:
        data, lines = load_with_lines(text)
    except YamlShapeError as exc:
        raise ProfileError(f"{source}:{exc.line}: profile: {exc}") from None
    r = _Reader(source, lines)
    known = {
        "version", "platform", "description", "base_url", "render", "currency", "search", "detail",
        "politeness", "headers", "keywords", "allowed_hosts", "encoding", "allow_private_addresses", "blocked",
        "listing_page",
    }  # fmt: skip
    data = r.mapping(data, (), known)
    if data.get("version", 1) != 1:
        raise r.fail(("version",), f"only version 1 is understood, got {data.get('version')!r}")
    platform = r.text(data, "platform", ())
    if not _PLATFORM.match(platform):
        raise r.fail(("platform",), f"must be lower-case letters, digits, '.', '_' or '-', got {platform!r}")
    base_url = r.text(data, "base_url", ())
    if base_url and not base_url.startswith(("http://", "https://")):
        raise r.fail(("base_url",), f"must start with http:// or https://, got {base_url!r}")
    render = r.choice(data, "render", (), RENDERS)

    if "search" not in data:
        raise r.fail(("search",), "is required")
    search_data = data["search"]
    if not isinstance(search_data, Mapping):
        raise r.fail(("search",), f"must be a mapping, got {type(search_data).__name__}")
    search_url = r.text(search_data, "url", ("search",))
    if not search_url:
        raise r.fail(("search", "url"), "is required: the search URL template")
    unknown = _placeholders(search_url) - _PLACEHOLDERS
    if unknown:
        raise r.fail(("search", "url"), f"unknown placeholder {{{sorted(unknown)[0]}}}")
    if not base_url and not search_url.startswith(("http://", "https://")):
        raise r.fail(("search", "url"), "must be absolute when the profile has no base_url")
    search = r.page(search_data, ("search",), with_items=True, extra={"url", "pagination"})
    pagination = _pagination(r, search_data.get("pagination", {}), search_url, render, search.format)
    detail = _detail(r, data["detail"]) if "detail" in data else None

    politeness = r.mapping(data.get("politeness", {}), ("politeness",), {"concurrency", "delay"})
    headers = r.mapping(data.get("headers", {}), ("headers",), set(data.get("headers", {}) or {}))
    for key, value in headers.items():
        if not isinstance(value, str):
            raise r.fail(("headers", key), f"must be text, got {value!r}")
    keywords = data.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip() for k in keywords):
        raise r.fail(("keywords",), "must be a list of non-empty text")
    hosts = data.get("allowed_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise r.fail(("allowed_hosts",), "must be a list of host names")
    allow_private = data.get("allow_private_addresses", False)
    if not isinstance(allow_private, bool):
        raise r.fail(("allow_private_addresses",), f"must be true or false, got {allow_private!r}")
    encoding = r.text(data, "encoding", ())
    if encoding and not known_encoding(encoding):
        raise r.fail(("encoding",), f"unknown encoding {encoding!r} (e.g. gbk, gb18030, utf-8, big5, shift_jis)")
    listing_page = r.text(data, "listing_page", ())
    if listing_page and _placeholders(listing_page) != {"id"}:
        raise r.fail(("listing_page",), "must be a URL template with {id} and no other placeholder")
    currency = r.text(data, "currency", (), "CNY").upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise r.fail(("currency",), f"must be an ISO 4217 code such as CNY, got {currency!r}")
    return Profile(
        platform=platform,
        source=source,
        base_url=base_url,
        search_url=search_url,
        search=search,
        pagination=pagination,
        detail=detail,
        render=render,
        currency=currency,
        encoding=known_encoding(encoding) if encoding else "",
        concurrency=int(r.number(politeness, "concurrency", ("politeness",), 0)),
        delay=float(r.number(politeness, "delay", ("politeness",), 0)) if "delay" in politeness else -1.0,
        headers=dict(headers),
        keywords=tuple(k.strip() for k in keywords),
        allowed_hosts=tuple(hosts),
        allow_private_addresses=allow_private,
        listing_page=listing_page,
        blocked=_blocked(r, data.get("blocked", {})),
        description=r.text(data, "description", ()),
    )


def _blocked(r: _Reader, data: Any) -> BlockRules:
    path: tuple[str | int, ...] = ("blocked",)
    data = r.mapping(data, path, {"defaults", "status", "url", "title", "text", "stop_after", "backoff"})
    defaults = data.get("defaults", True)
    if not isinstance(defaults, bool):
        raise r.fail((*path, "defaults"), f"must be true or false, got {defaults!r}")
    status = data.get("status", [])
    if not isinstance(status, list) or not all(type(s) is int and 100 <= s <= 599 for s in status):
        raise r.fail((*path, "status"), "must be a list of HTTP status codes (100–599)")
    texts: dict[str, tuple[str, ...]] = {}
    for key in ("url", "title", "text"):
        values = data.get(key, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
            raise r.fail((*path, key), "must be a list of non-empty text")
        texts[key] = tuple(values)
    for i, pattern in enumerate(texts["url"]):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise r.fail((*path, "url", i), f"not a valid regular expression: {exc}") from None
    stop_after = r.number(data, "stop_after", path, 3)
    if stop_after < 1 or stop_after != int(stop_after):
        raise r.fail((*path, "stop_after"), f"must be a whole number ≥ 1, got {stop_after!r}")
    return BlockRules(
        defaults=defaults, status=tuple(status), url=texts["url"], title=texts["title"], text=texts["text"],
        stop_after=int(stop_after), backoff=float(r.number(data, "backoff", path, 30.0)),
    )  # fmt: skip


def _pagination(r: _Reader, data: Any, search_url: str, render: str, fmt: str) -> Pagination:
    path: tuple[str | int, ...] = ("search", "pagination")
    known = {"type", "max_pages", "start", "page_size", "next", "click", "done", "max_clicks"}
    data = r.mapping(data, path, known)
    kind = r.choice(data, "type", path, PAGINATIONS)
    placeholders = _placeholders(search_url)
    next_rule = None
    if kind == "page" and not placeholders & {"page", "offset"}:
        raise r.fail((*path, "type"), "page pagination needs {page} or {offset} in search.url")
    if kind == "cursor" and "cursor" not in placeholders:
        raise r.fail((*path, "type"), "cursor pagination needs {cursor} in search.url")
    if kind in ("next_link", "cursor"):
        if "next" not in data:
            raise r.fail((*path, "next"), f"{kind} pagination needs `next`: where the next link or cursor is")
        next_rule = r.rule("next", data["next"], (*path, "next"), "css" if fmt == "html" else "json")
    if kind == "load_more":
        if render != "browser":
            raise r.fail((*path, "type"), "load_more pagination needs render: browser")
        if not data.get("click") or not data.get("done"):
            raise r.fail(path, "load_more pagination needs `click` (the button) and `done` (a selector)")
    return Pagination(
        type=kind,
        max_pages=int(r.number(data, "max_pages", path, 0)),
        start=int(r.number(data, "start", path, 1)),
        page_size=int(r.number(data, "page_size", path, 20)),
        next=next_rule,
        click=r.text(data, "click", path),
        done=r.text(data, "done", path),
        max_clicks=int(r.number(data, "max_clicks", path, 50)),
    )


def _detail(r: _Reader, data: Any) -> Detail:
    path: tuple[str | int, ...] = ("detail",)
    page = r.page(data, path, with_items=False, extra={"url", "follow", "follow_query"})
    url = r.text(data, "url", path)
    if url and _placeholders(url) - {"id"}:
        raise r.fail((*path, "url"), "may only use the {id} placeholder")
    follow = data.get("follow", [])
    if not isinstance(follow, list) or not all(isinstance(f, str) for f in follow):
        raise r.fail((*path, "follow"), "must be a list of regular expressions")
    for i, pattern in enumerate(follow):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise r.fail((*path, "follow", i), f"not a valid regular expression: {exc}") from None
    if not url and not follow:
        raise r.fail(path, "needs `url` (a template with {id}) or `follow` (patterns the listing URL must match)")
    follow_query = data.get("follow_query", False)
    if not isinstance(follow_query, bool):
        raise r.fail((*path, "follow_query"), f"must be true or false, got {follow_query!r}")
    return Detail(page=page, url=url, follow=tuple(follow), follow_query=follow_query)


def profile_path(name_or_path: str | Path, user_dir: str | Path = "") -> Path:
    """The file a profile argument names: a path as given, else NAME.yaml in `user_dir`, else in crawler/profiles/."""
    path = Path(name_or_path)
    if path.suffix or path.exists():
        return path
    for directory in (Path(user_dir) if user_dir else None, PROFILES_DIR):
        if directory is not None and (directory / f"{name_or_path}.yaml").is_file():
            return directory / f"{name_or_path}.yaml"
    return PROFILES_DIR / f"{name_or_path}.yaml"


def load_profile(name_or_path: str | Path, *, user_dir: str | Path = "") -> Profile:
    """A profile by file path, or by name from `user_dir` (crawler.profiles_dir) or crawler/profiles/
    (`demo-static` → demo-static.yaml)."""
    path = profile_path(name_or_path, user_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(available_profiles())
        raise ProfileError(f"{name_or_path}: no such profile (bundled: {known})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from None
    return parse_profile(text, str(path))


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def profile_files(user_dir: str | Path = "") -> list[tuple[str, Path, str]]:
    """(name, file, "user" or "bundled") of every profile; a user profile hides a bundled one of the same name."""
    found: dict[str, tuple[str, Path, str]] = {}
    for directory, origin in ((PROFILES_DIR, "bundled"), (Path(user_dir) if user_dir else None, "user")):
        if directory is not None and directory.is_dir():
            for path in sorted(directory.glob("*.yaml")):
                found[path.stem] = (path.stem, path, origin)
    return sorted(found.values())
