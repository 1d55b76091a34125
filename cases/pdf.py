"""Printable PDFs of the referral package's HTML, rendered by Chromium (Playwright) from the HTML in memory.

The pages are loaded with `set_content` in a context with JavaScript off and every request aborted (the HTML forbids
every fetch already, `default-src 'none'`), so nothing is fetched and nothing runs; Chinese text needs a CJK font
(netsword.browser.ensure_cjk_font installs Debian's when allowed). A PDF carries Chromium's creation date, so a
package with PDFs is not byte-for-byte the same twice; the HTML and JSON inside it are.
"""

from __future__ import annotations

from collections.abc import Mapping

from netsword.browser import ensure_browser, ensure_cjk_font, launch_args
from netsword.config import Config


def pdfs_of(pages: Mapping[str, bytes], config: Config) -> dict[str, bytes]:
    """name.html → name.pdf (A4, backgrounds printed) for each HTML page given."""
    from playwright.sync_api import sync_playwright

    executable = ensure_browser(config.browser.executable, auto_install=config.browser.auto_install)
    ensure_cjk_font(auto_install=config.browser.auto_install)
    out: dict[str, bytes] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=launch_args(), headless=True)
        try:
            context = browser.new_context(java_script_enabled=False)
            context.route("**/*", lambda route: route.abort())
            page = context.new_page()
            for name, html in pages.items():
                page.set_content(html.decode("utf-8"), wait_until="load")
                out[name.removesuffix(".html") + ".pdf"] = page.pdf(format="A4", print_background=True,
                                                                    margin={"top": "15mm", "bottom": "15mm",
                                                                            "left": "15mm", "right": "15mm"})  # fmt: skip
        finally:
            browser.close()
    return out
