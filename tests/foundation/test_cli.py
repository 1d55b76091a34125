"""The command line as a user runs it: the installed `netsword` script in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

from leads.listings_io import read_listings
from leads.process import process
from leads.sink import LeadSink
from leads.store import open_store
from matchers import compile_index
from netsword.models import Listing
from watchlists import load_watchlists

REPO = Path(__file__).resolve().parents[2]
NETSWORD = str(Path(sys.executable).parent / "netsword")
TRADEMARKS = REPO / "watchlists" / "samples" / "trademarks.yaml"
SAMPLE = REPO / "demo" / "sample_listings.jsonl"


def run(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    return subprocess.run([NETSWORD, *args], cwd=cwd, capture_output=True, text=True, env={**clean, **(env or {})},
                          timeout=120, check=False)  # fmt: skip


def test_match_writes_leads_sorted_by_score(isolated: Path) -> None:
    out = isolated / "leads.jsonl"
    result = run("match", "--watchlist", str(TRADEMARKS), "--listings", str(SAMPLE), "--out", str(out), cwd=isolated)
    assert result.returncode == 0, result.stderr
    leads = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert leads
    scores = [lead["score"] for lead in leads]
    assert scores == sorted(scores, reverse=True)
    required = {"lead_id", "listing_id", "platform", "url", "entry_id", "kind", "score", "matched", "reasons",
                "first_seen", "last_seen", "status"}  # fmt: skip
    assert required <= set(leads[0])
    assert leads[0]["status"] == "new" and leads[0]["reasons"][0]["code"]
    assert any(lead["entry_id"] == "tm-nike" for lead in leads)


def test_match_min_score_and_stdout(isolated: Path) -> None:
    everything = run(
        "match", "--watchlist", str(TRADEMARKS), "--listings", str(SAMPLE), "--min-score", "0", cwd=isolated
    )
    top = run("match", "--watchlist", str(TRADEMARKS), "--listings", str(SAMPLE), "--min-score", "90", cwd=isolated)
    assert everything.returncode == 0 and top.returncode == 0
    top_scores = [json.loads(line)["score"] for line in top.stdout.splitlines()]
    assert all(score >= 90 for score in top_scores)
    assert len(top_scores) < len(everything.stdout.splitlines())
    bad = run("match", "--listings", str(SAMPLE), "--min-score", "120", cwd=isolated)
    assert bad.returncode == 2 and "--min-score: must be 0–100" in bad.stderr


def test_broken_listing_lines_are_reported_and_skipped(isolated: Path) -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    broken = isolated / "broken.jsonl"
    broken.write_text("\n".join([lines[0], "{not json", lines[2], '{"id": "x", "platform": "p", "url": "u"}']) + "\n")
    out = isolated / "leads.jsonl"
    result = run("match", "--watchlist", str(TRADEMARKS), "--listings", str(broken), "--out", str(out), cwd=isolated)
    assert result.returncode == 2
    assert f"{broken}:2: not valid JSON" in result.stderr
    assert f"{broken}:4: title: is required" in result.stderr
    assert out.read_text(encoding="utf-8").strip(), "the good lines' leads are still written"
    strict_out = isolated / "strict.jsonl"
    strict = run("match", "--listings", str(broken), "--out", str(strict_out), "--strict", cwd=isolated)
    assert strict.returncode == 2 and not strict_out.exists()


def test_bad_watchlist_exits_2_with_file_and_line(isolated: Path) -> None:
    bad = isolated / "bad.yaml"
    bad.write_text("version: 1\ntrademarks:\n  - id: tm-x\n    mark: X\n    classes: [50]\n")
    result = run("match", "--watchlist", str(bad), "--listings", str(SAMPLE), cwd=isolated)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"{bad}:5: trademarks[0].classes: Nice class must be 1–45")
    check = run("watchlist", "check", str(bad), cwd=isolated)
    assert check.returncode == 2 and f"{bad}:5:" in check.stderr


def test_missing_listings_file(isolated: Path) -> None:
    result = run("match", "--listings", "nope.jsonl", cwd=isolated)
    assert result.returncode == 2 and "nope.jsonl: cannot read" in result.stderr


def test_watchlist_check_summarises(isolated: Path) -> None:
    result = run("watchlist", "check", *sorted(str(p) for p in TRADEMARKS.parent.glob("*.yaml")), cwd=isolated)
    assert result.returncode == 0, result.stderr
    assert "trademarks.yaml: ok: 285 trademarks" in result.stdout and "total:" in result.stdout


def test_bad_config_exits_2_naming_the_key(isolated: Path) -> None:
    result = run("leads", "list", cwd=isolated, env={"NETSWORD_SMTP_PORT": "abc"})
    assert result.returncode == 2
    assert result.stderr.strip() == "netsword: smtp.port (from NETSWORD_SMTP_PORT): must be a whole number, got 'abc'"


def test_leads_list_show_export_over_the_store(isolated: Path) -> None:
    with open_store("sqlite:///var/netsword.db") as store:
        index = compile_index(load_watchlists(sorted(TRADEMARKS.parent.glob("*.yaml"))))
        for listing in read_listings(SAMPLE):
            assert isinstance(listing, Listing)
            process(listing, index, LeadSink(store), min_score=0)
    listed = run("leads", "list", "--limit", "3", cwd=isolated)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3
    lead_id = listed.stdout.split()[5]
    shown = run("leads", "show", lead_id, cwd=isolated)
    assert json.loads(shown.stdout)["lead_id"] == lead_id
    assert run("leads", "show", "ld-nope", cwd=isolated).returncode == 2
    csv_out = isolated / "leads.csv"
    exported = run("leads", "export", "--format", "csv", "--out", str(csv_out), cwd=isolated)
    assert exported.returncode == 0
    assert csv_out.read_text(encoding="utf-8").splitlines()[0].startswith("lead_id,score,kind")
    jsonl = run("leads", "export", "--platform", "jd", cwd=isolated)
    assert all(json.loads(line)["platform"] == "jd" for line in jsonl.stdout.splitlines())


def test_doctor_reports_a_missing_browser(isolated: Path) -> None:
    result = run("doctor", cwd=isolated, env={"NETSWORD_BROWSER_EXECUTABLE": "/nonexistent/chromium"})
    assert result.returncode == 1
    assert "ERR  browser  not found" in result.stdout
    assert "ok   python" in result.stdout and "ok   store" in result.stdout


def test_leads_list_never_prints_a_hostile_titles_escape_sequences(isolated: Path) -> None:
    index = compile_index(load_watchlists([TRADEMARKS]))
    hostile = "NIKE 耐克 Air Max \x1b]0;pwned\x07\x1b[2J\x1b[31mred\rover\nwritten"
    listing = Listing.from_dict({"platform": "jd", "id": "x1", "url": "https://item.jd.com/x1.html", "title": hostile})
    with open_store("sqlite:///var/netsword.db") as store:
        assert process(listing, index, LeadSink(store), min_score=0)
    listed = run("leads", "list", cwd=isolated)
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout and "\x07" not in listed.stdout and "\r" not in listed.stdout
    assert len(listed.stdout.splitlines()) == 1 and "耐克" in listed.stdout
