"""When to alert: new at a rule's score, rising into a higher band, back after dismissal; never twice per event."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts import AlertQueuer, Outbox, load_rules
from alerts.events import band_of

RULES = """\
version: 1
recipients:
  - {address: en@example.com, language: en}
rules:
  - id: nike-now
    to: [zh@example.com, en@example.com]
    entries: [tm-nike]
    min_score: 50
  - id: taobao-daily
    to: [digest@example.com]
    platforms: [taobao]
    min_score: 65
    digest: daily
    at: "08:30"
"""


def _queuer(tmp_path, make_config, watchlist, store):
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(RULES, encoding="utf-8")
    config = make_config()
    return AlertQueuer(config, watchlist, load_rules(rules_path)), config


def _events(outbox: Outbox) -> list[tuple[str, str, str]]:
    rows = outbox.conn.execute("SELECT recipient, rule_id, event FROM alert_items ORDER BY recipient, rule_id, event")
    return [tuple(r) for r in rows]


def test_bands():
    assert [band_of(s) for s in (0, 49, 50, 64, 65, 79, 80, 100)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_new_lead_then_band_rise_then_dismissed_comeback(tmp_path, make_config, watchlist, store, stored, new_lead):
    queuer, config = _queuer(tmp_path, make_config, watchlist, store)
    lead = new_lead("tb-1", 55)
    queuer(*stored(lead))
    outbox = queuer.outbox
    assert _events(outbox) == [("en@example.com", "nike-now", "new"), ("zh@example.com", "nike-now", "new")]
    assert outbox.path == str(tmp_path / "var" / "netsword.db")  # the store's SQLite file

    queuer(*stored(lead))  # seen again, unchanged: nothing
    queuer(*stored(lead.with_changes(score=60)))  # changed, same band: nothing
    assert len(_events(outbox)) == 2

    queuer(*stored(lead.with_changes(score=70)))  # into the 65 band; also reaches taobao-daily's 65 for the first time
    events = _events(outbox)
    assert ("zh@example.com", "nike-now", "band:65") in events
    assert ("digest@example.com", "taobao-daily", "new") in events
    assert len(events) == 5

    queuer(*stored(lead.with_changes(score=69)))  # changed, still 65 band
    queuer(*stored(lead.with_changes(score=60)))  # falls
    queuer(*stored(lead.with_changes(score=70)))  # back up to a band already told: not news again
    assert len(_events(outbox)) == 5

    store.set_status(lead.lead_id, "dismissed")
    queuer(*stored(lead.with_changes(score=70)))  # same content as stored: unchanged, no alert
    assert len(_events(outbox)) == 5
    changed = lead.with_changes(score=70, listing={**lead.listing, "price": 99.0})
    queuer(*stored(changed))
    returned = [e for e in _events(outbox) if e[2].startswith("returned:")]
    assert {r[0] for r in returned} == {"zh@example.com", "en@example.com", "digest@example.com"}
    queuer(changed, "updated")  # the same comeback reported twice: the same event, not a second alert
    assert len([e for e in _events(outbox) if e[2].startswith("returned:")]) == 3
    assert queuer.errors == 0


def test_items_carry_language_delivery_and_label(tmp_path, make_config, watchlist, store, stored, new_lead):
    queuer, _ = _queuer(tmp_path, make_config, watchlist, store)
    queuer(*stored(new_lead("tb-2", 90)))
    immediate = {item.recipient: item for item in queuer.outbox.waiting("immediate")}
    assert immediate["en@example.com"].language == "en" and immediate["zh@example.com"].language == "zh"
    assert immediate["en@example.com"].label == "NIKE"
    (daily,) = queuer.outbox.waiting("digest", ("daily",))
    assert (daily.recipient, daily.at_time) == ("digest@example.com", "08:30")


def test_below_score_or_other_entry_is_not_alerted(tmp_path, make_config, watchlist, store, stored, new_lead):
    queuer, _ = _queuer(tmp_path, make_config, watchlist, store)
    queuer(*stored(new_lead("tb-3", 49)))
    queuer(*stored(new_lead("jd-4", 60, entry="tm-audi", platform="jd")))
    assert _events(queuer.outbox) == []


def test_listener_never_raises_and_counts_errors(tmp_path, make_config, watchlist, store, stored, new_lead):
    queuer, _ = _queuer(tmp_path, make_config, watchlist, store)
    queuer.outbox.conn.execute("DROP TABLE alert_items")  # break the outbox under the pipeline's feet
    queuer(*stored(new_lead("tb-5", 90)))
    assert queuer.errors == 1 and queuer.seen == 1


def test_restart_does_not_realert(tmp_path, make_config, watchlist, store, stored, new_lead):
    queuer, config = _queuer(tmp_path, make_config, watchlist, store)
    lead = new_lead("tb-6", 82)
    queuer(*stored(lead))
    queuer.close()
    again, _ = _queuer(tmp_path, make_config, watchlist, store)
    again(lead, "created")  # e.g. a re-import that reports the lead as created once more
    with Outbox.for_config(config) as outbox:
        assert len(_events(outbox)) == 3


def test_queueing_is_cheap(tmp_path, make_config, watchlist, store, new_lead):
    queuer, _ = _queuer(tmp_path, make_config, watchlist, store)
    leads = [new_lead(f"tb-{i}", 50 + i % 50) for i in range(300)]
    start = datetime.now(UTC)
    for lead in leads:
        queuer(lead, "created")
    for lead in leads:
        queuer(lead, "unchanged")
    elapsed = (datetime.now(UTC) - start).total_seconds()
    assert queuer.queued > 300 and queuer.errors == 0
    assert elapsed < 10, elapsed  # generous for a shared 2-core machine; typically well under a second
