"""End to end in real Chromium (Playwright) against the app served by uvicorn on 127.0.0.1 in a thread:
log in, filter, triage by keyboard, export a referral package, and hostile listing text that never runs."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from triage_helpers import HOSTILE_TITLE, config_for, log_in_browser, make_lead, served_app

from evidence.store import EvidenceStore
from leads.store.sqlite import SqliteLeadStore
from netsword.browser import ensure_browser, launch_args

pytestmark = pytest.mark.browser
EVIL_PAGE = b"<html><body><script>alert('from evidence')</script><img src=x onerror=alert(3)>archived</body></html>"


class Served:
    def __init__(self, url: str, store: SqliteLeadStore, app) -> None:
        self.url, self.store, self.app = url, store, app


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("e2e")
    config = config_for(tmp)
    store = SqliteLeadStore(config.store_url.removeprefix("sqlite:///"))
    leads = [make_lead(i, score=50 + i) for i in range(1, 21)]
    leads.append(make_lead(100, platform="jd", score=99, title=HOSTILE_TITLE))
    leads.append(make_lead(101, platform="jd", score=40, status="confirmed"))
    store.upsert_many(leads)
    store.set_status(leads[-1].lead_id, "confirmed")
    evidence = EvidenceStore(config.evidence_dir)
    hostile = leads[-2]
    files = [evidence.put_bytes(EVIL_PAGE, role="page", media_type="text/html"),
             evidence.put_bytes(b"\x89PNG\r\n\x1a\nnot really", role="screenshot", media_type="image/png")]  # fmt: skip
    evidence.record(
        platform=hostile.platform, listing_id=hostile.listing_id, url=hostile.url, profile="html", files=files
    )
    try:
        with served_app(config, store) as (url, app):
            yield Served(url, store, app)
    finally:
        store.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=ensure_browser(), args=launch_args())
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served: Served):
    context = browser.new_context(accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.dialogs = dialogs  # type: ignore[attr-defined]
    yield tab
    context.close()


def log_in(page, served: Served, username: str) -> None:
    log_in_browser(page, served.url, username, start="/")  # the queue's address shows the login form


def test_log_in_filter_and_triage_by_keyboard(page, served: Served) -> None:
    log_in(page, served, "investigator")
    page.fill("#f-platform", "taobao")
    page.fill("#f-min", "60")
    page.select_option("#f-status", "new")
    page.click("#filter-button")
    page.wait_for_url("**platform=taobao**")
    rows = page.locator("tr.lead")
    assert rows.count() == 11  # scores 60..70 on taobao
    ids = [rows.nth(i).get_attribute("data-lead-id") for i in range(rows.count())]
    assert page.locator("tr.lead.selected").get_attribute("data-lead-id") == ids[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert page.locator("tr.lead.selected").get_attribute("data-lead-id") == ids[1]
    page.keyboard.press("c")  # confirm the second lead; the queue (status=new) reloads without it
    expect(page.locator("tr.lead")).to_have_count(10)  # no wait_for_function: it evals, and the UI's CSP forbids eval
    assert served.store.get(ids[1]).status == "confirmed"
    # the selection stays at the same position: now the lead that was third
    assert page.locator("tr.lead.selected").get_attribute("data-lead-id") == ids[2]
    page.keyboard.press("d")
    page.wait_for_selector("#dismiss-dialog[open]")
    page.select_option("#dismiss-reason", "dismiss_genuine")
    page.click("#dismiss-submit")
    expect(page.locator("tr.lead")).to_have_count(9)
    assert served.store.get(ids[2]).status == "dismissed"
    # the rows can be counted before the page's deferred script has run; a selected row shows it has, and so listens
    # for keys (a key pressed earlier is lost)
    expect(page.locator("tr.lead.selected")).to_have_attribute("data-lead-id", ids[3])
    page.keyboard.press("a")
    deadline = time.monotonic() + 15
    while served.store.get(ids[3]).assignee != "investigator" and time.monotonic() < deadline:
        time.sleep(0.1)
    assert served.store.get(ids[3]).assignee == "investigator"
    audit = served.app.state.triage.audit
    assert audit.entries(target=ids[2])[0].after["reason"] == "dismiss_genuine"
    assert page.dialogs == []


def test_hostile_title_shows_as_text_and_evidence_never_runs(page, served: Served) -> None:
    log_in(page, served, "supervisor")
    page.fill("#f-q", "onerror")
    page.click("#filter-button")
    link = page.locator("td.title a")
    expect(link).to_have_count(1)  # the click returns once the filtered page starts loading, not when it is parsed
    assert link.inner_text() == HOSTILE_TITLE
    link.click()
    page.wait_for_selector("#lead-title")
    assert page.locator("#lead-title").inner_text() == HOSTILE_TITLE
    assert page.locator("#lead-title img").count() == 0
    frame = page.frame_locator("iframe.archive")
    assert "archived" in frame.locator("body").inner_text()
    page.wait_for_timeout(500)  # give any script a chance to run; none may
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0


def test_export_referral_package(page, served: Served, tmp_path: Path) -> None:
    log_in(page, served, "investigator")  # four eyes: one person creates, another approves
    page.goto(served.url + "/referrals")
    page.fill("#referral-title", "浙江 移送 001")
    page.click("#referral-create")
    page.wait_for_selector("tr[data-referral-id]")
    page.wait_for_load_state()  # the whole page parsed: a missing approve button is really missing
    assert page.locator("button.approve").count() == 0
    page.context.clear_cookies()
    log_in(page, served, "supervisor")
    page.goto(served.url + "/referrals")
    page.wait_for_selector("button.approve")
    page.click("button.approve")
    page.wait_for_selector("a.download")
    with page.expect_download() as info:
        page.click("a.download")
    saved = tmp_path / "package.zip"
    info.value.save_as(saved)
    archive = zipfile.ZipFile(io.BytesIO(saved.read_bytes()))
    names = archive.namelist()
    assert any(n.endswith("/manifest.json") for n in names) and any(n.endswith("/summary.html") for n in names)
    assert page.dialogs == []
