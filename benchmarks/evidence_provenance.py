"""What evidence provenance and web archives cost a crawl: the demo marketplace's API and feed styles crawled with
evidence as the bundled profiles say (each lead's listing page opened once in Chromium and kept as its own capture,
every capture with its WARC records) against the same profiles without `listing_page` (the baseline: the answer
that carried the listing only, with its WARC too), in the same run, on the same marketplace.

Measured 2026-11-30 on the shared 2-core machine (load average about 10), keywords 耐克 and NIKE, 2 pages:
demo-api 9.4 s -> 14.0 s (7 leads, 7 listing pages, evidence 0.1 -> 1.1 MB), demo-feed 22.6 s -> 126.3 s (265
leads, 255 listing pages, evidence 1.2 -> 13.6 MB): 0.41-0.67 s per listing page opened in Chromium (one evidence
page, serialised; three pages in parallel measured 1.4x faster on this machine, not worth the extra browser pages).

    python benchmarks/evidence_provenance.py [--styles demo-api,demo-feed]

For each style and variant it prints the crawl's wall time, leads, captures, screenshots, the evidence directory's
size, and the time per listing page opened.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from demo.server import DemoMarket  # noqa: E402


def crawl(profile: Path, base_url: str, var: Path) -> tuple[float, dict[str, int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(var), PYTHONPATH=str(REPO))
    stats = var / "stats.json"
    start = time.perf_counter()
    command = [
        sys.executable,
        "-c",
        "from netsword.cli import run; run()",
        "crawl",
        str(profile),
        "--base-url",
        base_url,
    ]
    subprocess.run([*command,  # noqa: S603
                    "--keyword", "耐克", "--keyword", "NIKE", "--max-pages", "2", "--no-alerts",
                    "--stats-json", str(stats)], env=env, cwd=var, check=False, capture_output=True)  # fmt: skip
    wall = time.perf_counter() - start
    import json

    figures = json.loads(stats.read_text(encoding="utf-8")) if stats.exists() else {}
    keys = ("netsword/leads_created", "netsword/evidence_captures", "netsword/evidence_screenshots")
    out = {k.split("/")[1]: int(figures.get(k, 0)) for k in keys}
    out["bytes"] = sum(f.stat().st_size for f in (var / "evidence").rglob("*") if f.is_file())
    return wall, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--styles", default="demo-api,demo-feed")
    args = parser.parse_args()
    market = DemoMarket(port=0, seed=11, rate_limit=None, fault_rate=0.0, slow_rate=0.0)
    base_url = market.start()
    try:
        with tempfile.TemporaryDirectory(prefix="netsword-bench-") as tmp:
            for style in args.styles.split(","):
                bundled = REPO / "crawler" / "profiles" / f"{style}.yaml"
                plain = Path(tmp) / f"{style}-no-listing-page.yaml"
                plain.write_text(re.sub(r"(?m)^listing_page:.*\n", "", bundled.read_text(encoding="utf-8")), "utf-8")
                rows: list[tuple[str, float, dict[str, int]]] = []
                for label, profile in (("no listing_page (baseline)", plain), ("listing pages opened", bundled)):
                    var = Path(tmp) / f"{style}-{len(rows)}"
                    var.mkdir()
                    wall, figures = crawl(profile, base_url, var)
                    rows.append((label, wall, figures))
                    print(f"{style:10s} {label:28s} {wall:6.1f} s  leads {figures['leads_created']:4d}  captures "
                          f"{figures['evidence_captures']:4d}  screenshots {figures['evidence_screenshots']:4d}  "
                          f"evidence {figures['bytes'] / 1e6:6.1f} MB", flush=True)  # fmt: skip
                (_, base_wall, _), (_, wall, figures) = rows
                pages = figures["evidence_screenshots"] - rows[0][2]["evidence_screenshots"]
                if pages > 0:
                    print(f"{style:10s} {'cost per listing page opened':28s} {(wall - base_wall) / pages:6.2f} s")
    finally:
        market.stop()


if __name__ == "__main__":
    main()
