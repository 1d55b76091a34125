"""The loader's quick checks for common values (plain strings, lists of strings, lists of class numbers) give what the
generic checks give, and hand anything else to them: same values, same problems."""

import json
from pathlib import Path

import pytest

from watchlists import WatchlistError, load_watchlists


def _load(tmp_path: Path, entry: dict[str, object]) -> object:
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": 1, "trademarks": [entry]}, ensure_ascii=False), encoding="utf-8")
    return load_watchlists([path]).trademarks[0]


def test_values_are_stripped_and_classes_read_either_way(tmp_path: Path) -> None:
    tm = _load(tmp_path, {"id": " tm-a\n", "mark": "  ACME ", "variants": [" 艾克米", "Acme\t"], "classes": [25, 18],
                          "authorized_sellers": "ACME官方旗舰店 ", "owner": 7})  # fmt: skip
    assert (tm.id, tm.mark, tm.variants, tm.classes) == ("tm-a", "ACME", ("艾克米", "Acme"), (25, 18))
    assert tm.authorized_sellers == ("ACME官方旗舰店",) and tm.owner == "7"
    assert _load(tmp_path, {"id": "tm-b", "mark": "B", "classes": 9}).classes == (9,)
    assert _load(tmp_path, {"id": "tm-c", "mark": "C", "classes": ["9", 25]}).classes == (9, 25)


def test_entries_share_equal_classes_and_prices(tmp_path: Path) -> None:
    entries = [{"id": f"tm-{i}", "mark": f"MARK{i}", "classes": [25], "msrp": {"min": 199}} for i in range(3)]
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": 1, "trademarks": entries}), encoding="utf-8")
    marks = load_watchlists([path]).trademarks
    assert marks[0].classes is marks[2].classes and marks[0].msrp is marks[2].msrp
    assert marks[0].msrp is not None and (marks[0].msrp.min, marks[0].msrp.currency) == (199.0, "CNY")


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("id", "Tm A", "id: 'Tm A' must use only a-z 0-9 . _ : -"),
        ("id", "  ", "id: must not be empty"),
        ("mark", "   ", "mark: must not be empty"),
        ("mark", True, "mark: must be text, got bool"),
        ("variants", ["ok", " "], "variants: must not be empty"),
        ("variants", ["ok", None], "variants: must be text, got NoneType"),
        ("variants", {"a": 1}, "variants: must be a list, got dict"),
        ("classes", [25, 0], "classes: Nice class must be 1–45, got 0"),
        ("classes", [True], "classes: Nice class must be a whole number 1–45, got True"),
        ("classes", [2.5], "classes: Nice class must be a whole number 1–45, got 2.5"),
    ],
)
def test_problems_are_named_as_before(tmp_path: Path, field: str, value: object, expected: str) -> None:
    entry: dict[str, object] = {"id": "tm-a", "mark": "ACME", field: value}
    with pytest.raises(WatchlistError) as err:
        _load(tmp_path, entry)
    assert expected in str(err.value)
