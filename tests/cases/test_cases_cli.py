"""`netsword cases networks …`: build from the configured store, list, show (text and JSON), hubs; hostile
shop names never reach the terminal as control sequences."""

from __future__ import annotations

import json
from pathlib import Path

from cases_helpers import shop_lead

from leads.store.sqlite import SqliteLeadStore
from netsword.cli import main


def test_build_list_show(isolated: Path, capsys) -> None:
    leads = [shop_lead("taobao", "a", 1, contact="13800138000", name="潮鞋\x1b[31m店"),
             shop_lead("jd", "b", 1, contact="138 0013 8000"),
             *[shop_lead("pdd", f"h{i}", 1, contact="电话 13912345678") for i in range(3)]]  # fmt: skip
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(leads)
    assert main(["cases", "networks", "build", "--hub-shops", "2"]) == 0
    out = capsys.readouterr().out
    assert "5 leads, 5 shops" in out and "1 actors linking 2 shops; 1 hub identifiers suppressed" in out
    assert main(["cases", "networks", "list"]) == 0
    listed = capsys.readouterr().out
    actor_id = listed.split()[0]
    assert actor_id.startswith("ac-") and "\x1b" not in listed
    assert main(["cases", "networks", "show", actor_id]) == 0
    shown = capsys.readouterr().out
    assert "phone:+8613800138000" in shown and leads[0].lead_id in shown and "\x1b" not in shown
    assert main(["cases", "networks", "show", actor_id, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["key"] for s in data["shops"]] == ["jd:b", "taobao:a"]
    assert main(["cases", "networks", "hubs"]) == 0
    assert "3 shops  phone:+8613912345678" in capsys.readouterr().out
    assert main(["cases", "networks", "show", "ac-nope"]) == 2
    assert "no such actor" in capsys.readouterr().err
    assert main(["cases", "networks", "build", "--hub-shops", "1"]) == 2
    capsys.readouterr()
    assert main(["cases", "networks", "build", "--hub-shops", "10"]) == 0  # no identifier is a hub now
    capsys.readouterr()
    assert main(["cases", "networks", "hubs"]) == 0
    assert capsys.readouterr().out.startswith("no hub identifiers")


def test_case_commands_act_as_an_account(isolated: Path, capsys, monkeypatch) -> None:
    import io

    password = "correct horse battery"
    for name, role in (("wang", "investigator"), ("li", "supervisor")):
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        assert main(["users", "add", name, "--role", role, "--password-stdin"]) == 0
    capsys.readouterr()

    def as_user(*argv: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
        return main([*argv, "--password-stdin"])

    assert as_user("cases", "new", "莆田团伙", "--lead", "ld-1", "--lead", "ld-2", "--user", "wang") == 0
    case_id = capsys.readouterr().out.split()[1].rstrip(":")
    assert as_user("cases", "move", case_id, "filed", "--user", "wang") == 2
    assert "supervisor's decision" in capsys.readouterr().err
    assert as_user("cases", "move", case_id, "filed", "--user", "li") == 0
    assert as_user("cases", "assign", case_id, "wang", "--user", "li") == 0
    assert as_user("cases", "assign", case_id, "nobody", "--user", "li") == 2
    assert as_user("cases", "note", case_id, "买家证言已取得", "--user", "wang") == 0
    assert as_user("cases", "deadline", case_id, "2026-12-31", "--user", "wang") == 0
    assert as_user("cases", "add-leads", case_id, "ld-3", "--user", "wang") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong password\n"))
    assert main(["cases", "note", case_id, "x", "--user", "wang", "--password-stdin"]) == 2
    capsys.readouterr()
    assert main(["cases", "show", case_id, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "filed" and shown["assignee"] == "wang" and shown["leads"] == ["ld-1", "ld-2", "ld-3"]
    assert shown["notes"][0]["text"] == "买家证言已取得" and shown["history"][0]["by"] == "li"
    assert main(["cases", "list", "--status", "filed"]) == 0
    assert case_id in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0


def test_case_value(isolated: Path, capsys, monkeypatch) -> None:
    import io

    leads = [
        shop_lead("taobao", "a", 1, price=299.0, sales=120, stock=500),
        shop_lead("jd", "b", 1, price=None, sales=10),
    ]
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        store.upsert_many(leads)
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["users", "add", "wang", "--role", "investigator", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    argv = ["cases", "new", "x", "--lead", leads[0].lead_id, "--lead", leads[1].lead_id, "--user", "wang"]
    assert main([*argv, "--password-stdin"]) == 0
    case_id = capsys.readouterr().out.split("opened ")[1].split(":")[0]
    assert main(["cases", "value", case_id, "--as-of", "2026-01-01"]) == 0
    out = capsys.readouterr().out
    assert "非法经营数额 ¥185,380.00" in out and "referral candidate" in out and "NOT checked" not in out
    assert "checked 2026-11-30 against 5 copies of the official text" in out and "checked against: " in out
    assert "[第五条第一款" in out  # each test names the article giving its figure
    assert main(["cases", "value", case_id, "--json", "--market-price", "tm-nike=500", "--as-of", "2026-01-01"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["inputs"]["sales"] == 35880.0 + 5000.0 and data["thresholds"]["version"] == "2025"
    assert data["thresholds"]["checked"] and data["thresholds"]["checked_against"][0]["url"].startswith("https://")
    assert main(["cases", "value", case_id, "--as-of", "2024-01-01"]) == 0
    assert "NOT checked against the official text" in capsys.readouterr().out  # Amendment XI: no figures of its own
    assert main(["cases", "value", case_id, "--as-of", "1999-01-01"]) == 2
    assert main(["cases", "value", case_id, "--market-price", "oops"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    out_file = isolated / "pkg.zip"
    assert main(["cases", "package", case_id, "--out", str(out_file), "--user", "wang", "--password-stdin"]) == 0
    assert out_file.read_bytes()[:2] == b"PK" and "SHA-256" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
