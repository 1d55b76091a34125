"""Image hashes are computed off the crawl's reactor: a real crawl with NETSWORD_IMAGE_HASHES on hashes an image at
the pixel cap (6,300 × 6,300, over a second of decoding) while a LoopingCall in the same crawl keeps ticking every
20 ms; before, the hash ran on the reactor's thread and the reactor stood still for all of it (no tick). The hashes
stored are the ones phash_of gives for the same bytes, every listing is stored once with its hash, and every image
is fetched once."""

from __future__ import annotations

import http.server
import io
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from leads.store import LeadQuery, open_store_from_config
from netsword.config import load_config
from netsword.image_hash import MAX_PIXELS, phash_of
from tests.crawler.local_site import serve

pytestmark = pytest.mark.timeout(180)
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROFILE = """\
version: 1
platform: big-images
base_url: http://127.0.0.1:1/
currency: CNY
search:
  url: "/search?q={keyword}&page={page}"
  format: html
  items: li.item
  fields:
    id: "::attr(data-id)"
    title: "a.title::text"
    url: {css: "a.title::attr(href)", absolute: true}
    price: "span.price::text"
    images: {css: "img::attr(src)", all: true, absolute: true}
"""


def _photo(side: int, seed: int) -> bytes:
    """Random 63 × 63 blocks blown up to side × side: a textured photo that PNG keeps small (the 5 MiB cap)."""
    rng = random.Random(seed)
    small = Image.new("RGB", (63, 63))
    small.putdata([(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(63 * 63)])
    out = io.BytesIO()
    small.resize((side, side), Image.Resampling.NEAREST).save(out, "PNG")
    return out.getvalue()


IMAGES: dict[str, bytes] = {}
HITS: Counter[str] = Counter()


class Shop(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?")[0]
        HITS[path] += 1
        if path == "/search":
            rows = "".join(f'<li class="item" data-id="{name}"><a class="title" href="/item/{name}">耐克 Nike Air Max '
                           f'高仿 {name}</a><span class="price">¥99</span><img src="/img/{name}.png"></li>'
                           for name in IMAGES)  # fmt: skip
            body, kind = f"<html><body><ul>{rows}</ul></body></html>".encode(), "text/html; charset=utf-8"
        elif path.startswith("/img/") and path[5:-4] in IMAGES:
            body, kind = IMAGES[path[5:-4]], "image/png"
        else:
            body, kind = b"no", "text/plain"
        self.send_response(200 if kind != "text/plain" else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def shop() -> Iterator[str]:
    IMAGES.update({"huge": _photo(6300, 1), "small1": _photo(630, 2), "small2": _photo(126, 3)})
    assert 0.99 * MAX_PIXELS < 6300 * 6300 <= MAX_PIXELS
    with serve(Shop) as url:
        yield url


def test_the_reactor_keeps_ticking_while_an_image_at_the_pixel_cap_is_hashed(shop: str, tmp_path: Path) -> None:
    profile = tmp_path / "big-images.yaml"
    profile.write_text(PROFILE, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update({"NETSWORD_PATHS_VAR_DIR": str(tmp_path), "PYTHONPATH": f"{REPO}{os.pathsep}{HERE}"})
    extra = {"NETSWORD_IMAGE_HASHES": 1, "EXTENSIONS": {"reactor_ticks.ReactorTicks": 0}}
    payload = json.dumps({"profile": str(profile), "base_url": shop, "keywords": ["耐克"], "max_pages": 1,
                          "evidence": False, "extra": extra})  # fmt: skip
    proc = subprocess.run([sys.executable, str(HERE / "crawl_child.py"), payload], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=150, check=False)  # noqa: S603 - our own crawl helper  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if line.startswith("STATS ")]
    assert proc.returncode == 0 and lines, proc.stderr[-3000:]
    stats = json.loads(lines[-1][6:])

    hashes = stats["test/hashes"]
    assert len(hashes) == len(IMAGES) and not any(on_reactor for *_, on_reactor in hashes), hashes
    seconds, ticks, longest_still, _ = max(hashes)  # the image at the cap
    assert seconds > 0.3, hashes  # long enough to tell: about 1.2 s on an idle machine
    # on the reactor's thread there would be no tick at all and the reactor still for all of `seconds`
    assert ticks >= 3 and longest_still < seconds / 2, hashes
    assert stats["test/hash_threads_alive"] == [], stats["test/hash_threads_alive"]  # stopped when the spider closed

    assert stats["netsword/images_hashed"] == len(IMAGES) and "netsword/images_failed" not in stats, stats
    assert stats["crawl"]["status"] == "complete" and stats["netsword/listings_stored"] == len(IMAGES)
    assert all(HITS[f"/img/{name}.png"] == 1 for name in IMAGES), HITS
    with open_store_from_config(load_config(None, env={"NETSWORD_PATHS_VAR_DIR": str(tmp_path)})) as store:
        stored = [(lead.listing_id, lead.listing.get("image_hashes")) for lead in store.iter_leads(LeadQuery())]
    assert {listing_id for listing_id, _ in stored} == set(IMAGES), stored
    for name, image_hashes in stored:  # the same hash as phash_of on the reactor's thread gave before
        assert image_hashes == [{"url": f"{shop}/img/{name}.png", "phash": phash_of(IMAGES[name], "image/png")}]
