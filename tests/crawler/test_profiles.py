"""Profiles are validated on load: every bundled profile loads, and each mistake names file, line and field."""

from __future__ import annotations

import pytest

from crawler.profile_loader import ProfileError, available_profiles, load_profile, parse_profile

GOOD = """\
version: 1
platform: shop
base_url: https://shop.example/
search:
  url: "/search?q={keyword}&page={page}"
  items: li.item
  fields:
    id: "::attr(data-id)"
    title: a::text
  pagination: {type: page}
"""


def test_every_bundled_profile_loads() -> None:
    names = available_profiles()
    assert {"demo-static", "demo-browser", "demo-api", "demo-feed", "taobao-search", "jd-search"} <= set(names)
    for name in names:
        assert load_profile(name).platform


def test_a_good_profile() -> None:
    profile = parse_profile(GOOD, "shop.yaml")
    assert profile.search.fields["id"].source == "css"
    assert profile.hosts == ("shop.example",)


BAD = [
    # (replace this, with this, expected message fragment)
    ("platform: shop", "platform: Shop!", "shop.yaml:2: platform: must be lower-case"),
    ("    title: a::text", "    title: a::text\n    colour: b", "shop.yaml:10: search.fields.colour: unknown key"),
    ("    title: a::text", "    title: {css: 'a::text', xpath: '//a'}", "shop.yaml:9: search.fields.title: needs exactly one"),
    ("    title: a::text", "    title: 'a[[::text'", "shop.yaml:9: search.fields.title.css: not a valid css"),
    ("{type: page}", "{type: pages}", "shop.yaml:10: search.pagination.type: must be one of"),
    ("{type: page}", "{type: cursor}", "search.pagination.type: cursor pagination needs {cursor}"),
    ("{type: page}", "{type: load_more, click: b, done: d}", "load_more pagination needs render: browser"),
    ("&page={page}", "&page={pg}", "shop.yaml:5: search.url: unknown placeholder {pg}"),
    ("  items: li.item\n", "", "search.items: is required"),
    ("base_url: https://shop.example/", "base_url: ftp://x", "shop.yaml:3: base_url: must start with http"),
    ("version: 1", "version: 2", "shop.yaml:1: version: only version 1"),
    ("platform: shop", "platform: shop\nplatform: again", "duplicate key 'platform'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "message"), BAD, ids=[b[2].split(": ")[-1][:30] for b in BAD])
def test_profile_errors_name_file_line_and_field(old: str, new: str, message: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "shop.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("shop.yaml:")


def test_detail_needs_a_url_or_follow_rules() -> None:
    with pytest.raises(ProfileError, match=r"shop.yaml:11: detail: needs `url`"):
        parse_profile(GOOD + "detail:\n  fields: {title: h1::text}\n", "shop.yaml")
    with pytest.raises(ProfileError, match=r"detail.follow.0: not a valid regular expression"):
        parse_profile(GOOD + "detail:\n  follow: ['(']\n", "shop.yaml")


def test_unknown_profile_name_lists_the_bundled_ones() -> None:
    with pytest.raises(ProfileError, match="no such profile.*demo-static"):
        load_profile("no-such-platform")
