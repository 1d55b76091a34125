"""Large watchlists: the fast loading path keeps file:line errors, registers import in bulk, the compiled index is
cached and a changed file is never served from the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matchers.configured import build_index
from netsword.config import load_config
from netsword.models import Listing
from watchlists import WatchlistError, load_watchlists
from watchlists.configured import sample_watchlists
from watchlists.register_import import RegisterError, import_register
from watchlists.yaml_lines import fast_load

ENTRY = {"id": "tm-a", "mark": "ALPHAMARK", "variants": ["阿尔法"], "classes": [25], "owner": "A"}


def _json_watchlist(path: Path, entries: list[dict]) -> Path:
    path.write_text('{"version": 1, "trademarks": [\n' + ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
                    + "\n]}\n", encoding="utf-8")  # fmt: skip
    return path


def test_the_fast_path_reads_the_samples_as_the_line_keeping_loader_does() -> None:
    for path in sample_watchlists():
        fast, data = fast_load(Path(path).read_text(encoding="utf-8"))
        assert fast and data["version"] == 1
    assert load_watchlists(sample_watchlists()).trademarks  # and the loader accepts what it read


def test_a_bad_entry_in_a_large_json_file_is_named_by_its_line(tmp_path: Path) -> None:
    entries = [{**ENTRY, "id": f"tm-{i}"} for i in range(50)]
    entries[30]["classes"] = [46]
    path = _json_watchlist(tmp_path / "big.json", entries)
    with pytest.raises(WatchlistError) as err:
        load_watchlists([path])
    assert str(err.value) == f"{path}:32: trademarks[30].classes: Nice class must be 1–45, got 46"


def test_duplicate_keys_and_aliases_leave_the_fast_path_and_are_still_refused(tmp_path: Path) -> None:
    assert fast_load('{"a": 1, "a": 2}') == (False, None)
    assert fast_load("a: 1\na: 2\n") == (False, None)
    assert fast_load("a: &x [1]\nb: *x\n") == (False, None)
    dup = tmp_path / "dup.yaml"
    dup.write_text("version: 1\ntrademarks:\n- id: tm-a\n  mark: A\n  mark: B\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match=r"dup.yaml:5: .*duplicate key 'mark'"):
        load_watchlists([dup])


def test_a_duplicate_id_across_fast_path_files_names_both_lines(tmp_path: Path) -> None:
    first = _json_watchlist(tmp_path / "a.json", [{**ENTRY, "id": "tm-x"}, {**ENTRY, "id": "tm-same"}])
    second = _json_watchlist(tmp_path / "b.json", [{**ENTRY, "id": "tm-same"}])
    with pytest.raises(WatchlistError) as err:
        load_watchlists([first, second])
    assert f"{second}:2: id: duplicate id 'tm-same' (also in {first}:3)" in str(err.value)


def test_a_register_imports_with_chinese_headers_and_ranges_of_validity(tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text("注册号,国际分类,商标名称,申请人,专用权期限,状态\n"
                        "16435657,45,企查查,苏州朗动网络科技有限公司,2016-05-07至2026-05-06,已注册\n"
                        "2824281,9;42,PYTHON,Python Software Foundation,2034年3月23日,registered\n", encoding="utf-8")  # fmt: skip
    result = import_register(register, tmp_path / "out.json", office="CNIPA")
    watchlist = load_watchlists([result.path])
    python = watchlist.get("tm-r2824281")
    assert result.entries == 2 and python is not None
    assert python.classes == (9, 42) and python.valid_until.isoformat() == "2034-03-23" and python.office == "CNIPA"


def test_bad_register_rows_are_each_named_and_nothing_is_written(tmp_path: Path) -> None:
    register = tmp_path / "register.tsv"
    register.write_text("registration\tclasses\tmark\tvalidity\n1\t46\tA\t2030-01-01\n2\t9\t\t2030-01-01\n"
                        "3\t9\tC\tsoon\n1\t9\tD\t2030-01-01\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(RegisterError) as err:
        import_register(register, tmp_path / "out.json")
    assert [str(p) for p in err.value.problems] == [
        f"{register}:2: classes: Nice classes must be numbers 1–45, got '46'",
        f"{register}:3: mark: is empty",
        f"{register}:4: valid_until: must be a date YYYY-MM-DD or a range of dates, got 'soon'",
        f"{register}:5: registration: duplicate registration '1' (first at line 2)",
    ]
    assert not (tmp_path / "out.json").exists()


def test_the_compiled_index_is_cached_and_a_changed_watchlist_is_a_miss(tmp_path: Path) -> None:
    watchlist = _json_watchlist(tmp_path / "marks.json", [ENTRY])
    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[matching]\nwatchlists = ["{watchlist}"]\n')
    cfg = load_config(toml, env={})
    listing = Listing.from_dict({"id": "1", "platform": "t", "url": "u", "title": "ALPHAMARK 运动鞋 高仿"})
    first = build_index(cfg)
    caches = list((tmp_path / "var" / "cache").glob("match-index-*.pickle"))
    assert len(caches) == 1 and [h.entry_id for h in first.match(listing)] == ["tm-a"]
    second = build_index(cfg)  # from the cache: same answers
    assert [h.entry_id for h in second.match(listing)] == ["tm-a"]
    _json_watchlist(watchlist, [{**ENTRY, "id": "tm-b"}])  # the file changed: never the old index
    third = build_index(cfg)
    assert [h.entry_id for h in third.match(listing)] == ["tm-b"]
    assert len(list((tmp_path / "var" / "cache").glob("match-index-*.pickle"))) == 2


def test_the_cached_index_finds_typos_glued_and_sound_alike_marks_as_the_built_one(tmp_path: Path) -> None:
    """The typo table (a trie), the glued-mark automaton and the Chinese tables read back from the cache answer as the
    index built from the file did: same entries, scores and reasons."""
    entries = [ENTRY, {"id": "tm-b", "mark": "KASTORVEL", "variants": ["卡斯特"], "classes": [14]},
               {"id": "tm-c", "mark": "BRIMARZEN", "classes": [18]}]  # fmt: skip
    watchlist = _json_watchlist(tmp_path / "marks.json", entries)
    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[matching]\nwatchlists = ["{watchlist}"]\n')
    cfg = load_config(toml, env={})
    titles = [
        "ALPHAMRAK 运动鞋 高仿",
        "KASTORVELL 手表 复刻",
        "brimarzenbag 包邮",
        "卡丝特 手表 高仿",
        "ALPHMARK 跑步鞋",
    ]
    listings = [
        Listing.from_dict({"id": str(n), "platform": "t", "url": "u", "title": t}) for n, t in enumerate(titles)
    ]

    def answers(index: object) -> list[list[tuple[str, float, list[str]]]]:
        return [[(h.entry_id, h.score, [r.code for r in h.reasons]) for h in index.match(x)] for x in listings]  # type: ignore[attr-defined]

    built = answers(build_index(cfg))
    assert len(list((tmp_path / "var" / "cache").glob("match-index-*.pickle"))) == 1
    assert [{e for e, _, _ in hits} for hits in built] == [{"tm-a"}, {"tm-b"}, {"tm-c"}, {"tm-b"}, {"tm-a"}]
    assert answers(build_index(cfg)) == built  # from the cache
