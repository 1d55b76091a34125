"""A crawl, a parcel import and an investigator's decisions at once on one SQLite store (issue 13): every process
succeeds, nobody sees `database is locked`, and no decision or sighting is lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from leads.store import LeadQuery
from leads.store.sqlite import SqliteLeadStore
from parcels.synthetic import generate, write_manifest

NETSWORD = str(Path(sys.executable).parent / "netsword")
KEYWORDS = ("耐克", "古驰", "劳力士")

TRIAGE = """
import random, sys
from leads.store import LeadQuery
from leads.store.sqlite import SqliteLeadStore
rng = random.Random(3)
with SqliteLeadStore(sys.argv[1]) as store:
    ids = sorted(lead.lead_id for lead in store.iter_leads(LeadQuery()))
    for n in range(int(sys.argv[2])):
        lead_id = rng.choice(ids)
        status = rng.choice(["triaged", "confirmed", "dismissed", "referred"])
        store.set_status(lead_id, status, assignee=f"inv-{n % 3}")
        print(lead_id, status, f"inv-{n % 3}", flush=True)
"""


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
    env.update(NETSWORD_PATHS_VAR_DIR=str(var), NETSWORD_PARCELS_PII_KEY="parallel-test-key-0123456789")
    return env


def _crawl(var: Path, base_url: str) -> subprocess.Popen[str]:
    args = [NETSWORD, "crawl", "demo-static", "--base-url", base_url, "--max-pages", "3", "--no-evidence", "--no-alerts"]
    for keyword in KEYWORDS:
        args += ["--keyword", keyword]
    return subprocess.Popen(args, cwd=var.parent, env=_env(var), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip


def test_crawl_parcel_import_and_triage_at_once(tmp_path: Path, market: Any) -> None:
    var = tmp_path / "var"
    first = _crawl(var, market.base_url)
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err[-3000:]
    store_path = var / "netsword.db"
    with SqliteLeadStore(store_path) as store:
        before = {lead.lead_id: lead.times_seen for lead in store.iter_leads(LeadQuery())}
    assert len(before) >= 20

    rows, _ = generate(3000, seed=9, n_fanout=2, n_consolidation=1)
    write_manifest(rows, tmp_path / "manifest.csv")
    crawl = _crawl(var, market.base_url)
    parcels = subprocess.Popen(
        [NETSWORD, "parcels", "import", str(tmp_path / "manifest.csv"), "--courier", "generic", "--detect",
         "--no-alerts"], cwd=tmp_path, env=_env(var), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    triage = subprocess.Popen([sys.executable, "-c", TRIAGE, str(store_path), "400"], cwd=tmp_path, env=_env(var),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    results = {name: (proc, *proc.communicate(timeout=600)) for name, proc in
               (("crawl", crawl), ("parcels", parcels), ("triage", triage))}  # fmt: skip
    for name, (proc, _out, err) in results.items():
        assert proc.returncode == 0, f"{name}: {err[-3000:]}"
        assert "locked" not in err.lower(), f"{name}: {err[-3000:]}"
    assert "3000 imported" in results["parcels"][1]

    decided: dict[str, tuple[str, str]] = {}
    for line in results["triage"][1].splitlines():
        lead_id, status, assignee = line.split()
        decided[lead_id] = (status, assignee)
    assert len(results["triage"][1].splitlines()) == 400
    with SqliteLeadStore(store_path) as store:
        after = {lead.lead_id: lead for lead in store.iter_leads(LeadQuery())}
        for lead_id, (status, assignee) in decided.items():
            assert (after[lead_id].status, after[lead_id].assignee) == (status, assignee), lead_id
            history = store.status_history(lead_id)
            assert history[-1]["after"] == status
    crawled_again = [lead_id for lead_id in before if after[lead_id].times_seen == before[lead_id] + 1]
    assert len(crawled_again) >= 0.9 * len(before), "the second crawl's sightings were lost"
    assert all(after[lead_id].times_seen <= before[lead_id] + 1 for lead_id in before)  # nothing counted twice
    assert any(lead.kind == "parcel_pattern" for lead in after.values())
