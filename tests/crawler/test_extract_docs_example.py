"""The profiles in docs/adding-a-platform.md load, and read the page snippets shown beside them as the comments say
(the GBK example's search snippet encoded as GBK, its product page's JSON-LD)."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.extract import parse_page
from crawler.profile_loader import parse_profile

DOC = Path(__file__).resolve().parents[2] / "docs" / "adding-a-platform.md"
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def _blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCKS if lang == language]


def test_every_profile_in_the_docs_loads() -> None:
    blocks = _blocks("yaml")
    whole = [text for text in blocks if text.startswith("version:")]
    profiles = [parse_profile(text, f"{DOC.name} yaml block {n}") for n, text in enumerate(whole)]
    assert [p.platform for p in profiles] == ["shoes-example", "old-example"]
    for n, fragment in enumerate(text for text in blocks if not text.startswith("version:")):  # a profile's part
        parse_profile(whole[0] + fragment, f"{DOC.name} yaml fragment {n}")


def test_the_gbk_example_reads_its_snippets_as_documented() -> None:
    profile = parse_profile(_blocks("yaml")[1], "old-example.yaml")
    search_html, detail_html = _blocks("html")[1:3]
    page = "\n".join(line for line in search_html.splitlines() if line.strip() != "…").encode("gbk")
    parsed = parse_page(profile, page, "https://old.example/gbk/search?q=DIOR&page=1")
    assert parsed.encoding == "gb18030" and parsed.errors == []
    (item,) = parsed.listings
    assert item["title"] == "迪奥 DIOR 托特包 高仿"
    assert (item["price"], item["currency"], item["sales"]) == (1280.0, "CNY", 12000)
    assert item["seller"]["name"] == "奢品代购小屋" and item["location"] == "广州"
    assert parsed.next == "https://old.example/gbk/search?q=DIOR&page=2"
    from crawler.extract import detail_url

    assert detail_url(profile, item) == item["url"]  # ?spm=…&utm_source=… does not stop it
    (detail,) = parse_page(profile, detail_html.encode("gbk"), item["url"], kind="detail").listings
    assert (detail["price"], detail["currency"], detail["stock"]) == (1280.0, "CNY", 1200)
    assert detail["seller"] == {"name": "奢品代购小屋"} and detail["ships_from"] == "广东广州"
    assert detail["category"] == "箱包" and detail["title"] == "迪奥 DIOR 托特包 高仿"
