"""matchers.adjustments: the deployment file of what dismissals taught (add, undo, list, bad lines), and applying
it to hits as data (the matchers layer reads no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchers import adjustments
from netsword.models import Hit, Listing, Reason


def _listing(title: str, seller: str) -> Listing:
    return Listing.from_dict({"id": "1", "platform": "t", "url": "u", "title": title,
                              "seller": {"id": "", "name": seller}})  # fmt: skip


def test_add_is_not_doubled_undo_is_recorded_and_load_keeps_only_active(tmp_path: Path) -> None:
    path = adjustments.path_in(tmp_path)
    made = adjustments.add(path, "accessory_term", "tm-a", ["替换装", " 替换装 ", "适配"], lead_id="ld-1", actor="ann")
    assert [(a.id, a.value) for a in made] == [(1, "替换装"), (2, "适配")]
    assert adjustments.add(path, "accessory_term", "tm-a", ["替换装"], lead_id="ld-2", actor="bob") == []
    assert adjustments.undo(path, 1, actor="sue").value == "替换装"
    with pytest.raises(adjustments.AdjustmentError, match="already undone by sue"):
        adjustments.undo(path, 1, actor="sue")
    with pytest.raises(adjustments.AdjustmentError, match="adjustment 9: no such adjustment"):
        adjustments.undo(path, 9, actor="sue")
    assert [a.value for a in adjustments.load(path).items] == ["适配"]
    assert [x.undone_by for x in adjustments.listed(path)] == ["sue", ""]
    # undone, it may be recorded again, under a new number
    assert [a.id for a in adjustments.add(path, "accessory_term", "tm-a", ["替换装"], lead_id="l", actor="a")] == [3]


def test_a_bad_line_names_the_file_and_line(tmp_path: Path) -> None:
    path = adjustments.path_in(tmp_path)
    adjustments.add(path, "resale_term", "tm-a", ["闲置"], lead_id="l", actor="a")
    with path.open("a") as fh:
        fh.write('{"op": "add", "id": 2, "kind": "bogus", "entry_id": "tm-a", "value": "x"}\n')
    with pytest.raises(adjustments.AdjustmentError, match=r"adjustments\.jsonl:2: kind/entry_id/value"):
        adjustments.load(path)
    with pytest.raises(adjustments.AdjustmentError, match="kind: 'nope'"):
        adjustments.add(path, "nope", "tm-a", ["x"], lead_id="l", actor="a")


def test_apply_drops_scores_down_and_says_why() -> None:
    adj = adjustments.Adjustments((
        adjustments.Adjustment(1, "authorised_seller", "tm-a", "Acme 旗舰店", "ld-1", "ann"),
        adjustments.Adjustment(2, "resale_term", "tm-a", "自用闲置", "ld-2", "ann"),
        adjustments.Adjustment(3, "not_this_mark", "tm-a", "Acmé", "ld-3", "ann"),
    ))  # fmt: skip
    plain = Hit("tm-a", "trademark", 70.0, "ACME", (Reason("exact_mark", "x"),))
    cue = Hit("tm-a", "trademark", 90.0, "ACME", (Reason("exact_mark", "x"), Reason("cue_word", "“高仿”")))
    other_entry = Hit("tm-b", "trademark", 70.0, "ACME", (Reason("exact_mark", "x"),))
    assert adj.apply([plain, other_entry], _listing("ACME 鞋", "acme旗舰店")) == [other_entry]  # folded, spaces out
    (kept,) = adj.apply([cue], _listing("ACME 鞋", "Acme 旗舰店"))
    assert kept.score == 90.0 and "adjustment 1" in kept.reasons[-1].detail
    (resold,) = adj.apply([plain], _listing("ACME 鞋 自用 闲置", "someone"))
    assert resold.score == 70.0 - adjustments.PENALTY["resale_term"] and resold.reasons[-1].code == "private_resale"
    other_form = Hit("tm-a", "trademark", 70.0, "acmé", (Reason("typo", "x"),))
    assert adj.apply([other_form, plain], _listing("acmé ACME", "someone")) == [plain]
    assert adjustments.Adjustments().apply([plain], _listing("x", "y")) == [plain]
