"""HTML of the demo marketplace: static result and detail pages, the browser-style shells, and error pages.

Every piece of listing text goes through html.escape (titles are hostile on purpose); JSON-LD is escaped so that
`</script>` inside a title cannot end the script element.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import urlencode

from demo.catalogue import DemoListing

SITE = "演示商城 NetSword Demo Market"
_HEAD = ('<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
         '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
         '<style>body{{font-family:sans-serif;margin:1em 2em}} .item,.card{{margin:.4em 0;list-style:none}} '
         '.price{{color:#c00;margin:0 .6em}} .loc{{color:#888;margin-left:.6em}} img.main{{width:240px}}</style>'
         '</head><body>\n<header><a href="/">{site}</a></header>\n')  # fmt: skip
_FOOT = '\n<footer><a href="/robots.txt">robots.txt</a> · <a href="/private/">员工入口</a></footer>\n</body></html>\n'


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def price_text(price: float | None) -> str:
    return "" if price is None else f"¥{price:.2f}"


def head(title: str) -> str:
    return _HEAD.format(title=_e(title), site=_e(SITE))


def result_item(listing: DemoListing, price: float | None) -> str:
    """One `<li class="item">` of a static result list; `broken_markup` listings leave tags unclosed."""
    lid, seller = _e(listing.id), listing.seller
    title = f'<a class="title" href="/static/item/{lid}">{_e(listing.title)}</a>'
    price_html = f'<span class="price">{price_text(price)}</span>' if price is not None else ""
    shop = f'<a class="shop" href="/static/seller/{_e(seller.id)}">{_e(seller.name)}</a>'
    loc = f'<span class="loc">{_e(listing.location)}</span>'
    if listing.defect == "broken_markup":
        # unclosed span and li, unquoted attributes: parsers must recover, as on real sites
        price_html = price_html.replace("</span>", "")
        shop = shop.replace('class="shop" href="', "class=shop href=").replace('">', ">", 1)
        return f'<li class="item" data-id="{lid}">{title}{price_html}{shop}{loc}\n'
    return f'<li class="item" data-id="{lid}">{title}{price_html}{shop}{loc}</li>\n'


def results_page(heading: str, query: str, total: int, items: list[str], next_href: str | None) -> str:
    parts = [head(f"{heading} - {SITE}"),
             f'<form action="/static/search"><input name="q" value="{_e(query)}"><button>搜索</button></form>\n',
             f'<h2 class="heading">{_e(heading)}</h2><p class="count">共 <b>{total}</b> 件宝贝</p>\n',
             '<ul class="results">\n', *items, "</ul>\n<div class=\"pager\">"]  # fmt: skip
    if next_href:
        parts.append(f'<a class="next" href="{_e(next_href)}">下一页</a>')
    parts.append("</div>")
    parts.append(_FOOT)
    return "".join(parts)


def page_href(path: str, page: int, query: str | None = None) -> str:
    params = {"q": query, "page": page} if query is not None else {"page": page}
    return f"{path}?{urlencode(params)}"


def json_ld(listing: DemoListing, price: float | None, image_url: str) -> str:
    offer: dict[str, Any] = {"@type": "Offer", "priceCurrency": listing.currency,
                             "availability": "https://schema.org/InStock",
                             "seller": {"@type": "Organization", "name": listing.seller.name}}  # fmt: skip
    if price is not None:
        offer["price"] = f"{price:.2f}"
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "sku": listing.id,
        "name": listing.title,
        "description": listing.description,
        "category": listing.category,
        "image": image_url,
        "offers": offer,
    }
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def item_page(listing: DemoListing, price: float | None) -> str:
    """The static detail page; `broken_markup` listings end early with unclosed elements."""
    seller = listing.seller
    body = [head(f"{listing.title} - {SITE}"),
            f'<div class="product" data-id="{_e(listing.id)}">\n',
            f'<img class="main" src="{_e(listing.image)}" alt="{_e(listing.title)}">\n',
            f'<h1 class="title">{_e(listing.title)}</h1>\n',
            f'<span class="price">{price_text(price)}</span>\n' if price is not None else "",
            f'<span class="category">{_e(listing.category)}</span>\n',
            f'<span class="sold">已售 {listing.sales} 件</span>\n' if listing.sales else "",
            f'<a class="shop" href="/static/seller/{_e(seller.id)}">{_e(seller.name)}</a>\n',
            f'<span class="loc">{_e(listing.location)}</span>\n',
            f'发货地 <span class="ships-from">{_e(listing.ships_from)}</span>\n',
            f'<script type="application/ld+json">{json_ld(listing, price, listing.image)}</script>\n',
            f'<div class="desc">{_e(listing.description)}']  # fmt: skip
    if listing.defect == "broken_markup":
        return "".join(body) + "\n<div class=related><ul><li>猜你喜欢"  # truncated, as when a backend times out
    return "".join(body) + "</div>\n</div>" + _FOOT


def message_page(title: str, message: str) -> str:
    return f'{head(title)}<div class="error"><h1>{_e(title)}</h1><p>{_e(message)}</p></div>{_FOOT}'


REMOVED = message_page("商品已下架", "该商品已下架或不存在。")
NOT_FOUND = message_page("页面不存在", "您访问的页面不存在。")
PRIVATE = message_page("员工内部系统", "此页面仅限内部访问，爬虫不得抓取（robots.txt 禁止）。")
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def index_page() -> str:
    links = [("/static/search?q=", "static: 服务端渲染的搜索结果"), ("/browser/search?q=", "browser: 由 JS 加载的结果"),
             ("/api/search?q=", "api: JSON 搜索接口"), ("/feed/listings.jsonl", "feed: JSONL 导出"),
             ("/feed/listings.csv", "feed: CSV 导出"), ("/ground_truth.json", "ground truth")]  # fmt: skip
    items = "".join(f'<li><a href="{_e(href)}">{_e(text)}</a></li>' for href, text in links)
    return f"{head(SITE)}<h1>{_e(SITE)}</h1><ul>{items}</ul>{_FOOT}"


def browser_search_shell(query: str) -> str:
    """The browser-style search page: no results in the markup, /browser/app.js fills #results."""
    return (f"{head(f'{query} - {SITE}')}"
            f'<form action="/browser/search"><input name="q" value="{_e(query)}"><button>搜索</button></form>\n'
            f'<div id="results" data-q="{_e(query)}"></div>\n'
            '<button id="load-more" type="button">加载更多</button>\n'
            f'<script src="/browser/app.js"></script>{_FOOT}')  # fmt: skip


def browser_item_shell(listing_id: str) -> str:
    return (f"{head(SITE)}"
            f'<div id="detail" data-id="{_e(listing_id)}"><p class="loading">加载中…</p></div>\n'
            f'<script src="/browser/item.js"></script>{_FOOT}')  # fmt: skip
