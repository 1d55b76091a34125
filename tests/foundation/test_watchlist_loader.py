"""Every watchlist error a user can cause, with its file:line: field message; a bad file loads nothing."""

from pathlib import Path

import pytest

from watchlists import WatchlistError, load_watchlists

SAMPLES = Path(__file__).resolve().parents[2] / "watchlists" / "samples"

GOOD_TM = """version: 1
trademarks:
  - id: tm-nike
    mark: NIKE
    variants: [耐克]
    classes: [25, 18]
    valid_until: 2031-06-30
    msrp: {min: 499, currency: CNY}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_samples_load_and_are_big_enough() -> None:
    watchlist = load_watchlists(sorted(SAMPLES.glob("*.yaml")))
    assert len(watchlist.trademarks) >= 100
    assert all(tm.classes for tm in watchlist.trademarks)
    assert (
        sum(1 for tm in watchlist.trademarks if any("\u4e00" <= c <= "\u9fff" for v in tm.variants for c in v)) >= 100
    )
    assert len(watchlist.patents) >= 3 and len(watchlist.geographical_indications) >= 3
    nike = watchlist.get("tm-nike")
    assert nike is not None and "耐克" in nike.forms


def test_good_file_loads(tmp_path: Path) -> None:
    watchlist = load_watchlists([write(tmp_path, "a.yaml", GOOD_TM)])
    (nike,) = watchlist.trademarks
    assert nike.classes == (25, 18) and nike.msrp is not None and nike.msrp.min == 499


def test_json_watchlists_load(tmp_path: Path) -> None:
    path = write(tmp_path, "a.json", '{"version": 1, "trademarks": [{"id": "tm-x", "mark": "XYZ", "classes": [9]}]}')
    assert load_watchlists([path]).get("tm-x") is not None


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("classes: [25, 18]", "classes: [25, 46]", ":6: trademarks[0].classes: Nice class must be 1–45, got 46"),
        ("classes: [25, 18]", "classes: [shoes]", ":6: trademarks[0].classes: Nice class must be a whole number"),
        ("valid_until: 2031-06-30", "valid_until: 2031-13-01", ":7: trademarks[0].valid_until: must be a date"),
        ("    mark: NIKE\n", "", ":3: trademarks[0]: mark is required"),
        ("    mark: NIKE", "    mark: NIKE\n    colour: red", ":5: trademarks[0].colour: unknown field"),
        ("id: tm-nike", "id: TM Nike", ":3: trademarks[0].id: 'TM Nike' must use only"),
        ("msrp: {min: 499, currency: CNY}", "msrp: {min: -1}", ":8: trademarks[0].msrp: min must be a positive"),
        ("msrp: {min: 499, currency: CNY}", "msrp: {min: 5, currency: yuan}", ":8: trademarks[0].msrp: currency"),
        ("version: 1", "version: 2", ":1: version: version must be 1"),
        ("trademarks:", "brands: []\ntrademarks:", ":2: brands: unknown section"),
        ("variants: [耐克]", "variants: {a: 1}", ":5: trademarks[0].variants: must be a list"),
        ("    mark: NIKE", "    mark: NIKE\n    mark: NIKE2", ":5: duplicate key 'mark'"),
        ("classes: [25, 18]", "classes: [25, 18", "not valid YAML/JSON"),
    ],
)
def test_trademark_errors(tmp_path: Path, replace: str, by: str, expected: str) -> None:
    assert replace in GOOD_TM
    path = write(tmp_path, "tm.yaml", GOOD_TM.replace(replace, by))
    with pytest.raises(WatchlistError) as info:
        load_watchlists([path])
    assert expected in str(info.value)
    assert str(info.value).startswith(str(path) + ":")


PATENT = """version: 1
patents:
  - id: pat-fan
    number: {number}
    kind: invention
    title: 无叶风扇
"""


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("ZL201310699744.3", "has check character 3, expected 2"),
        ("ZL201310699744", "lacks its check character (expected .2)"),
        ("ZL123", "is not a Chinese application number"),
    ],
)
def test_bad_patent_numbers(tmp_path: Path, number: str, expected: str) -> None:
    with pytest.raises(WatchlistError) as info:
        load_watchlists([write(tmp_path, "p.yaml", PATENT.format(number=number))])
    assert f":4: patents[0].number: '{number}' {expected}" in str(info.value)


def test_bad_patent_kind(tmp_path: Path) -> None:
    text = PATENT.format(number="ZL201310699744.2").replace("kind: invention", "kind: gadget")
    with pytest.raises(WatchlistError, match=r":5: patents\[0\].kind: must be one of invention"):
        load_watchlists([write(tmp_path, "p.yaml", text)])


def test_gi_needs_region(tmp_path: Path) -> None:
    text = "version: 1\ngeographical_indications:\n  - id: gi-x\n    name: 西湖龙井\n"
    with pytest.raises(WatchlistError, match=r":3: geographical_indications\[0\]: region is required"):
        load_watchlists([write(tmp_path, "g.yaml", text)])


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", GOOD_TM)
    second = write(tmp_path, "b.yaml", GOOD_TM)
    with pytest.raises(WatchlistError) as info:
        load_watchlists([first, second])
    assert f"{second}:3: id: duplicate id 'tm-nike' (also in {first}:3)" in str(info.value)


def test_duplicate_ids_within_a_file(tmp_path: Path) -> None:
    text = GOOD_TM + "  - id: tm-nike\n    mark: NIKE2\n"
    with pytest.raises(WatchlistError, match=r":9: trademarks\[1\].id: duplicate id 'tm-nike' \(first at line 3\)"):
        load_watchlists([write(tmp_path, "a.yaml", text)])


def test_a_bad_file_loads_nothing_and_all_problems_are_listed(tmp_path: Path) -> None:
    text = GOOD_TM + "  - id: tm-ok\n    mark: OK BRAND\n  - id: tm-bad\n    mark: BAD\n    classes: [99]\n"
    with pytest.raises(WatchlistError) as info:
        load_watchlists([write(tmp_path, "a.yaml", text)])
    assert len(info.value.problems) == 1  # the good entries of a bad file are not half-loaded: nothing is returned


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match="nope.yaml:0: no such file"):
        load_watchlists([tmp_path / "nope.yaml"])


def test_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(WatchlistError, match=":1: a watchlist must be a mapping"):
        load_watchlists([write(tmp_path, "a.yaml", "- 1\n- 2\n")])


def test_a_required_field_left_empty_is_reported_not_a_crash(tmp_path: Path) -> None:
    text = "version: 1\ntrademarks:\n  - id: tm-empty\n    mark:\n"
    with pytest.raises(WatchlistError, match=r":3: trademarks\[0\]: mark is required"):
        load_watchlists([write(tmp_path, "a.yaml", text)])
