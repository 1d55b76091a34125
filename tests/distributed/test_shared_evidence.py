"""Workers on several machines keep evidence in one shared, content-addressed directory: two processes writing
captures of the same bytes at the same time leave one file per content, every capture whole and verifiable.

Nothing is made first: both processes create the fresh ledger.db at once (netsword.sqlite_db.create_whole)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from evidence.store import EvidenceStore

KEY = b"k" * 32
PAGE = "<html><body>同一个页面 the same page</body></html>".encode() * 200
KEEP = """
import sys
from evidence.store import Blob, EvidenceStore
root, worker = sys.argv[1], sys.argv[2]
page = "<html><body>同一个页面 the same page</body></html>".encode() * 200
store = EvidenceStore(root, key=b"k" * 32)
for n in range(25):
    capture = store.add(blobs=[Blob("response", page, "text/html", "http://127.0.0.1/item/1")], platform="demo",
                        listing_id=f"item-{n % 5}", url="http://127.0.0.1/item/1", profile=f"worker-{worker}")
    print(capture.capture_id)
store.close()
"""


def test_two_workers_keeping_the_same_page_at_once(tmp_path: Path) -> None:
    root = tmp_path / "evidence"
    repo = Path(__file__).resolve().parents[2]
    procs = [subprocess.Popen([sys.executable, "-c", KEEP, str(root), str(n)], cwd=repo, stdout=subprocess.PIPE,
                              text=True) for n in (1, 2)]  # fmt: skip
    ids = [line for proc in procs for line in proc.communicate(timeout=120)[0].split()]
    assert [proc.returncode for proc in procs] == [0, 0] and len(set(ids)) == 50
    store = EvidenceStore(root, key=KEY)
    try:
        report = store.verify()
        assert report.problems == [] and report.captures == 50
        digests = {f.sha256 for cid in ids for f in store.get(cid).files}  # type: ignore[union-attr]
        assert len(digests) == 1 and store.read(digests.pop()) == PAGE
        assert not list(root.rglob(".tmp-*")) and not list(root.glob(".ledger.db.new-*"))  # no temporary file left
    finally:
        store.close()
