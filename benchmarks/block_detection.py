"""What recognising block pages costs per answer (crawler/blocks.py, run on every response of a crawl), against
decoding the same answer — which every crawl does anyway — in the same run.

    python benchmarks/block_detection.py [--repeat N]

Pages: the real saved JD search page and Taobao/Xianyu/AliExpress answers (tests/fixtures/realdata), a 2 MB
listing page (the JD page repeated), and a slider-captcha page. For each it prints the time to decode the body
(`bytes.decode`) and to build its document tree (`parsel.Selector`, what reading an HTML page starts with): the
baselines, and the time of `BlockDetector.check` on the body as the crawl calls it (built-in
markers and two profile rules), in microseconds per page, and whether the page was taken for a block (only the captcha page should be).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from parsel import Selector  # noqa: E402

from crawler.blocks import BlockDetector  # noqa: E402
from crawler.profile import BlockRules  # noqa: E402

REALDATA = REPO / "tests" / "fixtures" / "realdata"
URL = "https://s.example.cn/search?q=x"
CAPTCHA = (
    '<html><head><meta charset="utf-8"><title>安全验证</title></head><body><div id="nc_1_wrapper">'
    '<span id="nc_1_n1z" class="nc_iconfont btn_slide">&gt;&gt;</span>请按住滑块，拖动到最右边</div></body></html>'
).encode()


def per_page(fn: object, repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()  # type: ignore[operator]
    return (time.perf_counter() - start) / repeat * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    jd = (REALDATA / "jd_search_page_doc_list3.html").read_bytes()
    pages = {p.name: p.read_bytes() for p in sorted(REALDATA.iterdir()) if p.suffix in (".html", ".js", ".json")}
    pages["jd page × N (2 MB)"] = jd * (2_000_000 // len(jd) + 1)
    pages["slider captcha"] = CAPTCHA
    detector = BlockDetector(BlockRules(url=(r"/member/login",), text=('id="sc-slider"',)))
    print(f"{'page':40} {'bytes':>10} {'decode µs':>10} {'parse µs':>10} {'check µs':>10}  block")
    for name, body in pages.items():
        decode = per_page(lambda body=body: body.decode("utf-8", errors="replace"), args.repeat)
        text = body.decode("utf-8", errors="replace")
        parse = per_page(lambda text=text: Selector(text=text, type="html").xpath("//title"), max(1, args.repeat // 10))
        check = per_page(lambda body=body: detector.check(status=200, url=URL, body=body), args.repeat)
        block = detector.check(status=200, url=URL, body=body)
        shown = block.describe() if block else "-"
        print(f"{name[:40]:40} {len(body):>10,} {decode:>10.1f} {parse:>10.1f} {check:>10.1f}  {shown}")


if __name__ == "__main__":
    main()
