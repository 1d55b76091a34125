"""An evidence anchor kept off the machine catches a ledger cut short, rewritten or replaced (issue 15, finding 10)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from evidence import EvidenceStore
from evidence.ledger import LedgerAnchor
from netsword.cli import main


def _capture(store: EvidenceStore, n: int) -> None:
    page = store.put_bytes(f"<html>listing {n}</html>".encode(), role="page", media_type="text/html")
    store.record(platform="taobao", listing_id=f"a{n}", url=f"https://taobao.example.com/item/a{n}", profile="html",
                 files=[page])  # fmt: skip


@pytest.fixture
def var(isolated: Path) -> Path:
    store = EvidenceStore.for_config(__import__("netsword.config", fromlist=["load_config"]).load_config())
    for n in range(4):
        _capture(store, n)
    store.no_capture("taobao", "a9", ["ld-1"], "robots.txt forbids it", final=True)
    store.close()
    return isolated / "var"


def _anchor(capsys) -> str:  # type: ignore[no-untyped-def]
    assert main(["evidence", "anchor"]) == 0
    return capsys.readouterr().out.splitlines()[0]  # the ledger's line (the custody log's is the second)


def _ledger_problems(anchor: str, capsys) -> list[str]:  # type: ignore[no-untyped-def]
    main(["evidence", "verify", "--anchor", anchor])
    return [line for line in capsys.readouterr().out.splitlines() if "anchor" in line]


def test_an_intact_ledger_and_one_that_grew_pass(var: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    anchor = _anchor(capsys)
    assert LedgerAnchor.parse(anchor).captures == 4 and LedgerAnchor.parse(anchor).reasons == 1
    _capture(EvidenceStore.for_config(__import__("netsword.config", fromlist=["load_config"]).load_config()), 7)
    assert _ledger_problems(anchor, capsys) == []


@pytest.mark.parametrize("tamper", ["cut", "rewrite", "replace"])
def test_a_tampered_ledger_is_caught(var: Path, capsys, tamper: str) -> None:  # type: ignore[no-untyped-def]
    anchor = _anchor(capsys)
    ledger = var / "evidence" / "ledger.db"
    if tamper == "replace":
        shutil.move(ledger, var / "ledger.old")
        for suffix in ("-wal", "-shm"):
            Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    else:
        conn = sqlite3.connect(ledger)
        if tamper == "cut":
            conn.execute("DELETE FROM captures WHERE rowid = (SELECT max(rowid) FROM captures)")
        else:
            conn.execute("UPDATE no_capture SET reason = 'captured fine' WHERE seq = 1")
        conn.commit()
        conn.close()
    problems = _ledger_problems(anchor, capsys)
    assert len(problems) == 1, problems


def test_a_bad_anchor_is_a_usage_error(var: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["evidence", "verify", "--anchor", "nonsense"]) == 2
    assert "--anchor: not an evidence anchor" in capsys.readouterr().err
