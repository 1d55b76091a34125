"""The `demo-browser` pages in real Chromium: results appear only after JS, load-more reaches data-done, details render."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo.server import DemoMarket
from netsword.browser import find_browser, launch_args

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(market: DemoMarket) -> Iterator[object]:
    executable = find_browser()
    if executable is None:
        pytest.skip("Chromium not found")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=launch_args())
        try:
            tab = browser.new_page()
            yield tab
            tab.close()
        finally:
            browser.close()


def test_results_load_more_until_done(page, market: DemoMarket):
    page.goto(f"{market.url}/browser/search?q=nike")
    page.wait_for_selector("#results .card")
    while page.query_selector('#results[data-done="1"]') is None:
        page.click("#load-more")
        page.wait_for_function("document.querySelector('#results').dataset.done === '1' || "
                               "!document.querySelector('#load-more').disabled")  # fmt: skip
    ids = page.eval_on_selector_all("#results .card", "cards => cards.map(c => c.dataset.id)")
    assert set(ids) == set(market.context.state.results("demo-browser", "nike")[0])
    assert page.query_selector("#load-more") is None
    first = page.query_selector("#results .card")
    assert first.query_selector("a.title").get_attribute("href").startswith("/browser/item/")
    assert first.query_selector("span.shop").inner_text() and first.query_selector("span.loc").inner_text()


def test_detail_renders_hostile_title_as_text(page, market: DemoMarket):
    listing = next(x for x in market.catalogue.by_platform["demo-browser"] if x.defect == "hostile_text")
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    page.goto(f"{market.url}/browser/item/{listing.id}")
    page.wait_for_selector('#detail[data-ready="1"]')
    assert page.inner_text("#detail .title") == listing.title
    for field in (".price", ".desc", ".category", ".shop", ".ships-from"):
        assert page.query_selector(f"#detail {field}") is not None
    assert alerts == []
