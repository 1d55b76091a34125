"""Evidence manifests keep an allow-list of harmless headers, never a credential or a configured secret."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from evidence.headers import configured_secrets, env_secrets
from evidence.store import EvidenceStore
from netsword.config import load_config

KEY = "f00dfeed-c0ffee-5ecret-rapidapi-key"
SENT = {
    "User-Agent": "NetSwordBot/0.1",
    "Accept": "text/html",
    "Accept-Language": "zh-CN,zh;q=0.9",
    "X-RapidAPI-Key": KEY,
    "X-RapidAPI-Host": "aliexpress-datahub.p.rapidapi.com",
    "X-Auth-Token": "tok-123456789",
    "Api-Key": "apikey-987654321",
    "X-Amz-Security-Token": "amz-token-value",
    "Cookie": "sid=cookie-secret",
    "Authorization": "Bearer bearer-secret",
}


def _manifest_text(store: EvidenceStore, capture_id: str) -> str:
    return (store.root / "captures" / f"{capture_id}.json").read_text(encoding="utf-8")


def test_only_allow_listed_request_headers_reach_a_manifest(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    page = store.put_bytes(b"<html>x</html>", role="response", media_type="text/html", url="https://t/1")
    capture = store.record(platform="aliexpress", listing_id="1", url="https://t/1", profile="aliexpress-item-search",
                           files=[page], request_headers=SENT, status=200)  # fmt: skip
    text = _manifest_text(store, capture.capture_id)
    for secret in (KEY, "tok-123456789", "apikey-987654321", "amz-token-value", "cookie-secret", "bearer-secret"):
        assert secret not in text
    manifest = json.loads(text)
    assert manifest["request_headers"] == {
        "User-Agent": "NetSwordBot/0.1", "Accept": "text/html", "Accept-Language": "zh-CN,zh;q=0.9"
    }  # fmt: skip
    # the manifest says honestly which headers were sent but not recorded
    assert "X-RapidAPI-Key" in manifest["withheld_headers"] and "Cookie" in manifest["withheld_headers"]


def test_an_allow_listed_header_carrying_a_secret_is_left_out(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    page = store.put_bytes(b"<html>x</html>", role="response", media_type="text/html")
    capture = store.record(platform="p", listing_id="1", url="https://t/1", profile="p", files=[page],
                           request_headers={"User-Agent": f"bot {KEY}", "Referer": "https://t/search?q=a"},
                           response_headers={"Location": f"https://t/2?k={KEY}", "Set-Cookie": "s=1", "Date": "d"},
                           secrets=[KEY])  # fmt: skip
    text = _manifest_text(store, capture.capture_id)
    assert KEY not in text
    assert capture.request_headers == {"Referer": "https://t/search?q=a"}
    assert capture.response_headers == {"Date": "d"}  # Set-Cookie is not on the list


def test_secrets_of_the_bundled_aliexpress_profile_and_of_the_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler.profile_loader import load_profile

    monkeypatch.setenv("RAPIDAPI_KEY", KEY)
    profile = load_profile("aliexpress-item-search")
    assert env_secrets(profile.headers) == [KEY]
    monkeypatch.setenv("NETSWORD_SMTP_PASSWORD", "smtp-password-1")
    assert "smtp-password-1" in configured_secrets(load_config())


def test_the_crawl_pipeline_keeps_the_aliexpress_key_out_of_the_manifest(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real EvidencePipeline, built through the NetSword add-on, with the bundled item_search profile's key."""
    import asyncio

    from scrapy.settings import Settings
    from scrapy.utils.test import get_crawler

    from crawler import settings as project_settings
    from crawler.capture import FetchedPage
    from crawler.extensions.runtime import runtime_of
    from crawler.pipelines.evidence import EvidencePipeline
    from crawler.spiders.marketplace import MarketplaceSpider
    from evidence.store import Fetch

    monkeypatch.setenv("RAPIDAPI_KEY", KEY)
    monkeypatch.setenv("NETSWORD_SMTP_PASSWORD", "smtp-password-1")
    settings = Settings()
    settings.setmodule(project_settings)
    settings.update({"NETSWORD_EVIDENCE": True, "NETSWORD_SCREENSHOTS": False,
                     "NETSWORD_PROFILE": "aliexpress-item-search", "TWISTED_REACTOR_ENABLED": False})  # fmt: skip
    crawler = get_crawler(MarketplaceSpider, dict(settings))
    crawler.spider = MarketplaceSpider(profile="aliexpress-item-search", keywords=["nike"])
    pipeline = EvidencePipeline.from_crawler(crawler)
    try:
        sent = {**crawler.spider.headers, "User-Agent": "NetSwordBot", "Accept-Language": KEY}  # a listed name too
        sent["Accept"] = "smtp-password-1"  # a configured secret, wherever it turns up
        assert sent["X-RapidAPI-Key"] == KEY
        api = "https://api.example/item_search?q=nike&page=1"
        page = FetchedPage(Fetch(api, api, 200), b'{"result": {}}', "application/json", sent,
                           (("Content-Type", "application/json"), ("Set-Cookie", f"k={KEY}")))  # fmt: skip
        item = {"listing": {"platform": "aliexpress", "id": "100", "url": "https://www.aliexpress.com/item/100.html"},
                "profile": "aliexpress", "page_url": api, "status": 200, "fetched": page, "kind": "api",
                "new_leads": ["lead-1"]}  # fmt: skip
        asyncio.run(pipeline.process_item(item))
    finally:
        runtime_of(crawler).store.close()
    manifests = list((isolated / "var" / "evidence" / "captures").glob("*.json"))
    assert len(manifests) == 1
    text = manifests[0].read_text(encoding="utf-8")
    assert KEY not in text and "smtp-password-1" not in text
    manifest = json.loads(text)
    assert manifest["request_headers"] == {"User-Agent": "NetSwordBot"}
    assert manifest["final_url"] == manifest["url"] == "https://api.example/item_search?q=nike&page=1"
    assert manifest["kind"] == "api" and manifest["listing_url"] == "https://www.aliexpress.com/item/100.html"
    warc = next(f for f in manifest["files"] if f["role"] == "warc")  # nor into the WARC records of the exchange
    blob = (isolated / "var" / "evidence" / "objects" / warc["sha256"][:2] / warc["sha256"]).read_bytes()
    assert KEY.encode() not in gzip.decompress(blob) and b"smtp-password-1" not in gzip.decompress(blob)
