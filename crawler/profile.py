"""Platform profiles: the frozen model of one `crawler/profiles/*.yaml` file (see docs/adding-a-platform.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

FORMATS = ("html", "json", "embedded", "jsonld", "jsonl", "csv")
RENDERS = ("http", "browser")
PAGINATIONS = ("none", "page", "next_link", "cursor", "load_more")
# text fields a shop shows about itself: contacts, licence / credit code, return address, payment account
CONTACT_FIELDS = ("contact", "phone", "wechat", "qq", "email", "licence", "return_address", "payment")
FIELD_NAMES = (
    "id", "title", "url", "description", "price", "currency", "seller_id", "seller_name", "seller_url",
    "category", "images", "ships_from", "location", "sales", "stock",
    # the shop's identifiers, kept in the listing's extra and read by cases.identifiers (docs/cases.md)
    *CONTACT_FIELDS,
    # images' alt text, every match (a licence number shown only in a picture's alt): read by matchers.regulated
    "image_alts",
)  # fmt: skip
SOURCES = ("css", "xpath", "json", "jsonld", "const")


@dataclass(frozen=True)
class FieldRule:
    """Where one Listing field comes from in an item (CSS/XPath for HTML, a JMESPath for JSON) and how to clean it."""

    name: str
    source: str  # css | xpath | json | jsonld (the page's schema.org Product) | const
    expr: str
    regex: str = ""  # keep the first group (or the whole match) of this pattern
    all: bool = False  # keep every match as a list (images)
    html: bool = False  # the value holds markup: strip tags and unescape entities
    absolute: bool = False  # a URL: resolve it against the page URL
    template: str = ""  # format the value into this text, e.g. https://item.example.com/{value}.html


@dataclass(frozen=True)
class ParamsRule:
    """A parameter table (商品参数) read as name → value pairs, kept in the listing's extra `params` (read by
    matchers.regulated): `rows` selects each row within the item (CSS/XPath/JMESPath), `key` and `value` read the
    row's name and value. With only `rows`, the selected value must be a JSON object (name → value) or a list of
    {name|key|label, value} objects."""

    rows: FieldRule
    key: FieldRule | None = None
    value: FieldRule | None = None


@dataclass(frozen=True)
class PageSpec:
    """How to read one kind of page (search results or a detail page)."""

    format: str = "html"  # html | json | embedded | jsonld (the page's schema.org data) | jsonl | csv
    embedded: str = ""  # for format embedded: a JS variable name (g_page_config, window.data) or "jsonp"
    items: FieldRule | None = None  # selects the repeated items; None on a detail page (the page is one item)
    fields: Mapping[str, FieldRule] = field(default_factory=dict)
    params: ParamsRule | None = None  # fields.params: the parameter table
    wait_for: str = ""  # browser: a CSS selector that must appear before the page is read


@dataclass(frozen=True)
class Pagination:
    type: str = "none"
    max_pages: int = 0  # 0: the configured crawler.max_pages
    start: int = 1  # first {page} number
    page_size: int = 20  # for {offset} = (page - start) * page_size
    next: FieldRule | None = None  # next_link: the href; cursor: the next cursor value
    click: str = ""  # load_more: the button to click
    done: str = ""  # load_more: a selector present once everything is loaded
    max_clicks: int = 50


@dataclass(frozen=True)
class Detail:
    page: PageSpec
    url: str = ""  # a template with {id}; empty: follow the listing's own url when `follow` allows it
    follow: tuple[str, ...] = ()  # regular expressions the URL's path must match
    follow_query: bool = False  # match `follow` against the path and the query ("?…"), not the path alone


@dataclass(frozen=True)
class BlockRules:
    """What a block looks like on this platform (crawler/blocks.py), besides the built-in markers, and what to do."""

    defaults: bool = True  # also the built-in markers of common Chinese platforms and generic block pages
    status: tuple[int, ...] = ()  # answers with these HTTP statuses are blocks (403 is one by default)
    url: tuple[str, ...] = ()  # regular expressions searched in the final URL and in any redirect's target
    title: tuple[str, ...] = ()  # text found in the page's <title>
    text: tuple[str, ...] = ()  # text found anywhere in the body (markup included)
    stop_after: int = 3  # consecutive blocks after which the platform is stopped for this run
    backoff: float = 30.0  # seconds before a blocked request is tried again, doubled per block in a row


@dataclass(frozen=True)
class Profile:
    """One platform: where to search, how to read results, how politely to fetch."""

    platform: str
    source: str  # the file it was loaded from
    base_url: str
    search_url: str
    search: PageSpec
    pagination: Pagination = field(default_factory=Pagination)
    detail: Detail | None = None
    render: str = "http"
    currency: str = "CNY"
    encoding: str = ""  # decode HTTP pages with this encoding, whatever they declare ("" : declared, else detected)
    concurrency: int = 0  # 0: the configured crawler.concurrency_per_domain
    delay: float = -1.0  # below 0: the configured crawler.download_delay
    headers: Mapping[str, str] = field(default_factory=dict)
    keywords: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    # the hosts may be on private, loopback or link-local addresses (netsword.fetch_policy): the demo, a local mirror
    allow_private_addresses: bool = False
    # the listing's own web page, for evidence, when results come from an API or a feed: a URL template with {id}
    listing_page: str = ""
    blocked: BlockRules = field(default_factory=BlockRules)
    description: str = ""

    @property
    def name(self) -> str:
        return self.platform

    def absolute(self, url: str) -> str:
        return urljoin(self.base_url, url)

    def with_base_url(self, base_url: str) -> Profile:
        """The same profile pointed at another address (the demo marketplace listens on a free port). The operator
        named this one host, so it may be on a private address (a local mirror); redirects elsewhere may not."""
        from dataclasses import replace

        netloc = urlsplit(base_url).netloc
        return replace(self, base_url=base_url.rstrip("/") + "/", allowed_hosts=(netloc,), allow_private_addresses=True)

    @property
    def hosts(self) -> tuple[str, ...]:
        return self.allowed_hosts or (urlsplit(self.absolute(self.search_url)).netloc,)

    @property
    def uses_keywords(self) -> bool:
        return "{keyword}" in self.search_url
