"""Profile fields for a shop's identifiers (docs/adding-a-platform.md): read from a page, carried on the Listing,
and read by the actor networks as their kinds."""

from __future__ import annotations

from cases.identifiers import identifiers_in_listing
from crawler.extract import parse_page
from crawler.profile_loader import parse_profile
from netsword.models import Listing

PROFILE = """
version: 1
platform: contact-shop
search:
  url: "http://shop.test/search?q={keyword}"
  items: div.item
  fields:
    id: "::attr(data-id)"
    title: "h3::text"
    seller_id: "span.shop::attr(data-id)"
    phone: "span.tel::text"
    wechat: "span.wx::text"
    qq: "span.qq::text"
    email: "span.mail::text"
    licence: "span.licence::text"
    return_address: "span.ret::text"
    payment: "span.pay::text"
    contact: {css: "p.contact::text", all: true}
"""

PAGE = """<html><body>
<div class="item" data-id="1"><h3>耐克 Air</h3><span class="shop" data-id="s1">店</span>
  <span class="tel">138 0013 8000</span><span class="wx">nike_outlet88</span><span class="qq">12345678</span>
  <span class="mail">Sales@Example.COM</span><span class="licence">91350100M000100Y43</span>
  <span class="ret">福建省莆田市荔城区黄石镇工业路8号 收件人 王</span><span class="pay">6222020200112233445</span>
  <p class="contact">客服 139-0013-9000</p><p class="contact">400-810-8888</p></div>
</body></html>"""


def test_profile_fields_are_kept_on_the_listing_and_read_as_identifiers() -> None:
    profile = parse_profile(PROFILE, "contact-shop.yaml")
    (item,) = parse_page(profile, PAGE, "http://shop.test/search?q=nike").listings
    assert item["phone"] == "138 0013 8000" and item["licence"] == "91350100M000100Y43"
    assert item["contact"] == ["客服 139-0013-9000", "400-810-8888"]
    listing = Listing.from_dict(item)
    assert listing.extra["wechat"] == "nike_outlet88"  # not a Listing attribute: kept in extra, stored with the lead
    found = {(f.kind, f.value, f.field) for f in identifiers_in_listing(listing.to_dict())}
    assert ("phone", "+8613800138000", "phone") in found
    assert ("wechat", "nike_outlet88", "wechat") in found
    assert ("qq", "12345678", "qq") in found
    assert ("email", "sales@example.com", "email") in found
    assert ("uscc", "91350100M000100Y43", "licence") in found
    assert ("phone", "+8613900139000", "contact") in found
    assert ("service_phone", "+864008108888", "contact") in found  # shown, never linking
    assert any(kind == "address" and field == "return_address" for kind, _, field in found)
    assert not any(kind == "payment" for kind, _, _ in found)  # 6222…445 fails the Luhn check: no account
