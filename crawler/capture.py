"""Capture one page on request, outside a crawl: the raw response, a full-page PNG and the rendered HTML.

The manifest records the URL asked for and the final URL after redirects; headers are kept by the evidence
store's allow-list, and no configured secret reaches it.
"""

from __future__ import annotations

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from evidence.headers import configured_secrets
from evidence.store import Capture, EvidenceStore
from netsword.browser import ensure_browser, launch_args
from netsword.config import Config


class CaptureError(RuntimeError):
    pass


async def capture_url(
    cfg: Config, store: EvidenceStore, url: str, *, platform: str, listing_id: str, profile: str
) -> Capture:
    """Open `url` in Chromium, keep what the server sent and what it showed; raises CaptureError on failure."""
    executable = ensure_browser(cfg.browser.executable, auto_install=cfg.browser.auto_install)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=executable, args=launch_args(), headless=cfg.browser.headless
        )
        try:
            page = await browser.new_page(user_agent=cfg.crawler.user_agent)
            try:
                response = await page.goto(url, wait_until="load", timeout=30000)
            except PlaywrightError as exc:
                raise CaptureError(f"{url}: {str(exc).splitlines()[0]}") from None
            if response is None:
                raise CaptureError(f"{url}: no response")
            raw = await response.body()
            headers = await response.request.all_headers()
            received = await response.all_headers()
            final_url = response.url  # the response Chromium ended on, after any redirects
            media_type = (response.headers.get("content-type") or "text/html").split(";")[0]
            png = await page.screenshot(full_page=True, type="png")
            html = (await page.content()).encode("utf-8")
            status = response.status
        finally:
            await browser.close()
    files = [
        store.put_bytes(raw, role="response", media_type=media_type, url=final_url),
        store.put_bytes(png, role="screenshot", media_type="image/png", url=final_url),
        store.put_bytes(html, role="page", media_type="text/html", url=final_url),
    ]
    return store.record(
        platform=platform,
        listing_id=listing_id,
        url=url,
        profile=profile,
        files=files,
        request_headers=headers,  # the store keeps allow-listed headers only
        status=status,
        final_url=final_url,
        response_headers=received,
        secrets=configured_secrets(cfg),
    )
