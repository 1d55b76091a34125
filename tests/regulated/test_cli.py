"""`netsword registers import | list | check | remove` and `netsword match` with an imported register."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netsword.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "data" / "registers"


def test_import_list_check_remove(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registers", "import", str(SAMPLES / "pesticide.csv"), "--regime", "pesticide"]) == 0
    out = capsys.readouterr().out
    assert "pesticide: 11 rows, 11 numbers, 0 rows refused" in out and "var/registers/pesticide.tsv" in out
    assert "columns not used: 剂型" in out
    assert main(["registers", "import", str(SAMPLES / "pesticide.csv"), "--regime", "pesticide"]) == 0
    assert "replacing 11 numbers from pesticide.csv" in capsys.readouterr().out

    assert main(["registers", "list"]) == 0
    out = capsys.readouterr().out
    assert "pesticide: 农药 / pesticides — 农药登记证号: 11 numbers (complete) from pesticide.csv" in out
    assert "drug: 药品 / medicines (drugs) — 药品批准文号: no register imported" in out
    assert "(retired 2018-06-01)" in out

    # exit 1: a lead is reported (as grep: 0 nothing that is a lead, 2 an error)
    assert main(["registers", "check", "嘧菌酯 悬浮剂 杀菌剂 农药登记证号：PD20081234", "--date", "2026-11-01"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("licence_mismatch reg:pesticide score 70 (a lead): PD20081234")
    assert "  registered_for_other_product: “PD20081234”登记的产品是“10%吡虫啉可湿性粉剂”" in out
    assert main(["registers", "check", "水溶肥 高钾", "--date", "2026-11-01"]) == 0
    assert "below the lead threshold (monitored)" in capsys.readouterr().out
    assert main(["registers", "check", "纯棉T恤"]) == 0
    assert capsys.readouterr().out.startswith("nothing to report")

    assert main(["registers", "remove", "pesticide"]) == 0
    assert "pesticide: register removed" in capsys.readouterr().out
    assert not (isolated / "var" / "registers" / "pesticide.tsv").exists()


def test_bad_exports_exit_2_naming_file_and_line(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export = isolated / "drugs.csv"
    export.write_text("批准文号,药品名称,上市许可持有人\n国药准字Z4402194,板蓝根颗粒,广州某药业\n国药准字Z44021940,板蓝根颗粒,广州某药业\n",
                      encoding="utf-8")  # fmt: skip
    assert main(["registers", "import", str(export), "--regime", "drug"]) == 2
    out = capsys.readouterr().out
    assert f"{export}:2: number: '国药准字Z4402194' is not written as a drug approval number is" in out
    assert "nothing written: rows were refused (--keep-bad-rows imports the others)" in out
    assert main(["registers", "import", str(export), "--regime", "drug", "--dry-run"]) == 2
    assert "dry run: nothing written" in capsys.readouterr().out
    assert main(["registers", "import", str(export), "--regime", "drug", "--keep-bad-rows"]) == 0
    assert "drug: 2 rows, 1 numbers, 1 rows refused" in capsys.readouterr().out
    assert main(["registers", "import", str(isolated / "none.csv"), "--regime", "drug"]) == 2
    assert f"netsword: {isolated / 'none.csv'}:0: no such file" in capsys.readouterr().err
    (isolated / "var" / "registers" / "drug.tsv").write_text("garbage\n", encoding="utf-8")
    assert main(["registers", "check", "板蓝根颗粒"]) == 2
    assert "drug.tsv:1: not a NetSword register file" in capsys.readouterr().err


def test_match_command_writes_licence_leads(isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["registers", "import", str(SAMPLES / "ccc.csv"), "--regime", "ccc"])
    listings = isolated / "l.jsonl"
    rows = [{"id": "1", "platform": "shop", "url": "u1", "title": "充电宝 移动电源 10000mAh",
             "description": "CCC证书编号：2021011606123456", "crawled_at": "2026-11-01T00:00:00Z"},
            {"id": "2", "platform": "shop", "url": "u2", "title": "电源适配器 65W", "params": {"3C证书编号": "2022010902345678"},
             "crawled_at": "2026-11-01T00:00:00Z"}]  # fmt: skip
    listings.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    assert main(["match", "--listings", str(listings), "--out", str(isolated / "leads.jsonl")]) == 0
    leads = [json.loads(line) for line in (isolated / "leads.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(x["listing_id"], x["entry_id"], x["kind"], x["cited_number"]) for x in leads] == [
        ("1", "reg:ccc", "licence_mismatch", "2021011606123456")
    ]
