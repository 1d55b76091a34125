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
