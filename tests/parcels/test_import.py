"""Manifest import: column mappings, per-row errors with file:line, idempotent re-import, personal data at rest."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from leads.sink import LeadSink
from netsword.cli import main
from parcels.db import ParcelDB
from parcels.importer import import_manifest
from parcels.mapping import MappingError, find_mapping, parse_mapping
from parcels.pii import PiiVault, load_or_create_key

HEADER = "waybill,shipped_at,declared_contents,declared_value,sender_name,sender_phone,sender_address,receiver_name,receiver_phone,receiver_address\n"
GOOD = [
    "SF1000000001,2024-03-01 10:00:00,耐克鞋,199,张伟,+86 138-0013-8000,广东省深圳市南山区科技路10号,李娜,13900139000,北京市朝阳区建国路1号\n",
    "SF1000000002,2024-03-01 11:00:00,手机壳,20,张伟,13800138000,广东省深圳市南山区科技路10号,王芳,13700137000,上海市徐汇区衡山路2号\n",
]
BAD = [
    ",2024-03-01 10:00:00,手机壳,20,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # line 4: no waybill
    "SF1000000004,yesterday,手机壳,20,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # line 5: bad date
    "SF1000000005,2024-03-01 10:00:00,手机壳,lots,张伟,13800138000,深圳,李娜,13900139000,北京\n",  # line 6: bad value
    "SF1000000006,2024-03-01 10:00:00,手机壳,20,张伟,12,深圳,李娜,13900139000,北京\n",  # line 7: bad phone
    "SF1000000007,2024-03-01 10:00:00,手机壳\n",  # line 8: short row
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_bad_rows_are_reported_with_file_line_and_field_and_skipped(
    tmp_path: Path, db: ParcelDB, vault: PiiVault
) -> None:
    path = write(tmp_path / "m.csv", GOOD + BAD)
    report = import_manifest(path, find_mapping("generic"), db, vault)
    assert (report.imported, report.unchanged, report.bad) == (2, 0, 5)
    assert report.errors == [
        f"{path}:4: waybill: is required",
        f"{path}:5: shipped_at: not a date in a known format, got 9 characters: letters",
        f"{path}:6: declared_value: must be a number, got 4 characters: letters",
        f"{path}:7: sender_phone: not a phone number, got 2 characters: digits",
        f"{path}:8: row: has 3 columns, the header has 10",
    ]
    assert db.conn.execute("SELECT count(*) FROM parcels").fetchone()[0] == 2


def test_line_numbers_count_multiline_fields(tmp_path: Path, db: ParcelDB, vault: PiiVault) -> None:
    multiline = 'SF1000000003,2024-03-01 10:00:00,"手机壳\n两个",20,张伟,13800138000,深圳,李娜,13900139000,北京\n'
    path = write(tmp_path / "m.csv", [multiline, BAD[1]])
    report = import_manifest(path, find_mapping("generic"), db, vault)
    assert report.imported == 1
    assert report.errors == [f"{path}:4: shipped_at: not a date in a known format, got 9 characters: letters"]


def test_reimport_changes_nothing_and_a_changed_row_updates(
    tmp_path: Path, db: ParcelDB, vault: PiiVault, index
) -> None:  # type: ignore[no-untyped-def]
    from leads.store import open_store

    path = write(tmp_path / "m.csv", GOOD)
    with open_store(str(tmp_path / "leads.db")) as store:
        first = import_manifest(path, find_mapping("generic"), db, vault, index=index, sink=LeadSink(store))
        assert (first.imported, first.leads.created) == (2, 1)
        before = db.conn.execute("SELECT * FROM parcels ORDER BY waybill").fetchall()
        lead_before = store.search(__import__("leads.store", fromlist=["LeadQuery"]).LeadQuery())[0]
        again = import_manifest(path, find_mapping("generic"), db, vault, index=index, sink=LeadSink(store))
        assert (again.imported, again.updated, again.unchanged, again.bad) == (0, 0, 2, 0)
        assert [tuple(r) for r in db.conn.execute("SELECT * FROM parcels ORDER BY waybill")] == [
            tuple(r) for r in before
        ]
        assert store.get(lead_before.lead_id) == lead_before  # not even re-sighted
        write(path, [GOOD[0].replace(",199,", ",159,"), GOOD[1]])
        changed = import_manifest(path, find_mapping("generic"), db, vault, index=index, sink=LeadSink(store))
        assert (changed.imported, changed.updated, changed.unchanged) == (0, 1, 1)
        # each parcel is kept as the listing it was matched as (for `netsword rematch`): masked, keyed, no raw PII
        from leads.store.listings import ListingQuery

        kept = list(store.iter_listings(ListingQuery()))
        assert len(kept) == 2 and all(k.platform == "parcel:generic" for k in kept)
        assert [k.times_seen for k in kept] == [1, 2] or [k.times_seen for k in kept] == [2, 1]  # the changed row
        text = str([k.to_dict() for k in kept])
        assert not any(pii in text for pii in ("张伟", "李娜", "13800138000", "138-0013-8000", "科技路", "建国路"))


def test_personal_data_is_never_stored_in_the_clear(tmp_path: Path, vault: PiiVault) -> None:
    path = write(tmp_path / "m.csv", GOOD)
    with ParcelDB(tmp_path / "p.db") as db:
        import_manifest(path, find_mapping("generic"), db, vault)
        row = db.conn.execute("SELECT masked FROM parcels WHERE waybill = 'SF1000000001'").fetchone()
        assert json.loads(row[0])["sender_phone"] == "138****8000"
    raw = (tmp_path / "p.db").read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("p.db-*"))
    for secret in ("13800138000", "138-0013-8000", "张伟", "科技路", "13900139000", "建国路"):
        assert secret.encode() not in raw


def test_generated_key_file_is_private(tmp_path: Path) -> None:
    key = load_or_create_key("", tmp_path / "var" / "parcels.key")
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "parcels.key").st_mode) == 0o600
    assert load_or_create_key("", tmp_path / "var" / "parcels.key") == key
    assert load_or_create_key("from-the-environment-0123", tmp_path / "nothing") == b"from-the-environment-0123"


def test_sf_mapping_reads_chinese_headers(tmp_path: Path, db: ParcelDB, vault: PiiVault) -> None:
    path = tmp_path / "sf.csv"
    path.write_text(
        "运单号,寄件时间,托寄物,声明价值,计费重量,寄件人,寄件人电话,寄件地址,收件人,收件人电话,收件地址\n"
        "SF2000000001,2024/03/02 09:30,阿迪达斯外套,¥120.00,1.2,刘强,139 0013 9000,福建省莆田市荔城区,陈静,13700137000,杭州\n",
        encoding="utf-8",
    )
    report = import_manifest(path, find_mapping("sf"), db, vault)
    assert (report.imported, report.bad) == (1, 0), report.errors
    row = db.conn.execute("SELECT courier, shipped_at, declared_value, weight FROM parcels").fetchone()
    assert tuple(row) == ("sf", "2024-03-02T09:30:00", 120.0, 1.2)


def test_ems_mapping_reads_nested_jsonl(tmp_path: Path, db: ParcelDB, vault: PiiVault) -> None:
    good = {"mailNo": "EA123456789CN", "postTime": "20240303081500", "contents": "NIKE T恤", "declaredValue": 88,
            "weightGrams": 450, "sender": {"name": "赵磊", "mobile": "13600136000", "address": "广州市天河区"},
            "receiver": {"name": "孙丽", "mobile": "13500135000", "address": "成都市武侯区", "city": "成都"}}  # fmt: skip
    path = tmp_path / "ems.jsonl"
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n[1]\n", encoding="utf-8")
    report = import_manifest(path, find_mapping("ems"), db, vault)
    assert report.imported == 1
    assert report.errors == [
        f"{path}:2: row: not valid JSON: Expecting property name enclosed in double quotes at column 2",
        f"{path}:3: row: must be a JSON object, got list",
    ]
    row = db.conn.execute("SELECT waybill, weight, destination FROM parcels").fetchone()
    assert tuple(row) == ("EA123456789CN", 0.45, "成都")


def test_missing_required_column_names_the_header(tmp_path: Path, db: ParcelDB, vault: PiiVault) -> None:
    path = tmp_path / "m.csv"
    path.write_text("id,when\nA,B\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"m.csv:1: header: no column for waybill"):
        import_manifest(path, find_mapping("generic"), db, vault)


def test_user_mappings_override_and_bad_mappings_are_named(tmp_path: Path) -> None:
    (tmp_path / "acme.yaml").write_text("courier: acme\ncolumns: {waybill: No, shipped_at: T, declared_contents: C}\n")
    with pytest.raises(MappingError, match=r"acme.yaml: columns.waybill: read as false; quote the column name"):
        find_mapping("acme", str(tmp_path))
    (tmp_path / "acme.yaml").write_text(
        "courier: acme\ncolumns: {waybill: 'No', shipped_at: T, declared_contents: C}\n"
    )
    assert find_mapping("acme", str(tmp_path)).columns["waybill"] == ("No",)
    (tmp_path / "sf.yaml").write_text("courier: sf\ncolumns: {waybill: W, shipped_at: T, declared_contents: C}\n")
    assert find_mapping("sf", str(tmp_path)).columns["waybill"] == ("W",)  # the user's file wins
    with pytest.raises(MappingError, match="no mapping named 'nope'"):
        find_mapping("nope", str(tmp_path))
    with pytest.raises(MappingError, match=r"x.yaml: columns.colour: not a parcel field"):
        parse_mapping({"courier": "x", "columns": {"colour": "c"}}, "x.yaml")
    with pytest.raises(MappingError, match=r"x.yaml: columns.waybill: is required"):
        parse_mapping({"courier": "x", "columns": {"shipped_at": "t"}}, "x.yaml")


def test_cli_import_prints_counts_and_exits_2_on_bad_rows(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    path = write(tmp_path / "m.csv", GOOD + BAD[:1])
    assert main(["parcels", "import", str(path), "--courier", "generic"]) == 2
    out, err = capsys.readouterr()
    assert "2 imported, 0 updated, 0 unchanged, 1 bad" in out
    assert f"{path}:4: waybill: is required" in err
    write(path, GOOD)
    assert main(["parcels", "import", str(path), "--courier", "generic"]) == 0
    assert "0 imported, 0 updated, 2 unchanged, 0 bad" in capsys.readouterr().out
    assert main(["parcels", "import", str(path), "--courier", "nope"]) == 2
    assert "no mapping named 'nope'" in capsys.readouterr().err
