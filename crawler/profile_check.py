"""What a profile reads from one page, for `netsword profile check`: the listings, how often each field is filled,
and what looks wrong (no listings, no price, no seller, garbled text, a block or login page, a redirect to one, an
error answer). The page is judged as the crawl judges it: a 3xx to a block page is a block, and a 4xx/5xx answer is
read for nothing (the crawl reads no listings from it). Stores nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.blocks import BlockDetector
from crawler.decoding import garbled
from crawler.extract import ParsedPage, page_text, parse_page
from crawler.profile import Profile
from netsword.fetch_policy import redact
from netsword.models import Listing, ListingError

# Words of captcha, slider, login-wall and access-denied answers: a hint when a page gives no listings. What the
# crawl itself takes for a block is crawler.blocks (the built-in markers and the profile's `blocked:` rules).
BLOCK_MARKERS = (
    "验证码", "滑块", "拖动滑块", "安全验证", "请登录", "登录后查看", "访问被拒绝", "访问受限", "异常流量", "亲，请登录",
    "nocaptcha", "x5sec", "/punish", "baxia", "captcha", "access denied", "unusual traffic", "are you a robot",
    "robot check", "please log in", "sign in to continue",
)  # fmt: skip
BLOCK_STATUSES = (401, 403, 407, 429, 503)
TEXT_FIELDS = ("title", "description", "category", "ships_from", "location")


@dataclass
class CheckReport:
    url: str
    status: int
    kind: str
    encoding: str
    parsed: ParsedPage
    fill: dict[str, tuple[int, int]] = field(default_factory=dict)  # field → (listings with it, listings)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Listings were read from a 2xx answer and the page is no block page."""
        return (
            200 <= self.status < 300
            and bool(self.parsed.listings)
            and not any(w.startswith("blocked") for w in self.warnings)
        )


def _has(listing: dict[str, Any], name: str) -> bool:
    if name.startswith("seller_"):
        return bool((listing.get("seller") or {}).get(name[len("seller_") :]))
    return listing.get(name) not in (None, "", [], {})


def check_page(
    profile: Profile,
    body: bytes | str,
    url: str,
    *,
    kind: str = "search",
    content_type: str = "",
    status: int = 200,
    location: str = "",
) -> CheckReport:
    """Read one page with `profile` and say what it gave and what looks wrong. `location`: where a 3xx answer
    redirects to."""
    text, encoding = page_text(profile, body, content_type)
    answered = 200 <= status < 300  # the crawl reads listings from these answers only
    parsed = parse_page(profile, text, url, kind=kind) if answered else ParsedPage()
    report = CheckReport(url=url, status=status, kind=kind, encoding=encoding or "text", parsed=parsed)
    spec = profile.search if kind == "search" or profile.detail is None else profile.detail.page
    listings = parsed.listings
    for name in spec.fields if answered else ():
        report.fill[name] = (sum(1 for x in listings if _has(x, name)), len(listings))
    warnings = report.warnings
    lowered = text[:300_000].lower()
    marker = next((m for m in BLOCK_MARKERS if m in lowered), "")
    detector = BlockDetector(profile.blocked)
    redirect = location if 300 <= status < 400 else ""
    block = detector.check(status=status, url=url, body=b"", text=text)
    if block is None and redirect:
        block = detector.check_url(redirect)
    if block is not None:
        to = f" (HTTP {status} to {redact(redirect)})" if redirect else ""
        warnings.append(f"blocked page: {block.describe()}{to}: the crawl counts it as a block and reads nothing")
    elif status in BLOCK_STATUSES or (marker and len(listings) <= 1):
        reason = f"HTTP {status}" if status in BLOCK_STATUSES else f"the page says {marker!r}"
        warnings.append(f"blocked page? {reason}: a captcha, login wall or refusal rather than results")
    elif 300 <= status < 400:
        warnings.append(f"HTTP {status}: a redirect {'to ' + redact(redirect) if redirect else 'without a Location'}"
                        " that was not followed: the crawl reads nothing from this answer")  # fmt: skip
    elif not answered:
        lost = "the listing is kept without its details, marked detail: failed" if kind == "detail" else "no listings"
        warnings.append(f"HTTP {status}: an error answer; the crawl reads nothing from it ({lost})")
    if not listings and answered:
        where = f"`{spec.items.expr}`" if spec.items else "the page"
        warnings.append(f"no listings: {where} matched nothing" + (f" ({parsed.errors[0]})" if parsed.errors else ""))
    if kind == "search":
        warnings.extend(_dropped(profile, listings))
    for label, name in (("price", "price"), ("seller", "seller")):
        missing = sum(1 for x in listings if not x.get(name))
        if listings and missing:
            warnings.append(f"no {label}: {missing} of {len(listings)} listings")
    for n, listing in enumerate(listings, 1):
        seller = listing.get("seller") or {}
        for name, value in [*((k, listing.get(k)) for k in TEXT_FIELDS), ("seller_name", seller.get("name"))]:
            why = garbled(str(value)) if value else ""
            if why:
                warnings.append(f"garbled text: listing {n} {name}: {why}")
                break
    if any("garbled" in w for w in warnings) and not profile.encoding:
        warnings.append("garbled text: if the page does not declare its encoding truly, set `encoding:` in the profile")
    for name in parsed.mostly_empty():
        warnings.append(f"empty field: {name} on {parsed.empty[name]} of {parsed.read} listings: does its rule fit?")
    warnings.extend(f"malformed: {error}" for error in parsed.errors[:5])
    return report


def _dropped(profile: Profile, listings: list[dict[str, Any]]) -> list[str]:
    """A warning per reason the crawl would reject search results (a required field missing, a bad value), with
    what to do: a field its detail page reads may still fill it; a title filled in by JavaScript needs Chromium."""
    failing: dict[str, tuple[str, int]] = {}  # message → (field, listings)
    for listing in listings:
        try:
            Listing.from_dict(listing)
        except ListingError as exc:
            name, count = failing.get(str(exc), (exc.field, 0))
            failing[str(exc)] = (name, count + 1)
    out = []
    detail_fields = set(profile.detail.page.fields) if profile.detail is not None else set()
    for message, (name, count) in failing.items():
        line = f"dropped: {count} of {len(listings)} listings would be dropped by the crawl ({message})"
        if name in detail_fields:
            line += f", unless their detail page gives the {name}"
        if profile.render != "browser" and name == "title":
            line += "; if the page fills it in by JavaScript, set `render: browser` in the profile"
        out.append(line)
    return out


def report_lines(report: CheckReport, *, limit: int = 20) -> list[str]:
    """The report as text lines (scraped values still need terminal-safe printing)."""
    listings = report.parsed.listings
    lines = [f"{report.url}: HTTP {report.status}, {report.kind} page, decoded as {report.encoding}, "
             f"{len(listings)} listings"]  # fmt: skip
    for n, listing in enumerate(listings[:limit], 1):
        lines.append(f"listing {n}:")
        for key, value in listing.items():
            if key == "platform":
                continue
            shown = value if not isinstance(value, str) or len(value) <= 160 else value[:160] + "…"
            lines.append(f"  {key}: {shown}")
    if len(listings) > limit:
        lines.append(f"… and {len(listings) - limit} more listings")
    lines.append("fields filled:" if report.fill else "fields filled: none read")
    for name, (filled, total) in report.fill.items():
        share = f"{100 * filled / total:.0f}%" if total else "-"
        lines.append(f"  {name}: {filled}/{total} ({share})")
    if report.parsed.next:
        lines.append(f"next page: {report.parsed.next}")
    lines.append("warnings:" if report.warnings else "warnings: none")
    lines.extend(f"  {w}" for w in report.warnings)
    return lines
