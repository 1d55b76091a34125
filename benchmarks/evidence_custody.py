"""What the chain of custody costs a capture, and how fast the custody log and trusted timestamps are checked.

    python benchmarks/evidence_custody.py [--captures N] [--repeat N]

Writes N captures (a 30 KB page and a 200 KB screenshot each) into a fresh keyed store twice in the same run: once
as shipped (each capture appends its `captured` custody event) and once with that append switched off (the
baseline), alternating `--repeat` times, and prints captures/s for both and the median ratio. Then times
`verify()` of the custody log (N events) and, against a TSA of our own on 127.0.0.1 (tests/evidence/tsa.py), the
stamping of the first 200 captures and the re-check of their tokens.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "evidence"))

from tsa import TsaServer, make_pki  # noqa: E402

from evidence import Blob, EvidenceStore  # noqa: E402
from evidence.custody import custody_of  # noqa: E402
from evidence.ledger import Ledger  # noqa: E402
from evidence.timestamps import TimestampBook, TsaSettings, check_tokens, stamp_pending  # noqa: E402

KEY = b"benchmark-evidence-key-0123456789"


def write(root: Path, n: int, *, custody: bool) -> float:
    original = Ledger._log_captured
    if not custody:
        Ledger._log_captured = lambda self, capture_id: None  # type: ignore[method-assign]
    try:
        store = EvidenceStore(root, key=KEY)
        page, shot = os.urandom(30_000), os.urandom(200_000)
        start = time.perf_counter()
        for i in range(n):
            store.add(blobs=[Blob("page", page + str(i).encode(), "text/html"),
                             Blob("screenshot", shot + str(i).encode(), "image/png")],
                      platform="bench", listing_id=f"l{i}", url=f"https://shop.example.com/item/{i}",
                      profile="bench")  # fmt: skip
        elapsed = time.perf_counter() - start
        store.close()
        return n / elapsed
    finally:
        Ledger._log_captured = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--captures", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ratios = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            base = write(Path(tmp) / f"base{r}", args.captures, custody=False)
            shipped = write(Path(tmp) / f"custody{r}", args.captures, custody=True)
            ratios.append(shipped / base)
            print(f"run {r + 1}: baseline {base:.1f} captures/s, with custody {shipped:.1f} captures/s "
                  f"(ratio {shipped / base:.3f})")  # fmt: skip
        print(f"median ratio with custody / baseline: {statistics.median(ratios):.3f}")
        store = EvidenceStore(Path(tmp) / f"custody{args.repeat - 1}", key=KEY)
        log = custody_of(store)
        start = time.perf_counter()
        events, problems = log.verify()
        print(f"custody verify: {events} events in {time.perf_counter() - start:.3f} s, {len(problems)} problems")
        log.close()
        pki = make_pki("Bench")
        server = TsaServer(pki)
        try:
            book_limit = min(200, args.captures)
            book = TimestampBook(store.root)
            for row in list(store.ledger.captures())[book_limit:]:
                book.enqueue(row.capture_id, row.manifest_sha256)
                book.refuse(row.capture_id, "benchmark: left out")
            book.close()
            start = time.perf_counter()
            report = stamp_pending(store, TsaSettings((server.url,), (pki.ca,), 10.0, 60.0))
            stamp_s = time.perf_counter() - start
            start = time.perf_counter()
            checked = check_tokens(store, (pki.ca,))
            check_s = time.perf_counter() - start
        finally:
            server.stop()
        print(f"timestamps: {report.stamped} stamped in {stamp_s:.2f} s ({report.stamped / stamp_s:.1f}/s, local TSA); "
              f"{checked.tokens} re-checked in {check_s:.2f} s, {len(checked.problems)} problems")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
