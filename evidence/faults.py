"""A write fault for tests of full disks and killed captures, driven by the environment of the process that writes.

NETSWORD_TEST_EVIDENCE_FAULT="ENOSPC:/tmp/flag" makes every evidence file write (objects, manifests, the listing
index; not the ledger) fail with that errno while /tmp/flag exists, so a test can fill the "disk" in the middle of a
real crawl and give the space back by removing the flag; any errno name works (EACCES, EROFS, EDQUOT).
"hang:/tmp/flag" blocks the writer while the flag exists, so a test can kill a crawl after its leads were stored and
before their evidence was. Unset (always, outside tests): nothing happens. Read on every write: no restart needed.
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

FAULT_ENV = "NETSWORD_TEST_EVIDENCE_FAULT"


def before_write(path: Path) -> None:
    """Raise (or block) as NETSWORD_TEST_EVIDENCE_FAULT says, while its flag file exists."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec:
        return
    kind, _, flag = spec.partition(":")
    if flag and not os.path.exists(flag):
        return
    if kind == "hang":
        while not flag or os.path.exists(flag):
            time.sleep(0.05)
        return
    code = getattr(errno, kind, None)
    if not isinstance(code, int):
        raise ValueError(f"{FAULT_ENV}: {kind!r} is no errno name")
    raise OSError(code, os.strerror(code), str(path))
