"""The extraction record (电子数据提取笔录): every element the rules ask for, read and checked from the store; anomalies
listed, never left out; scraped text escaped in HTML (issue 18)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from evidence import Blob, EvidenceStore
from evidence.record import build_record, render_html, render_json, render_text
from evidence.timestamps import TsaSettings, stamp_pending
from netsword.cli import main
from netsword.config import load_config

sys.path.insert(0, str(Path(__file__).parent))
from tsa import Pki, TsaServer, make_pki  # noqa: E402

KEY = b"evidence-key-for-tests-0123456789"
REPO = Path(__file__).resolve().parents[2]
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def good() -> Pki:
    return make_pki("Record")


def _capture(store: EvidenceStore, url: str = "https://shop.example.com/item/a1") -> str:
    return store.add(
        blobs=[Blob("page", f"<html>{HOSTILE}</html>".encode(), "text/html", url),
               Blob("screenshot", b"\x89PNG fake screenshot bytes", "image/png", url)],
        platform="taobao", listing_id="a1", url=url, profile="html", status=200,
        final_url="https://login.example.net/?next=" + HOSTILE, missing=["screenshot: page still loading"],
    ).capture_id  # fmt: skip


def _stamp(store: EvidenceStore, good: Pki) -> None:
    """Timestamp the store's one pending capture at a TSA run for the test (and stopped after)."""
    server = TsaServer(good)
    try:
        assert stamp_pending(store, TsaSettings((server.url,), (good.ca,), 5.0, 60.0)).stamped == 1
    finally:
        server.stop()


def _head() -> str:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def test_the_record_holds_every_element_checked_against_the_store(tmp_path: Path, good: Pki) -> None:
    store = EvidenceStore(tmp_path / "evidence", key=KEY)
    cid = _capture(store)
    _stamp(store, good)
    capture = store.get(cid)
    assert capture is not None
    heads = [_head()]  # the record names the commit it was made from; others may commit to a shared checkout meanwhile
    made = build_record(store, [capture], cause="涉嫌销售假冒注册商标的商品", target="taobao 商品 a1",
                        operators=["张三", "李四"], roots=(good.ca,))  # fmt: skip
    heads.append(_head())
    data = json.loads(render_json(made))
    assert (data["cause"], data["target"], data["operators"]) == ("涉嫌销售假冒注册商标的商品", "taobao 商品 a1",
                                                                  ["张三", "李四"])  # fmt: skip
    assert data["tool"]["name"] == "NetSword" and data["tool"]["version"] and data["tool"]["commit"] in heads
    assert data["environment"]["os"] and data["environment"]["python"] and data["environment"]["browser"]
    [c] = data["captures"]
    assert c["url"] == "https://shop.example.com/item/a1" and c["status"] == 200
    assert c["started_at"] and c["ended_at"] and "系统时钟" in c["time_source"] and "RFC 3161" in c["time_source"]
    roles = [(d["role"], d["sha256"], d["size"]) for d in c["data"]]
    manifest = store.manifest_path(cid).read_bytes()
    assert roles[0][:2] == ("manifest", __import__("hashlib").sha256(manifest).hexdigest())
    assert {r[0] for r in roles[1:]} == {"page", "screenshot"}
    for item in capture.files:
        assert (item.role, item.sha256, item.size) in roles
    assert [s["role"] for s in c["screenshots"]] == ["screenshot"]
    [token] = c["timestamps"]
    assert token["token_id"].startswith("tst-") and token["check"] == "valid"
    assert any("page still loading" in a for a in c["anomalies"])
    assert any(a.startswith("重定向至其他主机") for a in c["anomalies"])
    assert [e["event"] for e in c["custody"]] == ["captured", "timestamped"]
    text = render_text(made)
    for part in ("电子数据提取笔录", "案由：涉嫌销售假冒注册商标的商品", "提取人员：张三、李四", token["token_id"],
                 capture.files[0].sha256, "异常情况：", "访问步骤："):  # fmt: skip
        assert part in text, part


def test_damage_is_listed_as_an_anomaly(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence", key=KEY)
    cid = _capture(store)
    capture = store.get(cid)
    assert capture is not None
    page = capture.file("page")
    assert page is not None
    store.path_of(page.sha256).write_bytes(b"<html>edited</html>")
    store.manifest_path(cid).write_bytes(store.manifest_path(cid).read_bytes() + b"\n")
    [c] = build_record(store, [capture], cause="c", target="t", operators=[]).captures
    checked = "校验未通过（与 netsword evidence verify 相同）："
    assert f"{checked}{cid}: page {page.sha256}: hash is now " in "\n".join(c.anomalies)
    assert f"{checked}captures/{cid}.json: changed since it was written" in "\n".join(c.anomalies)
    assert any(a.startswith("无可信时间戳") for a in c.anomalies)


def test_a_forged_manifest_with_its_ledger_row_rewritten_is_not_called_clean(tmp_path: Path, good: Pki) -> None:
    """The forger edits the manifest and rewrites the ledger row's hash to match: the row's seal and the timestamp
    give it away, and the record lists exactly what `verify` finds (one check, issue 18 review)."""
    import hashlib
    import sqlite3

    from evidence.verify import verify_store

    store = EvidenceStore(tmp_path / "evidence", key=KEY)
    cid = _capture(store)
    _stamp(store, good)
    path = store.manifest_path(cid)
    forged = json.loads(path.read_bytes())
    forged["status"] = 404
    path.write_bytes(json.dumps(forged).encode())
    with sqlite3.connect(store.root / "ledger.db") as db:
        db.execute("UPDATE captures SET manifest_sha256 = ? WHERE capture_id = ?",
                   (hashlib.sha256(path.read_bytes()).hexdigest(), cid))  # fmt: skip
    db.close()
    problems = verify_store(EvidenceStore(tmp_path / "evidence", key=KEY), roots=(good.ca,)).problems
    assert any("ledger row was altered" in p for p in problems) and any("changed after it was" in p for p in problems)
    capture = store.get(cid)
    assert capture is not None
    [c] = build_record(store, [capture], cause="c", target="t", operators=[], roots=(good.ca,)).captures
    [token] = c.timestamps
    assert token["check"].startswith("INVALID")
    assert "独立时间来源" not in c.time_source  # a token that does not cover the manifest dates nothing
    assert f"可信时间戳 {token['token_id']} 不覆盖当前的取证清单（清单在盖时间戳后被改动）" in c.anomalies
    for problem in problems:
        assert f"校验未通过（与 netsword evidence verify 相同）：{problem}" in c.anomalies, problem
    assert "验证 valid" not in render_text(build_record(store, [capture], cause="c", target="t", operators=[],
                                                       roots=(good.ca,)))  # fmt: skip


def test_scraped_text_is_escaped_in_html(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path / "evidence", key=KEY)
    capture = store.get(_capture(store))
    assert capture is not None
    html = render_html(build_record(store, [capture], cause=HOSTILE, target="t\x1b[31m", operators=[HOSTILE]))
    assert "<script>" not in html and "&lt;script&gt;" in html and "\x1b" not in html
    assert "<h1>电子数据提取笔录</h1>" in html


def test_the_command(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    store = EvidenceStore.for_config(load_config())
    cid = _capture(store)
    store.close()
    # the capture lacks its screenshot, went to another host and has no timestamp: the record lists that and exits 1
    assert main(["evidence", "record", cid, "--format", "json", "--operator", "王五", "--cause", "案由甲"]) == 1
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["operators"] == ["王五"] and data["cause"] == "案由甲" and data["captures"][0]["capture_id"] == cid
    assert len(data["captures"][0]["anomalies"]) == 3
    assert "extraction record: 1 captures, 3 anomalies listed" in captured.err
    assert main(["evidence", "record", cid, "--format", "html", "--out", "record.html"]) == 1
    assert "电子数据提取笔录" in Path("record.html").read_text(encoding="utf-8")  # written all the same
    assert main(["evidence", "record", cid]) == 1
    out = capsys.readouterr().out
    assert "（未关联线索）" in out and "\x1b" not in out
    assert main(["evidence", "record", "cap-nosuch"]) == 2
    assert main(["evidence", "record"]) == 2


def test_the_command_exits_0_only_for_a_record_without_anomalies(isolated: Path, capsys, monkeypatch,
                                                                   good: Pki) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NETSWORD_TIMESTAMPS_TRUST_ROOTS", str(good.write_root(isolated / "root.pem")))
    cfg = load_config()
    store = EvidenceStore.for_config(cfg)
    url = "https://shop.example.com/item/c3"
    clean_id = store.add(blobs=[Blob("page", b"<html>ok</html>", "text/html", url)], platform="taobao",
                         listing_id="c3", url=url, profile="html", status=200, final_url=url).capture_id  # fmt: skip
    _stamp(store, good)
    store.close()
    assert main(["evidence", "record", clean_id, "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["captures"][0]["anomalies"] == []
    assert "1 captures, 0 anomalies listed" in captured.err
    store = EvidenceStore.for_config(cfg)
    store.manifest_path(clean_id).write_bytes(store.manifest_path(clean_id).read_bytes() + b" ")  # changed afterwards
    store.close()
    assert main(["evidence", "record", clean_id, "--format", "json"]) == 1
    anomalies = json.loads(capsys.readouterr().out)["captures"][0]["anomalies"]
    assert any("不覆盖当前的取证清单" in a for a in anomalies)


def test_the_record_of_a_case(isolated: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from contextlib import closing

    from cases.db import CasesDB, cases_db_path
    from cases.store import CaseStore
    from leads.store import open_store_from_config
    from netsword.models import Lead
    from triage.audit import AuditLog
    from triage.db import TriageDB, triage_db_path

    cfg = load_config()
    store = EvidenceStore.for_config(cfg)
    first = _capture(store)
    other = store.add(blobs=[Blob("page", b"<html>b</html>", "text/html")], platform="jd", listing_id="b2",
                      url="https://item.jd.example.com/b2", profile="html").capture_id  # fmt: skip
    _capture(EvidenceStore(isolated / "elsewhere"))  # not in this store: never in the record
    store.close()
    leads = [Lead.from_dict({"lead_id": lid, "kind": "trademark", "platform": p, "listing_id": lst, "entry_id": "tm-1",
                             "owner": "耐克", "score": 80, "reasons": [],
                             "listing": {"url": f"https://{p}.example.com/{lst}", "title": f"标题{lst}"}})
             for lid, p, lst in (("ld-1", "taobao", "a1"), ("ld-2", "jd", "b2"))]  # fmt: skip
    with open_store_from_config(cfg) as lead_store:
        lead_store.put_raw(leads)
    with closing(TriageDB(triage_db_path(cfg.var_dir))) as tdb, CasesDB(cases_db_path(cfg.var_dir)) as db:
        case = CaseStore(db, AuditLog(tdb, b"k" * 32)).create("销售假冒耐克鞋案", "wang", "investigator",
                                                              lead_ids=["ld-1", "ld-2"], summary="两家店铺")  # fmt: skip
    assert main(["evidence", "record", "--case", case.case_id, "--format", "json"]) == 1  # anomalies listed
    data = json.loads(capsys.readouterr().out)
    assert data["case_id"] == case.case_id and data["cause"] == "销售假冒耐克鞋案：两家店铺"
    assert {c["capture_id"] for c in data["captures"]} == {first, other}
    assert "标题a1" in data["target"] and "标题b2" in data["target"]
    assert main(["evidence", "record", "--case", "case-nosuch"]) == 2
