"""Register exports: what is read from them, what is refused (as `file:line: column: reason`), the compiled file the
index reads, atomic replacement, and what a partial register means."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from matchers.regulated import RegisterError, RegulatedChecks, load_rules
from matchers.regulated.register_files import import_export, load_registers, read_export, registers_dir_file
from matchers.regulated.registers import parse_compiled, parse_export, render_compiled
from netsword.models import Listing

PESTICIDE = load_rules().get("pesticide")
HEADER = "登记证号,产品名称,有效期至,登记证持有人,使用范围,状态\n"


def parse(text: str, path: str = "p.csv", **kwargs):  # type: ignore[no-untyped-def]
    assert PESTICIDE is not None
    return parse_export(text, PESTICIDE, path=path, year=2026, **kwargs)


def test_rows_become_records_keyed_by_the_number_as_registers_write_it() -> None:
    report = parse(HEADER + "PD 2007 0345,250克/升嘧菌酯悬浮剂,2027-08-21,南通某公司,水稻,有效\n")
    (record,) = report.register.records.values()
    assert record.number == "PD20070345" and record.valid_until == date(2027, 8, 21) and not record.withdrawn
    assert report.rows == 1 and not report.problems


def test_one_number_on_several_rows_is_one_record() -> None:
    report = parse(HEADER + "PD20070345,嘧菌酯,2027-08-21,南通某公司,水稻 纹枯病,有效\n"
                            "PD20070345,嘧菌酯,2027-08-21,南通某公司,黄瓜 霜霉病,有效\n")  # fmt: skip
    (record,) = report.register.records.values()
    assert record.scope == "水稻 纹枯病；黄瓜 霜霉病"


@pytest.mark.parametrize(
    ("cell", "start", "until"),
    [("2020-01-01至2025-01-01", date(2020, 1, 1), date(2025, 1, 1)), ("2027年8月21日", None, date(2027, 8, 21)),
     ("20270821", None, date(2027, 8, 21)), ("长期", None, None), ("", None, None)],
)  # fmt: skip
def test_validity_cells(cell: str, start: date | None, until: date | None) -> None:
    (record,) = parse(HEADER + f"PD20070345,嘧菌酯,{cell},南通某公司,水稻,有效\n").register.records.values()
    assert (record.valid_from, record.valid_until) == (start, until)


def test_bad_rows_are_reported_with_file_line_and_column() -> None:
    report = parse(HEADER + "PD2007034,嘧菌酯,2027-08-21,甲公司,水稻,有效\n"
                            ",嘧菌酯,2027-08-21,甲公司,水稻,有效\n"
                            "PD20070345,,2027-08-21,甲公司,水稻,有效\n"
                            "PD20070346,嘧菌酯,下个月,甲公司,水稻,有效\n"
                            "PD20070347,嘧菌酯,2027-08-21,甲公司,水稻,待定\n"
                            "PD20070348,嘧菌酯,2027-08-21,甲公司,水稻,有效\n")  # fmt: skip
    assert [p.split(": ")[0:2] for p in report.problems] == [
        ["p.csv:2", "number"], ["p.csv:3", "number"], ["p.csv:4", "product"], ["p.csv:5", "validity"],
        ["p.csv:6", "status"],
    ]  # fmt: skip
    assert list(report.register.records) == ["PD20070348"]


def test_a_number_our_checks_doubt_is_kept_with_a_warning() -> None:
    report = parse(HEADER + "PD20991234,嘧菌酯,2027-08-21,甲公司,水稻,有效\n")  # a year we think is impossible
    assert "PD20991234" in report.register.records
    assert (
        report.warnings
        and "p.csv:2: number" in report.warnings[0]
        and "our rule may be incomplete" in report.warnings[0]
    )


def test_a_file_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(RegisterError, match=r"^p.csv:1: header: no holder column"):
        parse("登记证号,产品名称\nPD20070345,嘧菌酯\n")
    with pytest.raises(RegisterError, match=r"^p.csv:1: header: the file is empty"):
        parse("# only a comment\n")


def test_tsv_and_gb18030_exports(tmp_path: Path) -> None:
    export = tmp_path / "icama.tsv"
    export.write_bytes(
        (HEADER.replace(",", "\t") + "PD20070345\t嘧菌酯\t2027-08-21\t南通某公司\t水稻\t有效\n").encode("gb18030")
    )
    result = import_export(export, "pesticide", tmp_path / "registers")
    assert result.encoding == "gb18030" and result.written
    assert "PD20070345" in load_registers(tmp_path / "registers").registers["pesticide"].records


def test_import_refuses_bad_rows_unless_told_and_replaces_atomically(tmp_path: Path) -> None:
    export, where = tmp_path / "p.csv", tmp_path / "registers"
    export.write_text(HEADER + "PD20070345,嘧菌酯,2027-08-21,甲公司,水稻,有效\nPD2007,嘧菌酯,2027-08-21,甲公司,水稻,有效\n",
                      encoding="utf-8")  # fmt: skip
    refused = import_export(export, "pesticide", where)
    assert not refused.written and not registers_dir_file(where, "pesticide").exists()
    kept = import_export(export, "pesticide", where, keep_bad_rows=True)
    assert kept.written and kept.replaced is None
    again = import_export(export, "pesticide", where, keep_bad_rows=True)
    assert again.replaced is not None and len(again.replaced.records) == 1
    assert [p.name for p in where.iterdir()] == ["pesticide.tsv"]  # no temporary file left behind


def test_the_compiled_file_round_trips_and_damage_is_named(tmp_path: Path) -> None:
    register = parse(HEADER + "PD20070345,嘧菌酯,2020-01-01至2027-08-21,甲公司,水稻,注销\n", complete=False).register
    again = parse_compiled(render_compiled(register), "x.tsv")
    assert again.records == register.records and again.complete is False
    with pytest.raises(RegisterError, match=r"^x.tsv:1: not a NetSword register file"):
        parse_compiled("number\tproduct\n", "x.tsv")
    broken = render_compiled(register).replace("\t水稻", "")
    with pytest.raises(RegisterError, match=r"^x.tsv:9: 6 columns where 7 are expected"):
        parse_compiled(broken, "x.tsv")
    stray = tmp_path / "registers"
    stray.mkdir()
    (stray / "drug.tsv").write_text(render_compiled(register), encoding="utf-8")  # a pesticide register named drug
    with pytest.raises(RegisterError, match="is not the regime its name says"):
        load_registers(stray)


def test_unknown_regime_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r"regime: 'cosmetics' is not a regime \(known: drug, pesticide"):
        import_export(tmp_path / "x.csv", "cosmetics", tmp_path)
    with pytest.raises(RegisterError, match=r"x.csv:0: no such file"):
        read_export(tmp_path / "x.csv")


def test_a_partial_register_confirms_numbers_but_never_says_one_does_not_exist(tmp_path: Path) -> None:
    export = tmp_path / "holder.csv"
    export.write_text(HEADER + "PD20070345,嘧菌酯,2022-08-21,甲公司,水稻,有效\n", encoding="utf-8")
    unknown = Listing.from_dict({"id": "1", "platform": "t", "url": "u", "title": "草铵膦 除草剂 PD20199999",
                                 "crawled_at": "2026-11-01T00:00:00Z"})  # fmt: skip
    expired = Listing.from_dict({"id": "2", "platform": "t", "url": "u", "title": "嘧菌酯 杀菌剂 PD20070345",
                                 "crawled_at": "2026-11-01T00:00:00Z"})  # fmt: skip
    for complete, kind in ((True, "licence_unregistered"), (False, None)):
        where = tmp_path / f"r{complete}"
        import_export(export, "pesticide", where, complete=complete)
        checks = RegulatedChecks(load_registers(where))
        assert [h.kind for h in checks.match(unknown)] == ([kind] if kind else [])
        assert [h.kind for h in checks.match(expired)] == ["licence_expired"]  # what a partial register says counts
