"""`netsword alerts preview|send|digest|status|check` end to end on a temp store, with .eml output (no SMTP host)."""

from __future__ import annotations

from alerts import AlertQueuer, load_rules
from leads.sink import LeadSink
from leads.store.sqlite import SqliteLeadStore
from netsword.config import load_config

RULES = """\
recipients:
  - {address: en@example.com, language: en}
rules:
  - {id: now, to: [en@example.com], entries: [tm-nike], min_score: 60}
  - {id: daily, to: [boss@example.com], min_score: 50, digest: daily, at: "09:15"}
  - {id: hourly, to: [hour@example.com], min_score: 50, digest: hourly}
"""


def test_preview_send_digest_status(isolated, cli, capsys, watchlist, new_lead, monkeypatch):
    (isolated / "rules.yaml").write_text(RULES, encoding="utf-8")
    monkeypatch.setenv("NETSWORD_ALERTS_RULES_FILE", str(isolated / "rules.yaml"))
    config = load_config()
    with SqliteLeadStore(isolated / "var" / "netsword.db") as store:
        queuer = AlertQueuer(config, watchlist, load_rules(isolated / "rules.yaml"))
        for i in range(2):
            lead = new_lead(f"tb-{i}", 85 - i)
            LeadSink(store, [queuer]).write([lead])
        queuer.close()
    outbox_dir = isolated / "var" / "outbox"

    assert cli(["alerts", "check"]) == 0
    assert "daily: score ≥ 50, daily digest at 09:15 → boss@example.com" in capsys.readouterr().out

    assert cli(["alerts", "preview", "--out", str(isolated / "preview")]) == 0
    out, err = capsys.readouterr()
    assert "Subject: [NetSword] 2 new high-risk leads: NIKE on taobao" in out
    assert "Subject: [NetSword] 每日汇总：2 条线索：NIKE（taobao）" in out
    assert "Subject: [NetSword] 每小时汇总：2 条线索：NIKE（taobao）" in out
    assert "3 messages would be sent; nothing was sent" in err
    assert len(list((isolated / "preview").glob("*.eml"))) == 3
    assert not outbox_dir.exists()

    assert cli(["alerts", "preview", "--from-store", "--html"]) == 0
    assert '<bdi dir="auto">耐克 Air Max 270' in capsys.readouterr().out

    assert cli(["alerts", "send"]) == 0
    assert "composed 1 messages" in capsys.readouterr().err
    assert len(list(outbox_dir.glob("*.eml"))) == 1
    assert cli(["alerts", "send"]) == 0  # nothing new: nothing written twice
    assert len(list(outbox_dir.glob("*.eml"))) == 1

    assert cli(["alerts", "digest", "--period", "daily", "--at", "08:00"]) == 0  # no rule due at 08:00
    assert len(list(outbox_dir.glob("*.eml"))) == 1
    assert cli(["alerts", "digest", "--period", "daily", "--at", "09:15"]) == 0
    assert cli(["alerts", "digest", "--period", "hourly"]) == 0
    capsys.readouterr()
    assert len(list(outbox_dir.glob("*.eml"))) == 3

    assert cli(["alerts", "status"]) == 0
    out = capsys.readouterr().out
    assert "messages: pending 0, sent 3, failed 0" in out
    assert "alerts waiting for a message: none" in out
    assert "next daily digest at 09:15: " in out and "+08:00" in out

    assert cli(["alerts", "digest", "--period", "daily", "--at", "9am"]) == 2
    assert "--at: must be a local time HH:MM" in capsys.readouterr().err
