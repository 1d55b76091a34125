"""schema.org JSON-LD and microdata read as first-class sources: `format: jsonld` pages and `jsonld:` fields."""

from __future__ import annotations

from parsel import Selector

from crawler.extract import listings_from, parse_page
from crawler.profile_loader import parse_profile
from crawler.structured import structured_data

DETAIL_JSONLD = """<html><head>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": []}
</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Product", "name": "NIKE 耐克 Air Max 复刻",
 "description": "莆田 纯原
 顶级版本", "sku": "A77", "image": ["//img.test/a77.jpg"], "brand": {"@type": "Brand", "name": "NIKE"},
 "offers": {"@type": "Offer", "price": "199.00", "priceCurrency": "CNY",
            "seller": {"@type": "Organization", "name": "阿强鞋铺"}}}
</script>
<script type="application/ld+json">{not json</script>
</head><body><h1>ignored</h1><span class="sold">已售 1.2万</span></body></html>"""

MICRODATA = """<html><body>
<div itemscope itemtype="https://schema.org/Product">
  <h1 itemprop="name">阿迪达斯 <b>三叶草</b></h1>
  <div itemprop="brand" itemscope itemtype="https://schema.org/Brand"><span itemprop="name">adidas</span></div>
  <img itemprop="image" src="/img/7.jpg">
  <div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
    <meta itemprop="priceCurrency" content="CNY"><span itemprop="price" content="88.5">¥88.50</span>
    <div itemprop="seller" itemscope itemtype="https://schema.org/Organization"><span itemprop="name">小王</span></div>
  </div>
</div></body></html>"""

DETAIL_PROFILE = """
platform: ld-shop
search:
  url: "http://ld.test/s?q={keyword}"
  items: div.item
  fields: {id: "::attr(data-id)", title: "a::text", url: {css: "a::attr(href)", absolute: true}}
detail:
  follow: ['^/p/']
  format: html
  fields:
    title: {jsonld: name}
    description: {jsonld: description}
    price: {jsonld: "offers.price || offers[0].price"}
    currency: {jsonld: offers.priceCurrency}
    seller_name: {jsonld: "offers.seller.name || seller.name"}
    category: {jsonld: brand.name}
    images: {jsonld: image, all: true, absolute: true}
    sales: "span.sold::text"
"""


def test_jsonld_fields_on_a_detail_page() -> None:
    profile = parse_profile(DETAIL_PROFILE, "ld.yaml")
    parsed = parse_page(profile, DETAIL_JSONLD, "http://ld.test/p/A77", kind="detail")
    assert parsed.errors == []
    (item,) = parsed.listings
    assert item["title"] == "NIKE 耐克 Air Max 复刻"
    assert item["description"] == "莆田 纯原 顶级版本"  # a raw newline inside a JSON-LD string is tolerated
    assert (item["price"], item["currency"]) == (199.0, "CNY")
    assert item["seller"] == {"name": "阿强鞋铺"}
    assert item["category"] == "NIKE"
    assert item["images"] == ["http://img.test/a77.jpg"]
    assert item["sales"] == 12000  # CSS and JSON-LD rules mix on one page


def test_microdata_reads_like_jsonld() -> None:
    profile = parse_profile(DETAIL_PROFILE, "ld.yaml")
    (item,) = parse_page(profile, MICRODATA, "http://ld.test/p/7", kind="detail").listings
    assert item["title"] == "阿迪达斯 三叶草"
    assert (item["price"], item["currency"]) == (88.5, "CNY")  # the content attribute, not the shown text
    assert item["seller"] == {"name": "小王"} and item["category"] == "adidas"
    assert item["images"] == ["http://ld.test/img/7.jpg"]


def test_jsonld_search_page_reads_item_list_products() -> None:
    page = """<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "x"},
      {"@type": "ItemList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": {"@type": "Product", "sku": "1", "name": "耐克 一号",
          "url": "/p/1", "offers": {"price": 10, "priceCurrency": "CNY"}}},
        {"@type": "ListItem", "position": 2, "item": {"@type": "Product", "sku": "2", "name": "耐克 二号",
          "url": "/p/2", "offers": [{"price": "20.5", "priceCurrency": "CNY"}]}}]}]}</script>"""
    profile = parse_profile(
        """
platform: ld-list
search:
  url: "http://ld.test/s?q={keyword}"
  format: jsonld
  fields: {id: sku, title: name, url: url, price: "offers.price || offers[0].price", currency: "offers.priceCurrency || offers[0].priceCurrency"}
""",
        "list.yaml",
    )
    listings = listings_from(profile, page, "http://ld.test/s?q=nike")
    assert [(x.id, x.title, x.price, x.url) for x in listings] == [
        ("1", "耐克 一号", 10.0, "http://ld.test/p/1"),
        ("2", "耐克 二号", 20.5, "http://ld.test/p/2"),
    ]


def test_structured_data_lists_nodes_and_products() -> None:
    data = structured_data(Selector(text=DETAIL_JSONLD + MICRODATA))
    assert [p.get("name") for p in data["products"]] == ["NIKE 耐克 Air Max 复刻", "阿迪达斯 三叶草"]
    assert len(data["nodes"]) == 3  # the breadcrumb, the JSON-LD product, the microdata product; bad JSON skipped
