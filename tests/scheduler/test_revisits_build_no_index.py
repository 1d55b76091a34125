"""Re-checks and evidence backfills match nothing, so they never build a match index (compiling the watchlists,
registers and scorers costs about half a second of CPU per run): `netsword recheck` and `netsword evidence backfill`
run in child processes in which building a MatchIndex fails loudly, against a listing site on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from leads.store import LeadQuery, open_store
from netsword.config import load_config
from tests.scheduler.helpers import REPO, seed_leads_at
from tests.scheduler.probe_server import ProbeSite, probe_profile

# The netsword command, with every MatchIndex construction recorded (where from) and refused.
CHILD = """
import os, traceback
import matchers.index

def refuse(self, *args, **kwargs):
    with open(os.environ["INDEX_BUILT_MARKER"], "a", encoding="utf-8") as marker:
        marker.write("".join(traceback.format_stack()))
    raise AssertionError("a match index was built")

matchers.index.MatchIndex.__init__ = refuse
from netsword.cli import run
run()
"""


def _netsword(argv: list[str], env: dict[str, str], cwd: Path, marker: Path) -> str:
    """Run the command in a child whose MatchIndex cannot be built; its standard output."""
    proc = subprocess.run([sys.executable, "-c", CHILD, *argv], env=env, cwd=cwd, capture_output=True, text=True,  # noqa: S603
                          timeout=180, check=False)  # fmt: skip
    assert not marker.exists(), f"{argv[:2]}: a match index was built:\n{marker.read_text(encoding='utf-8')}"
    assert proc.returncode == 0, (argv[:2], proc.stdout[-2000:], proc.stderr[-4000:])
    return proc.stdout


def test_recheck_and_backfill_never_build_a_match_index(tmp_path: Path) -> None:
    site = ProbeSite().start()
    try:
        profile = tmp_path / "probe.yaml"
        profile.write_text(probe_profile(site.url), encoding="utf-8")
        marker = tmp_path / "index-built.txt"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NETSWORD_")}
        env.update({"NETSWORD_PATHS_VAR_DIR": str(tmp_path / "var"), "PYTHONPATH": str(REPO),
                    "INDEX_BUILT_MARKER": str(marker)})  # fmt: skip
        cfg = load_config(env=env)
        site.prices["a1"] = 120.0  # the seeded lead says 99.0: the re-check has a change to write
        seed_leads_at(cfg, [f"{site.url}/item/a1"], platform="probe")
        options = ["--profile", str(profile), "--platform", "probe", "--delay", "0"]
        _netsword(["recheck", "--no-alerts", *options], env, tmp_path, marker)
        with open_store(cfg.store_url) as store:
            (lead,) = store.iter_leads(LeadQuery(limit=0))
        assert lead.price == 120.0  # written through the lead sink, with no index
        assert "1 captured" in _netsword(["evidence", "backfill", *options], env, tmp_path, marker)
        assert len(site.hits("/item/a1")) >= 2  # each run fetched the listing
    finally:
        site.stop()
