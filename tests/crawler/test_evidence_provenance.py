"""Evidence provenance and web archives from crawls of the demo marketplace's API and feed styles (real Chromium).

A lead read from an API or a feed names the answer that carried it (its real URL, status, times), not the listing
URL; the listing's web page (the profile's `listing_page`, behind a redirecting short link for the feed) is fetched
once and kept as a capture of its own with its redirect chain. `netsword evidence package` writes a WACZ that the
`wacz` tool validates, whose index points at records warcio reads, and from which Chromium replays the listing page
with the network blocked.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.store import Capture, EvidenceStore, Hop
from evidence.wacz import validate_wacz
from leads.store import LeadQuery, open_store
from netsword.cli import main

REPO = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
ONE_MARK = """version: 1
trademarks:
- id: tm-lego
  mark: LEGO
  variants: [乐高]
  owner: LEGO (brand owner)
  classes: [28]
  status: registered
"""


def _leads(var_dir: Path) -> list[Any]:
    with open_store(f"sqlite:///{var_dir / 'netsword.db'}") as store:
        return list(store.iter_leads(LeadQuery()))


def _store(var_dir: Path) -> EvidenceStore:
    """The crawl's evidence store with its evidence key (the ledger and the custody log are sealed with it)."""
    from netsword.config import load_config

    return EvidenceStore.for_config(load_config(env={"NETSWORD_PATHS_VAR_DIR": str(var_dir)}), create_key=False)


def _by_kind(store: EvidenceStore, platform: str, listing_id: str) -> dict[str, Capture]:
    return {c.kind: c for c in store.captures_for(platform, listing_id)}


@pytest.fixture(scope="module")
def api_crawl(market: Any, tmp_path_factory: pytest.TempPathFactory, crawl: Any) -> Path:
    var_dir = tmp_path_factory.mktemp("api")
    stats = crawl(var_dir, "demo-api", market.base_url, keywords=["耐克"], max_pages=1)
    assert stats["finish_reason"] == "finished" and stats["netsword/evidence_screenshots"] >= 3
    return var_dir


def test_api_leads_name_the_api_answer_and_keep_their_listing_page_apart(market: Any, api_crawl: Path) -> None:
    base = market.base_url
    store = _store(api_crawl)
    leads = _leads(api_crawl)
    assert leads
    for lead in leads:
        kinds = _by_kind(store, lead.platform, lead.listing_id)
        api, own = kinds["api"], kinds["listing-page"]
        # the answer that carried the listing: the API's item endpoint, really fetched, with its times
        assert api.url == api.final_url == f"{base}/api/item/{lead.listing_id}" and api.status == 200
        assert api.started_at and api.started_at <= api.ended_at and not api.redirects
        assert {f.role for f in api.files} == {"response", "warc"}
        assert json.loads(store.read(api.file("response").sha256))["itemId"] == lead.listing_id
        assert api.related == (own.capture_id,)
        # the listing's web page, named by the profile's listing_page, opened once in Chromium
        assert own.url == own.final_url == f"{base}/api/web/item/{lead.listing_id}" and own.status == 200
        assert {f.role for f in own.files} == {"response", "screenshot", "page", "warc"}
        assert store.read(own.file("screenshot").sha256).startswith(b"\x89PNG")
        assert own.started_at and own.started_at <= own.ended_at
        warc = list(ArchiveIterator(io.BytesIO(store.read(own.file("warc").sha256))))
        assert {r.rec_headers.get_header("WARC-Target-URI") for r in warc if r.rec_type == "response"} >= {
            own.url,
            f"{base}/img/{lead.listing_id}.png",
        }  # the page and the image Chromium loaded for it
    assert store.verify().ok
    hits = market.hits
    for lead in leads:  # fetched once (twice when the marketplace failed it once on purpose: 15 % of URLs)
        assert 1 <= hits[f"/api/web/item/{lead.listing_id}"] <= 2


def test_feed_leads_name_the_feed_and_follow_the_short_link_to_the_listing_page(tmp_path: Path, crawl: Any) -> None:
    """The feed style on a marketplace without injected faults, watching one mark: 30-odd leads, each a visit."""
    from demo.server import DemoMarket

    market = DemoMarket(port=0, seed=11, rate_limit=None, fault_rate=0.0, slow_rate=0.0)
    market.base_url = market.start()
    try:
        _feed_crawl_and_check(market, tmp_path, crawl)
    finally:
        market.stop()


def _feed_crawl_and_check(market: Any, tmp_path: Path, crawl: Any) -> None:
    (tmp_path / "one.yaml").write_text(ONE_MARK, encoding="utf-8")
    (tmp_path / "netsword.toml").write_text(f'[matching]\nwatchlists = ["{tmp_path / "one.yaml"}"]\n')
    stats = crawl(tmp_path, "demo-feed", market.base_url)
    assert stats["finish_reason"] == "finished"
    base = market.base_url
    store = _store(tmp_path)
    leads = [lead for lead in _leads(tmp_path) if lead.entry_id == "tm-lego"]
    assert len(leads) >= 3
    for lead in leads:
        kinds = _by_kind(store, lead.platform, lead.listing_id)
        feed, own = kinds["feed"], kinds["listing-page"]
        # the feed export carried it: its URL, never the listing URL, which nobody requested
        assert feed.url == feed.final_url == f"{base}/feed/listings.jsonl" and feed.status == 200
        assert feed.listing_url == f"{base}/feed/item/{lead.listing_id}" != feed.url
        assert feed.started_at and feed.ended_at
        # the short link, its redirect and the page it led to
        assert own.url == f"{base}/feed/go/{lead.listing_id}"
        assert own.redirects == (Hop(own.url, 302),)
        assert own.final_url == f"{base}/feed/web/item/{lead.listing_id}" and own.status == 200
        assert own.file("screenshot") is not None
    # the feed's WARC is the same bytes for every listing it carried: kept once
    warcs = {_by_kind(store, lead.platform, lead.listing_id)["feed"].file("warc").sha256 for lead in leads}
    assert len(warcs) == 1
    assert store.verify().ok


def _wacz_record(wacz: zipfile.ZipFile, url: str) -> Any:
    """The response record the WACZ's index names for `url`, read with warcio from the archive it names."""
    for line in gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode().splitlines():
        _, _, data = line.split(" ", 2)
        entry = json.loads(data)
        if entry["url"] == url and entry.get("mime") != "warc/revisit" and str(entry.get("status")) == "200":
            raw = wacz.read(f"archive/{entry['filename']}")
            chunk = raw[int(entry["offset"]) : int(entry["offset"]) + int(entry["length"])]
            return next(iter(ArchiveIterator(io.BytesIO(chunk))))
    raise AssertionError(f"{url} not in the index")


def test_a_lead_package_validates_and_its_index_points_at_readable_records(
    market: Any, api_crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(api_crawl))
    lead = _leads(api_crawl)[0]
    out = tmp_path / "lead.wacz"
    assert main(["evidence", "package", "--lead", lead.lead_id, "-o", str(out)]) == 0
    assert "2 captures of 1 listing(s)" in capsys.readouterr().out
    ok, said = validate_wacz(out)
    assert ok, said
    with zipfile.ZipFile(out) as wacz:
        package = json.loads(wacz.read("datapackage.json"))
        for resource in package["resources"]:
            assert resource["hash"] == "sha256:" + hashlib.sha256(wacz.read(resource["path"])).hexdigest()
        pages = [json.loads(line) for line in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
        listing_page = f"{market.base_url}/api/web/item/{lead.listing_id}"
        assert listing_page in {p["url"] for p in pages}
        record = _wacz_record(wacz, listing_page)
        assert lead.title.encode() in record.content_stream().read()
        # the captures' own WARC files travel unchanged: their hashes are those in the manifests
        store = _store(api_crawl)
        for capture in store.captures_for(lead.platform, lead.listing_id):
            kept = wacz.read(f"archive/{capture.capture_id}.warc.gz")
            assert hashlib.sha256(kept).hexdigest() == capture.file("warc").sha256


def test_a_case_package_holds_the_captures_of_every_lead_of_the_case(
    api_crawl: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from cases.db import CasesDB, cases_db_path
    from cases.model import INVESTIGATOR
    from cases.store import CaseStore

    class Audit:
        def append(self, *args: object, **kwargs: object) -> None:
            return None

    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(api_crawl))
    leads = _leads(api_crawl)[:2]
    with CasesDB(cases_db_path(api_crawl)) as db:
        case = CaseStore(db, Audit()).create("耐克 仿品 网络", "inv", INVESTIGATOR, lead_ids=[x.lead_id for x in leads])
    out = tmp_path / "case.wacz"
    assert main(["evidence", "package", "--case", case.case_id, "-o", str(out)]) == 0
    assert "4 captures of 2 listing(s)" in capsys.readouterr().out
    assert validate_wacz(out)[0]
    with zipfile.ZipFile(out) as wacz:
        archives = {n for n in wacz.namelist() if n.startswith("archive/")}
        manifests = gzip.decompress(wacz.read("archive/netsword-evidence.warc.gz"))
    store = _store(api_crawl)
    for lead in leads:
        for capture in store.captures_for(lead.platform, lead.listing_id):
            assert f"archive/{capture.capture_id}.warc.gz" in archives
            assert f"urn:netsword:manifest:{capture.capture_id}".encode() in manifests
    assert main(["evidence", "package", "--case", "case-000000000000"]) == 2  # no such case: a usage error


def test_chromium_replays_the_listing_page_from_the_wacz_alone(market: Any, api_crawl: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    import asyncio

    from playwright.async_api import async_playwright

    from netsword.browser import ensure_browser, launch_args

    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(api_crawl))
    lead = _leads(api_crawl)[0]
    out = tmp_path / "lead.wacz"
    assert main(["evidence", "package", "--lead", lead.lead_id, "-o", str(out)]) == 0
    url = f"{market.base_url}/api/web/item/{lead.listing_id}"
    with zipfile.ZipFile(out) as wacz:
        records = _replay_table(wacz)
    served: list[str] = []
    refused: list[str] = []

    async def route(r: Any) -> None:
        found = records.get(r.request.url)
        if found is None:
            refused.append(r.request.url)
            await r.abort()
            return
        status, headers, body = found
        served.append(r.request.url)
        await r.fulfill(status=status, headers=headers, body=body)

    async def replay() -> tuple[str, int]:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=ensure_browser(""), args=launch_args())
            try:
                context = await browser.new_context(offline=False)
                await context.route("**/*", route)  # nothing reaches the network: every answer is from the WACZ
                page = await context.new_page()
                await page.goto(url, wait_until="load")
                title = await page.inner_text("h1.title")
                width = await page.eval_on_selector("img.main", "img => img.naturalWidth")
                return title, width
            finally:
                await browser.close()

    before = market.hits
    title, width = asyncio.run(replay())
    assert market.hits == before  # the marketplace heard nothing: only the archive answered
    assert title == lead.title
    assert width > 0  # the image came from the archive too
    assert url in served and not [u for u in refused if u.startswith(market.base_url + "/api/web/")]


def _replay_tool() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("fetch_replaywebpage", REPO / "tools" / "fetch_replaywebpage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def replaywebpage() -> Path:
    """ReplayWeb.page's published app (the `replaywebpage` npm package, pinned by version and integrity), fetched
    by tools/fetch_replaywebpage.py (`make test` runs it first) into ~/.cache/netsword: the standard replay tool,
    served from 127.0.0.1. The test itself reaches no network."""
    tool = _replay_tool()
    if not tool.installed():
        pytest.skip(f"ReplayWeb.page {tool.VERSION} is not installed: run `python tools/fetch_replaywebpage.py` "
                    "(make test does)")  # fmt: skip
    return Path(tool.APP)


def _serve(root: Path, wacz: Path) -> tuple[Any, str]:
    """root's files and the WACZ (as /archive.wacz) on 127.0.0.1, with byte ranges as replay tools read them."""
    import http.server
    import re
    import threading
    from functools import partial

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def send_head(self) -> Any:
            path = str(wacz) if self.path.split("?")[0] == "/archive.wacz" else self.translate_path(self.path)
            if not Path(path).is_file():
                return super().send_head()
            size = Path(path).stat().st_size
            start, end = 0, size - 1
            ranged = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
            if ranged and (ranged.group(1) or ranged.group(2)):
                if ranged.group(1):
                    start = int(ranged.group(1))
                    end = min(int(ranged.group(2) or end), end)
                else:
                    start = max(size - int(ranged.group(2)), 0)
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            else:
                self.send_response(200)
            body = open(path, "rb")  # noqa: SIM115 - copyfile reads it
            body.seek(start)
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Content-Type", "application/wacz" if path == str(wacz) else self.guess_type(path))
            self.send_header("Accept-Ranges", "bytes")
            self.end_headers()
            return io.BytesIO(body.read(end - start + 1))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def test_replaywebpage_replays_the_listing_page_offline(market: Any, api_crawl: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch, replaywebpage: Path) -> None:  # fmt: skip
    import asyncio

    from playwright.async_api import async_playwright

    from netsword.browser import ensure_browser, launch_args

    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(api_crawl))
    lead = _leads(api_crawl)[0]
    out = tmp_path / "lead.wacz"
    assert main(["evidence", "package", "--lead", lead.lead_id, "-o", str(out)]) == 0
    listing_page = f"{market.base_url}/api/web/item/{lead.listing_id}"
    server, base = _serve(replaywebpage, out)
    elsewhere: list[str] = []

    async def only_the_replay_server(route: Any) -> None:
        if route.request.url.startswith(base + "/"):
            await route.continue_()
        else:  # the marketplace, or anywhere on the internet: blocked
            elsewhere.append(route.request.url)
            await route.abort()

    async def replay() -> str:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=ensure_browser(""), args=launch_args())
            try:
                context = await browser.new_context()
                await context.route("**/*", only_the_replay_server)
                page = await context.new_page()
                await page.goto(f"{base}/?source={base}/archive.wacz#view=replay&url={listing_page}")
                # the app loads the archive in its service worker, then the page in a frame: up to 2 minutes on a
                # loaded machine (120 polls, 30 s and more, was the limit before)
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:
                    for frame in page.frames:
                        if listing_page in frame.url:
                            try:
                                text = await frame.evaluate("document.querySelector('h1.title')?.innerText || ''")
                            except Exception:  # noqa: BLE001 - the frame navigated while we asked
                                text = ""
                            if text:
                                return str(text)
                    await asyncio.sleep(0.25)
                return ""
            finally:
                await browser.close()

    try:
        title = asyncio.run(replay())
    finally:
        server.shutdown()
        server.server_close()
    assert title == lead.title
    assert not [u for u in elsewhere if u.startswith(market.base_url)]  # nothing came from the marketplace


def _replay_table(wacz: zipfile.ZipFile) -> dict[str, tuple[int, dict[str, str], bytes]]:
    """URL -> (status, headers, body) of every response record the WACZ's index names (the last one wins)."""
    table: dict[str, tuple[int, dict[str, str], bytes]] = {}
    for line in gzip.decompress(wacz.read("indexes/index.cdx.gz")).decode().splitlines():
        entry = json.loads(line.split(" ", 2)[2])
        if not entry["url"].startswith("http"):
            continue
        raw = wacz.read(f"archive/{entry['filename']}")
        chunk = raw[int(entry["offset"]) : int(entry["offset"]) + int(entry["length"])]
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        if record.rec_type != "response":
            continue
        headers = {k: v for k, v in record.http_headers.headers}
        table[entry["url"]] = (int(record.http_headers.get_statuscode()), headers, record.content_stream().read())
    return table
