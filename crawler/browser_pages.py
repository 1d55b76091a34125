"""What the crawler asks of Chromium: browser meta for a request, the load-more script, blocking heavy resources.

Crawl pages never load images, fonts or media (they cost time and memory and tell the parser nothing);
evidence pages load everything, so their screenshots show what a buyer sees. Crawl pages are pooled and reused
(crawler/middlewares/page_pool.py).
"""

from __future__ import annotations

import weakref
from typing import Any

from scrapy_playwright.page import PageMethod

from crawler.browser_guard import refuse_browser_request
from crawler.profile import PageSpec, Profile

HEAVY = frozenset({"image", "font", "media"})
EVIDENCE_PAGES: weakref.WeakSet[Any] = weakref.WeakSet()

# Clicks "load more" until `done` appears: after each click it waits for the item count to grow (or for done),
# so a slow response never triggers a second load of the same batch.
LOAD_MORE_JS = """
async ([items, click, done, maxClicks]) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const count = () => document.querySelectorAll(items).length;
  const deadline = Date.now() + 20000;
  for (let clicks = 0; clicks < maxClicks && Date.now() < deadline; clicks++) {
    if (document.querySelector(done)) return clicks;
    const button = document.querySelector(click);
    const before = count();
    if (button && !button.disabled) button.click();
    // No button at all (an error page, or a layout we do not know): give up soon rather than spin.
    const limit = button ? 10000 : 2000;
    for (let waited = 0; waited < limit && count() === before && !document.querySelector(done); waited += 25) {
      await sleep(25);
    }
    if (!button && count() === before) return -1;
  }
  return maxClicks;
}
"""


async def abort_heavy_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: drop what the fetch policy refuses (crawler.browser_guard), and images/fonts/media
    except on evidence pages."""
    if await refuse_browser_request(request):
        return True
    if request.resource_type not in HEAVY:
        return False
    try:
        return request.frame.page not in EVIDENCE_PAGES
    except Exception:  # noqa: BLE001 - a worker's request has no page; block it like any other heavy resource
        return True


async def mark_evidence_page(page: Any, request: Any) -> None:
    """playwright_page_init_callback of evidence requests: this page may load images."""
    EVIDENCE_PAGES.add(page)


def browser_meta(profile: Profile, spec: PageSpec, *, search: bool) -> dict[str, Any]:
    """Request.meta that sends a request through Chromium and waits for the page to be ready."""
    if profile.render != "browser":
        return {}
    methods = []
    pagination = profile.pagination
    if search and pagination.type == "load_more":
        items = spec.items.expr if spec.items and spec.items.source == "css" else "*"
        methods.append(
            PageMethod("evaluate", LOAD_MORE_JS, [items, pagination.click, pagination.done, pagination.max_clicks])
        )
        methods.append(PageMethod("wait_for_selector", pagination.done, state="attached", timeout=8000))
    if spec.wait_for:
        methods.append(PageMethod("wait_for_selector", spec.wait_for, state="attached", timeout=8000))
    # netsword_page_pool: crawler.middlewares.page_pool navigates an open page rather than opening one per URL.
    return {
        "playwright": True,
        "playwright_context": "crawl",
        "playwright_page_methods": methods,
        "netsword_page_pool": True,
    }
