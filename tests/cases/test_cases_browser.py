"""The actor and case pages in real Chromium (Playwright) against the app served by uvicorn: the network drawn as
SVG, evidence behind each edge, a case opened from the network and filed by a supervisor; hostile shop names stay
text and nothing breaks the CSP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cases_helpers import shop_lead
from playwright.sync_api import expect
from triage_helpers import config_for, log_in_browser, served_app

from cases.actors import ActorStore
from cases.db import CasesDB, cases_db_path
from cases.network import build_network
from cases.sources import ShopIndex
from leads.store.sqlite import SqliteLeadStore
from netsword.browser import ensure_browser, launch_args

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, object]]:
    config = config_for(tmp_path_factory.mktemp("cases-e2e"))
    leads = [shop_lead("taobao", "a", 1, contact="电话 13800138000", name=HOSTILE, sales=300, price=199.0),
             shop_lead("jd", "b", 1, description="13800138000 微信 ring_boss", sales=50, price=199.0),
             shop_lead("pinduoduo", "c", 1, description="加V信：ring_boss", stock=800, price=199.0)]  # fmt: skip
    store = SqliteLeadStore(config.store_url.removeprefix("sqlite:///"))
    store.upsert_many(leads)
    index = ShopIndex().add_leads(leads)
    with CasesDB(cases_db_path(config.var_dir)) as db:
        ActorStore(db).replace_network(build_network(index.shops, index.sightings), index.leads)
        actor_id = ActorStore(db).ranked()[0].actor_id
    try:
        with served_app(config, store) as (url, app):
            yield url, actor_id, app
    finally:
        store.close()


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=ensure_browser(), args=launch_args())
        tab = browser.new_page()
        tab.set_default_timeout(15_000)
        problems: list[str] = []
        tab.on("dialog", lambda d: (problems.append("dialog " + d.message), d.dismiss()))
        tab.on(
            "console", lambda m: problems.append(m.text) if "Refused" in m.text or "Security Policy" in m.text else None
        )
        tab.on("response", lambda r: problems.append(f"{r.status} {r.url}")
               if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)  # fmt: skip
        tab.problems = problems  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_network_page_and_a_case_from_it(page, served) -> None:
    url, actor_id, app = served
    log_in_browser(page, url, "investigator")
    page.click("text=案件")
    page.wait_for_selector("#case-form")
    page.goto(url + "/actors")
    page.click(f"tr[data-actor-id='{actor_id}'] a")
    page.wait_for_selector("#network-graph")
    page.wait_for_load_state()  # parsed to the end: every node of the graph and the lists below it are there
    box = page.locator("#network-graph").bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.locator("#network-graph g.node-shop").count() == 3
    assert page.locator("#network-graph line").count() >= 3
    assert HOSTILE in page.locator("#actor-shops").inner_text()  # shown as text, never run
    evidence = page.locator("#actor-evidence").inner_text()
    assert "+8613800138000" in evidence and "ring_boss" in evidence
    page.click("#actor-open-case")
    page.wait_for_selector("#case-status")
    page.wait_for_load_state()  # the leads table and the valuation come further down the page
    assert page.locator("#case-status").inner_text() == "线索"
    assert page.locator("#case-leads tr[data-lead-id]").count() == 3
    assert page.locator("#referral-candidate").count() == 1  # ¥69,650 sold (350 × ¥199): over ¥50,000
    case_url = page.url
    page.fill("#case-notes + form textarea", "三店同一手机号")
    page.click("#case-add-note")
    page.wait_for_selector("#case-notes li")
    with page.expect_download() as download:  # takedown notices: a ZIP of drafts, logged on the case
        page.click("#case-takedown")
    assert download.value.suggested_filename.endswith("-takedown.zip")
    page.goto(case_url)
    row = page.locator("#case-notices tr[data-notice-id]").first
    row.locator("input[name=ticket]").fill("IPP-2026-0001")
    row.locator("button.notice-sent").click()
    # no wait_for_function: it evals in the page, and the UI's CSP forbids eval
    expect(page.locator("#case-notices .notice-status").first).to_contain_text("已发送")
    expect(page.locator("#case-notices")).to_contain_text("IPP-2026-0001")
    page.click("form[action$='/logout'] button")
    log_in_browser(page, url, "supervisor")
    page.goto(case_url)
    page.click("#move-filed")
    expect(page.locator("#case-status")).to_have_text("立案")
    assert page.problems == []  # type: ignore[attr-defined]
    assert app.state.triage.audit.verify().ok
