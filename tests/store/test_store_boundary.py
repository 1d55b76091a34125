"""No code outside leads/store/ works around the LeadStore interface (docs/architecture.md: "an interface is
complete or it is not an interface"): read from the source, with the AST.

Outside the store package, no module may
- run SQL that names the store's tables (`leads`, `leads_fts`, `lead_status_history`);
- probe a store with getattr/hasattr, or name a backend's private parts (`store.conn`, `store.path`, `store._lock`,
  `store.client`, …) — what a caller needs belongs in LeadStore and in the shared contract suite;
- derive a file path from the lead store's URL and open SQLite (sqlite3, netsword.sqlite_db) — that is opening
  the leads database itself — except the modules listed in SHARES_THE_FILE, which keep their *own* tables in it by
  design (the SQL check above still holds for them).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "tests", ".git", "var", "build", "node_modules"}
STORE_PACKAGE = REPO / "leads" / "store"
STORE_TABLES = ("leads", "leads_fts", "lead_status_history")
_SQL_ON_STORE = re.compile(
    r"\b(?:SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b.*?\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ON)\s+"
    rf"(?:{'|'.join(STORE_TABLES)})\b",
    re.IGNORECASE | re.DOTALL,
)
_STORE_NAME = re.compile(r"(?:^|_)store$")  # store, lead_store, self.store, st.store, sink.store
# what lets a caller read or write a backend's data past LeadStore: its connection, client, file (and any `_name`)
PRIVATE_PARTS = {"conn", "path", "client"}
SHARES_THE_FILE = {
    "alerts/outbox.py": "the alert outbox's own tables live in the lead store's SQLite file",
    "parcels/db.py": "the parcel tables live in the lead store's SQLite file unless parcels.db_path is set",
}


def _modules() -> Iterator[Path]:
    for path in sorted(REPO.rglob("*.py")):
        parts = path.relative_to(REPO).parts
        if parts[0] in SKIPPED or path.is_relative_to(STORE_PACKAGE):
            continue
        yield path


def _looks_like_store(node: ast.AST) -> bool:
    if isinstance(node, ast.Name):
        return bool(_STORE_NAME.search(node.id))
    if isinstance(node, ast.Attribute):
        return bool(_STORE_NAME.search(node.attr))
    return False


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):  # an f-string: its fixed parts joined, the holes as placeholders
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, str(text)


def problems_of(source: str, name: str) -> list[str]:
    """What in `source` (the module at `name`, relative to the repository) works around the store interface."""
    tree = ast.parse(source, filename=name)
    found = [f"{name}:{line}: SQL on the lead store's tables" for line, text in _strings(tree)
             if _SQL_ON_STORE.search(text)]  # fmt: skip
    reads_store_url = strips_sqlite_prefix = opens_sqlite = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr"):
            if node.args and _looks_like_store(node.args[0]):
                found.append(f"{name}:{node.lineno}: {node.func.id}() on a lead store")
        elif isinstance(node, ast.Attribute) and _looks_like_store(node.value):
            if node.attr in PRIVATE_PARTS or (node.attr.startswith("_") and not node.attr.startswith("__")):
                found.append(f"{name}:{node.lineno}: reaches into a lead store ({ast.unparse(node)})")
        if isinstance(node, ast.Attribute) and node.attr == "store_url":
            reads_store_url = True
        if isinstance(node, ast.Import):
            opens_sqlite |= any(alias.name in ("sqlite3", "netsword.sqlite_db") for alias in node.names)
        if isinstance(node, ast.ImportFrom):
            opens_sqlite |= node.module in ("sqlite3", "netsword.sqlite_db")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "removeprefix":
            strips_sqlite_prefix |= any(isinstance(a, ast.Constant) and a.value == "sqlite:///" for a in node.args)
    if reads_store_url and strips_sqlite_prefix and opens_sqlite and name not in SHARES_THE_FILE:
        found.append(f"{name}: opens the lead store's SQLite file itself (open it with leads.store.open_store)")
    return list(dict.fromkeys(found))  # an f-string and its fixed parts are one finding


def test_nothing_outside_the_store_package_works_around_the_interface() -> None:
    problems = [
        problem
        for path in _modules()
        for problem in problems_of(path.read_text(encoding="utf-8"), path.relative_to(REPO).as_posix())
    ]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("conn.execute('SELECT status, count(*) FROM leads GROUP BY status')", "SQL on the lead store's tables"),
        ("sql = f'SELECT * FROM lead_status_history h JOIN leads l ON l.lead_id = h.lead_id WHERE {w}'", "SQL on"),
        ("history = getattr(store, 'status_history', None)", "getattr() on a lead store"),
        ("ok = hasattr(self.store, 'dashboard_counts')", "hasattr() on a lead store"),
        ("with store.conn:\n    store.conn.executemany(sql, rows)", "reaches into a lead store (store.conn)"),
        ("url = f'sqlite:///{st.store.path}'", "reaches into a lead store (st.store.path)"),
        ("import sqlite3\nc = sqlite3.connect(cfg.store_url.removeprefix('sqlite:///'))", "opens the lead store's"),
    ],
)
def test_the_check_catches_each_workaround(source: str, expected: str) -> None:
    problems = problems_of(source, "triage/example.py")
    assert any(expected in p for p in problems), problems


def test_the_check_leaves_honest_code_alone() -> None:
    honest = (
        "from leads.store import DashboardQuery\n"
        "figures = st.store.dashboard(DashboardQuery(since='2024-05-01'))\n"
        "history = store.status_history(lead_id)\n"
        "user = getattr(request.state, 'user', None)\n"
        "mode = loose_mode(Path(cfg.store_url.removeprefix('sqlite:///')))\n"  # a path, not a connection
        '"""Leads from parcel manifests are left out; select the leads you need."""\n'
    )
    assert problems_of(honest, "triage/example.py") == []
