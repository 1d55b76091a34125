"""The hash-chained audit trail (and `netsword audit verify`), referral packages, and the users command."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile

import pytest
from triage_helpers import PASSWORD, client_for, csrf_of, login

from netsword.cli import main
from triage.audit import AuditLog, open_audit
from triage.db import TriageDB, triage_db_path

pytestmark = pytest.mark.anyio


def _env(monkeypatch: pytest.MonkeyPatch, config) -> None:
    for name in ("NETSWORD_CONFIG",):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(config.var_dir))
    monkeypatch.setenv("NETSWORD_KEYS_DIR", config.keys.dir)


def _log(config) -> tuple[TriageDB, AuditLog]:
    db = TriageDB(triage_db_path(config.var_dir))
    log = open_audit(config, db)
    for n in range(5):
        log.append("investigator", "lead.status", f"ld-{n}", {"status": "new"}, {"status": "confirmed"})
    return db, log


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        ('UPDATE audit_log SET after = \'{"status":"dismissed"}\' WHERE seq = 3', "changed"),
        ("UPDATE audit_log SET actor = 'supervisor' WHERE seq = 1", "changed"),
        ("DELETE FROM audit_log WHERE seq = 2", "missing"),
        ("DELETE FROM audit_log WHERE seq = 5", "deleted"),
    ],
)
def test_audit_verify_detects_edits_and_deletions(config, monkeypatch, capsys, tamper: str, problem: str) -> None:
    _env(monkeypatch, config)
    db, log = _log(config)
    assert log.verify().ok
    assert main(["audit", "verify"]) == 0
    db.close()
    raw = sqlite3.connect(triage_db_path(config.var_dir))
    raw.execute(tamper)
    raw.commit()
    raw.close()
    assert main(["audit", "verify"]) == 1
    assert problem in capsys.readouterr().err


def test_audit_chain_survives_a_rewrite_of_every_hash(config, monkeypatch) -> None:
    """Re-hashing the whole chain after an edit fails even with the head file gone: the hashes are keyed."""
    from triage.audit import entry_hash

    _env(monkeypatch, config)
    db, _ = _log(config)
    db.close()
    raw = sqlite3.connect(triage_db_path(config.var_dir))
    raw.row_factory = sqlite3.Row
    raw.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")
    prev = "0" * 64
    for row in raw.execute("SELECT * FROM audit_log ORDER BY seq").fetchall():
        digest = entry_hash(
            prev, row["seq"], row["at"], row["actor"], row["action"], row["target"], row["before"], row["after"]
        )
        raw.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row["seq"]))
        prev = digest
    raw.commit()
    raw.close()
    (config.var_dir / "triage-audit.head").unlink()
    assert main(["audit", "verify"]) == 1


async def test_referral_package_round_trip(app, leads, evidence) -> None:
    st = app.state.triage
    lead = leads[3]
    page = evidence.put_bytes(b"<html>snapshot</html>", role="page", media_type="text/html")
    shot = evidence.put_bytes(b"\x89PNG\r\n\x1a\nshot", role="screenshot", media_type="image/png")
    evidence.record(
        platform=lead.platform, listing_id=lead.listing_id, url=lead.url, profile="html", files=[page, shot]
    )
    st.store.set_status(leads[4].lead_id, "confirmed")
    async with client_for(app) as client:
        await login(client, "investigator")
        token = csrf_of((await client.get("/")).text)
        await client.post(f"/leads/{lead.lead_id}/status", data={"csrf": token, "status": "confirmed"})
        created = await client.post("/referrals", data={"csrf": token, "title": "莆田 案件 <x>", "lead_ids": ""})
        assert created.status_code == 303
        referral = st.referrals.list()[0]
        assert set(referral.lead_ids) == {lead.lead_id, leads[4].lead_id}
        refused = await client.post(
            f"/referrals/{referral.referral_id}/decide", data={"csrf": token, "decision": "approve"}
        )
        assert refused.status_code == 403
        assert (await client.get(f"/referrals/{referral.referral_id}/package")).status_code == 404  # not approved
    async with client_for(app) as client:
        await login(client, "supervisor")
        token = csrf_of((await client.get("/referrals")).text)
        approved = await client.post(
            f"/referrals/{referral.referral_id}/decide", data={"csrf": token, "decision": "approve"}
        )
        assert approved.status_code == 303
        download = await client.get(f"/referrals/{referral.referral_id}/package")
    assert download.headers["content-type"] == "application/zip"
    assert st.store.get(lead.lead_id).status == "referred"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    root = referral.referral_id + "/"
    names = set(archive.namelist())
    assert {root + "summary.csv", root + "summary.html", root + "manifest.json", root + "SHA256SUMS"} <= names
    manifest = json.loads(archive.read(root + "manifest.json"))
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(root + item["name"])).hexdigest() == item["sha256"]
    evidence_names = [f["name"] for f in manifest["files"] if f["name"].startswith("evidence/")]
    assert len(evidence_names) == 2 and any(n.endswith("-screenshot.png") for n in evidence_names)
    summary = archive.read(root + "summary.html").decode()
    assert "&lt;x&gt;" in summary and "<script" not in summary
    assert lead.lead_id in archive.read(root + "summary.csv").decode("utf-8-sig")
    actions = [e.action for e in st.audit.entries(target=referral.referral_id)]
    assert actions == ["referral.download", "referral.approve", "referral.create"]
    digest = hashlib.sha256(download.content).hexdigest()
    assert st.audit.entries(target=referral.referral_id)[0].after == {"sha256": digest}
    assert st.referrals.get(referral.referral_id).package_sha256 == digest
    assert download.headers["content-disposition"] == f'attachment; filename="{referral.referral_id}.zip"'
    assert st.audit.verify().ok


def test_users_command(config, monkeypatch, capsys) -> None:
    _env(monkeypatch, config)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "wang", "--role", "investigator", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "passwd", "wang", "--password-stdin"]) == 2
    assert "at least 10" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "acme", "--role", "rights_holder_viewer", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "acme", "--role", "rights_holder_viewer", "--owner", "ACME", "--password-stdin"]) == 0
    assert main(["users", "disable", "wang"]) == 0
    assert main(["users", "disable", "nobody"]) == 2
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "wang" in out and "disabled" in out and "ACME" in out
    assert main(["audit", "verify"]) == 0
