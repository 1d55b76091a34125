"""Several processes opening one new evidence directory at the same moment, each writing captures at once.

Two processes that both created a fresh `ledger.db` used to lose ledger rows without an error (4-11 of 50 captures
in about half of the attempts: two `netsword worker`s starting on one new evidence directory); their captures then
failed `verify()`. Every capture's row must be there and `verify()` clean, every time.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path

from evidence.store import Blob, EvidenceStore

PROCESSES = 4
CAPTURES = 12  # each
ATTEMPTS = 5
KEY = b"k" * 32


def _write(root: str, worker: int, start: mp.synchronize.Event, out: mp.Queue) -> None:
    start.wait(30)
    store = EvidenceStore(root, key=KEY)  # nothing opened until the first capture: all of them create the ledger
    ids, errors = [], []
    try:
        for n in range(CAPTURES):
            try:
                capture = store.add(blobs=[Blob("page", f"<p>{worker}-{n}</p>".encode(), "text/html")],
                                    platform="demo", listing_id=f"{worker}-{n}", url=f"http://127.0.0.1/{n}",
                                    profile="demo")  # fmt: skip
                ids.append(capture.capture_id)
            except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
                errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        store.close()
    out.put((ids, errors))


def test_processes_opening_a_new_evidence_dir_at_once_keep_every_ledger_row(tmp_path: Path) -> None:
    ctx = mp.get_context("fork")
    for attempt in range(ATTEMPTS):
        root = tmp_path / f"evidence-{attempt}"
        start, out = ctx.Event(), ctx.Queue()
        procs = [ctx.Process(target=_write, args=(str(root), w, start, out)) for w in range(PROCESSES)]
        for proc in procs:
            proc.start()
        time.sleep(0.2)  # every process waiting on the same signal
        start.set()
        results = [out.get(timeout=60) for _ in procs]
        for proc in procs:
            proc.join(30)
            assert proc.exitcode == 0
        ids = [i for got, _ in results for i in got]
        assert [e for _, errors in results for e in errors] == [], f"attempt {attempt}"
        assert len(ids) == PROCESSES * CAPTURES
        store = EvidenceStore(root, key=KEY)
        try:
            rows = {row.capture_id: row.state for row in store.ledger.captures()}
            lost = [i for i in ids if i not in rows]
            assert lost == [], f"attempt {attempt}: {len(lost)} of {len(ids)} captures have no ledger row"
            assert set(rows.values()) == {"written"}
            report = store.verify()
            assert report.ok, f"attempt {attempt}: {report}"
        finally:
            store.close()
