"""A re-check reads a GBK page as crawls do: a takedown notice or a price in GBK is understood, not lost to U+FFFD."""

from __future__ import annotations

from crawler.page_state import read_page


def test_a_gbk_takedown_notice_is_read() -> None:
    body = '<html><head><meta charset="gbk"></head><body><p>此商品已下架</p></body></html>'.encode("gbk")
    state = read_page(200, body, "https://shop.example/item/1", "text/html", None)
    assert state.taken_down and "下架" in state.reason


def test_a_gbk_price_is_read_from_the_content_type_charset() -> None:
    body = '<html><body><span class="price">¥128.00</span><p>耐克 运动鞋</p></body></html>'.encode("gb18030")
    state = read_page(200, body, "https://shop.example/item/2", "text/html; charset=GB2312", None)
    assert not state.taken_down and state.price == 128.0
