"""GBK fixtures: the real saved JD and Taobao pages (tests/fixtures/realdata) encoded as GBK-era sites served them,
declared every way a site declares an encoding, and read by the same profiles with the same results as UTF-8."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from crawler.decoding import decode_body, garbled
from crawler.extract import listings_from, parse_page
from crawler.profile_loader import load_profile, parse_profile

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "realdata"
JD_URL = "https://search.jd.com/Search?keyword=x"
TAOBAO_URL = "https://s.taobao.com/search?q=x"


def _jd(declaration: str) -> str:
    page = (REAL / "jd_search_page_doc_list3.html").read_text(encoding="utf-8")
    return page.replace('content="text/html; charset=utf-8"', declaration)


def gbk_variants() -> list[tuple[str, bytes, str]]:
    """(what is declared, body, Content-Type header). The JD page holds icon-font characters (U+E608) that only
    GB18030 encodes: a server that says gbk sends them as GB18030, and browsers read gbk labels as GB18030."""
    meta_gbk = _jd('content="text/html; charset=gbk"').encode("gb18030")
    return [
        ("meta http-equiv gbk", meta_gbk, "text/html"),
        ("meta charset gb2312", _jd('content="text/html"><meta charset="gb2312"').encode("gb18030"), ""),
        ("Content-Type gbk, no meta", _jd('content="text/html"').encode("gb18030"), "text/html; charset=GBK"),
        ("nothing declared", _jd('content="text/html"').encode("gb18030"), "text/html"),
        ("header beats a wrong meta", meta_gbk.replace(b"charset=gbk", b"charset=utf-8"), "text/html; charset=gbk"),
    ]


VARIANTS = gbk_variants()


@pytest.mark.parametrize(("declared", "body", "content_type"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_gbk_jd_page_reads_like_the_utf8_one(declared: str, body: bytes, content_type: str) -> None:
    profile = load_profile("jd-search")
    utf8 = listings_from(profile, (REAL / "jd_search_page_doc_list3.html").read_bytes(), JD_URL)
    parsed = parse_page(profile, body, JD_URL, content_type=content_type)
    assert parsed.errors == [] and parsed.encoding == "gb18030"
    assert [(x["id"], x["title"], x.get("price"), x["seller"]) for x in parsed.listings] == [
        (x.id, x.title, x.price, {"name": x.seller_name, "url": x.seller.url}) for x in utf8 if x.seller
    ]
    assert "海藻面膜" in parsed.listings[0]["title"]
    assert not any(garbled(x["title"] + x["seller"]["name"]) for x in parsed.listings)


def test_utf8_decoding_of_a_gbk_page_is_garbled_and_detected() -> None:
    """What NetSword did before: every Chinese title turned into U+FFFD; the profile checker says so."""
    body = VARIANTS[0][1]
    broken = listings_from(load_profile("jd-search"), body.decode("utf-8", errors="replace"), JD_URL)
    assert broken and all(garbled(x.title) for x in broken)


def test_undeclared_gbk_embedded_json_and_a_profile_override() -> None:
    """Taobao's g_page_config page, as GBK with nothing declared: detection reads it, and so does `encoding: gbk`."""
    text = (REAL / "taobao_g_page_config_xxx.js").read_text(encoding="utf-8")
    body = text.encode("gbk")
    profile = load_profile("taobao-search")
    first = listings_from(profile, body, TAOBAO_URL)[0]
    assert "黑芝麻核桃粉" in first.title and first.seller_name == "老金磨方旗舰店" and first.sales == 7261
    source = (Path(profile.source)).read_text(encoding="utf-8")
    forced = parse_profile(source + "encoding: gbk\n", "taobao-gbk.yaml")
    assert forced.encoding == "gb18030"
    wrong_header = "application/javascript; charset=utf-8"  # a site that lies: the override still wins
    assert listings_from(forced, body, TAOBAO_URL, content_type=wrong_header)[0].title == first.title


def test_decoding_order_bom_header_meta_detection() -> None:
    gbk = "耐克 正品".encode("gbk")
    assert decode_body(codecs.BOM_UTF8 + "耐克".encode(), "text/html; charset=gbk") == ("耐克", "utf-8")  # BOM first
    assert decode_body(gbk, "text/html; charset=gb2312")[1] == "gb18030"
    assert decode_body(b'<meta charset="GBK">' + gbk)[0].endswith("耐克 正品")
    assert decode_body("耐克".encode()) == ("耐克", "utf-8")
    assert decode_body(gbk) == ("耐克 正品", "gb18030")  # detection: not UTF-8, valid GB18030
    assert decode_body("Café".encode("cp1252"))[0] == "Café"
    assert decode_body(gbk, "text/html; charset=utf-8", "gbk") == ("耐克 正品", "gb18030")  # the override wins
