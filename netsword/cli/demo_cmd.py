"""`netsword demo`: start the demo marketplace, crawl its four styles, match, store, keep evidence, score, summarise.

Each crawl runs in a child `netsword crawl` process (Twisted's reactor cannot restart), one after another so the
SQLite store has one writer. Keywords are the sample watchlists' marks for the goods the marketplace sells.
Queued alerts are then sent (as .eml files under the outbox directory when no SMTP server is configured). Unless
--no-serve, the marketplace stays up and the triage UI is served with demo accounts whose passwords are printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from netsword.cli.common import config_of, load_watchlist
from netsword.models import SCORE_BANDS

STYLES = ("demo-static", "demo-api", "demo-feed", "demo-browser")
# "high (80–100)", "medium (65–79)", "low (50–64)": labels from the one definition of the bands
BAND_LABELS = tuple(
    (floor, f"{name} ({floor}–{SCORE_BANDS[i + 1][0] - 1 if i + 1 < len(SCORE_BANDS) else 100})")
    for i, (floor, name) in reversed(list(enumerate(SCORE_BANDS)))
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="crawl the bundled demo marketplace end to end and print a summary")
    p.add_argument("--no-serve", action="store_true", help="exit after the summary instead of staying up")
    p.add_argument("--keywords", type=int, default=10, metavar="N", help="how many watchlist marks to search for")
    p.add_argument("--max-pages", type=int, default=5, metavar="N", help="result pages per keyword and style")
    p.add_argument("--styles", default=",".join(STYLES), help="comma-separated profiles to crawl")
    p.add_argument("--port", type=int, default=0, help="marketplace port (default: a free one)")
    p.set_defaults(func=run)


def band_of(score: int) -> str:
    return next((label for floor, label in BAND_LABELS if score >= floor), BAND_LABELS[-1][1])


def demo_keywords(watchlist: Any, truth: list[dict[str, Any]], limit: int) -> list[str]:
    """Marks (and their first variant) of the entries the marketplace's infringing listings use, most used first."""
    used = Counter(e for row in truth if row.get("label") == "infringing" for e in row.get("entry_ids", []))
    terms: list[str] = []
    for entry_id, _ in used.most_common():
        entry = watchlist.get(entry_id) if hasattr(watchlist, "get") else None
        mark = getattr(entry, "mark", "") or getattr(entry, "name", "")
        variants = list(getattr(entry, "variants", ()) or getattr(entry, "keywords", ()) or ())
        terms.extend(t for t in (mark, *variants[:1]) if t)
        if len(dict.fromkeys(terms)) >= limit:
            break
    return list(dict.fromkeys(terms))[:limit]


def fetch_json(url: str) -> Any:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own loopback marketplace
        return json.loads(response.read().decode("utf-8"))


def crawl_child(args: argparse.Namespace, profile: str, base_url: str, keywords: list[str]) -> dict[str, Any]:
    """One `netsword crawl` in a child process; returns the stats it wrote and `listing_ids`, the listings matched."""
    with tempfile.TemporaryDirectory(prefix="netsword-demo-") as tmp:
        stats_file, seen_file = Path(tmp) / "stats.json", Path(tmp) / "listings.jsonl"
        cmd = [sys.executable, "-c", "from netsword.cli import run; run()"]
        if getattr(args, "config", None):
            cmd += ["--config", args.config]
        cmd += ["crawl", profile, "--base-url", base_url, "--max-pages", str(args.max_pages)]
        cmd += ["--stats-json", str(stats_file), "--seen-listings", str(seen_file)]
        cmd += ["--set", "NETSWORD_IMAGE_HASHES=1"]  # the first image of each listing, hashed for actor networks
        for keyword in keywords:
            cmd += ["--keyword", keyword]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - our own command
        stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
        seen = seen_file.read_text(encoding="utf-8").splitlines() if seen_file.exists() else []
        stats["listing_ids"] = [str(json.loads(line)["listing"]["id"]) for line in seen if line.strip()]
        stats["seconds"] = round(time.monotonic() - started, 1)
        lost = (stats.get("crawl") or {}).get("lost") or []
        if proc.returncode == 3:  # partial (docs/crawling.md, exit status): the stats file's ledger says what was lost
            stats["error"] = f"partial, {len(lost)} loss(es)" + (f"; first: {lost[0]}" if lost else "")
        elif proc.returncode != 0:
            stats["error"] = (proc.stderr.strip().splitlines() or ["failed"])[-1]
        return stats


def run(args: argparse.Namespace) -> int:
    from demo.regulated import seed_sample_registers
    from demo.server import DemoMarket
    from matchers.regulated.configured import configured_registers_dir

    cfg = config_of(args)
    watchlist = load_watchlist(None, cfg)
    seeded = seed_sample_registers(configured_registers_dir(cfg))  # only regimes with no register of their own
    if seeded:
        print(f"registers: synthetic sample registers imported for {', '.join(seeded)} (docs/regulated-goods.md)")
    market = DemoMarket(port=args.port)
    base_url = market.start()
    try:
        print(f"demo marketplace listening on {base_url}", flush=True)
        truth = fetch_json(f"{base_url}/ground_truth.json")
        keywords = demo_keywords(watchlist, truth, args.keywords)
        print(f"keywords ({len(keywords)}): {', '.join(keywords)}", flush=True)
        per_platform: dict[str, dict[str, Any]] = {}
        for style in [s.strip() for s in args.styles.split(",") if s.strip()]:
            print(f"crawling {style} …", flush=True)
            stats = crawl_child(args, style, base_url, keywords)
            per_platform[style] = stats
            line = (f"  {style}: {stats.get('netsword/listings', 0)} listings, "
                    f"{stats.get('netsword/leads_created', 0)} new leads, "
                    f"{stats.get('netsword/malformed_items', 0) + stats.get('netsword/bad_listings', 0)} malformed, "
                    f"{stats.get('retry_after/waits', 0)} retries waited, {stats['seconds']} s")  # fmt: skip
            print(line + (f" — error: {stats['error']}" if "error" in stats else ""), flush=True)
        summarise(cfg, per_platform, truth)
        summarise_networks(cfg, truth)
        send_alerts(cfg)
        if args.no_serve:
            return 0 if all("error" not in s for s in per_platform.values()) else 1
        serve_until_interrupted(cfg, base_url)
    finally:
        market.stop()
    return 0


def summarise(cfg: Any, per_platform: dict[str, dict[str, Any]], truth: list[dict[str, Any]]) -> None:
    from demo.score import lead_level_scores, scores_by_family
    from evidence.store import EvidenceStore
    from leads.store import LeadQuery, open_store_from_config

    platforms = set(STYLES) & set(per_platform)
    with open_store_from_config(cfg) as store:
        leads = [lead for lead in store.iter_leads(LeadQuery()) if lead.platform in platforms]
    print()
    print(f"NetSword demo — store: {cfg.store_url}")
    print("listings per platform: " + ", ".join(
        f"{p} {s.get('netsword/listings', 0)}" for p, s in per_platform.items()))  # fmt: skip
    print(f"leads: {len(leads)}")
    print("  by kind: " + ", ".join(f"{kind} {n}" for kind, n in Counter(lead.kind for lead in leads).most_common()))
    bands = Counter(band_of(lead.score) for lead in leads)
    for _, label in BAND_LABELS:
        print(f"  {label:16s} {bands[label]}")
    crawled = {p: s.get("listing_ids", []) for p, s in per_platform.items()}
    scores = lead_level_scores(leads, truth, crawled=crawled)
    print(f"precision {scores.precision:.2f} ({scores.true_positives} of {scores.leads} leads are right)")
    print(f"recall    {scores.recall:.2f} over the infringing listing–entry pairs the crawl saw "
          f"({scores.true_positives} of {scores.expected}); "
          f"{scores.seen_infringing} of {scores.all_infringing} infringing listings were reached")  # fmt: skip
    for family, part in scores_by_family(leads, truth, crawled).items():
        print(f"  {family:10s} precision {part.precision:.2f} ({part.true_positives} of {part.leads}), "
              f"recall {part.recall:.2f} ({part.true_positives} of {part.expected})")  # fmt: skip
    evidence = EvidenceStore(cfg.evidence_dir)
    captures = sum(1 for _ in evidence.iter_captures()) if (evidence.root / "captures").exists() else 0
    print(f"evidence: {captures} captures under {cfg.evidence_dir} (check with: netsword evidence verify)")


def summarise_networks(cfg: Any, truth: list[dict[str, Any]]) -> None:
    """Build the actor networks from the stored leads, score them against the planted rings (demo.rings), and open
    a case (线索) from each network whose goods reach a referral threshold, once (a rerun finds it open)."""
    from cases.actors import ActorStore
    from cases.build import rebuild_networks
    from cases.db import CasesDB, cases_db_path
    from cases.sources import shop_of
    from cases.valuation import value_case
    from demo.rings import network_scores
    from leads.store import LeadQuery, open_store_from_config
    from netsword.cli.terminal import printable

    with open_store_from_config(cfg) as store:
        report = rebuild_networks(cfg, store)
        leads = [lead for lead in store.iter_leads(LeadQuery()) if lead.platform in STYLES]
    with CasesDB(cases_db_path(cfg.var_dir)) as db:
        actors = ActorStore(db)
        actor_of_lead = actors.actors_of_leads([lead.lead_id for lead in leads])
        summaries = actors.ranked(limit=10)
        found = [actors.get(a.actor_id) for a in summaries]
        hubs = actors.hubs(limit=3)
    shops: dict[str, list[tuple[str, str]]] = {}
    actor_of_shop: dict[str, str] = {}
    for lead in leads:
        key = shop_of(lead.platform, lead.listing, lead.listing_id).key
        shops.setdefault(key, []).append((lead.platform, lead.listing_id))
        if lead.lead_id in actor_of_lead:
            actor_of_shop[key] = actor_of_lead[lead.lead_id]
    score = network_scores(shops, actor_of_shop, truth)
    print(f"actor networks: {report.actors} actors linking {report.linked_shops} shops; "
          f"{report.hubs} hub identifiers suppressed" + (f" (e.g. {hubs[0][0][:40]} in {hubs[0][1]} shops)" if hubs
                                                           else ""))  # fmt: skip
    print(f"  network precision {score.precision:.2f}, recall {score.recall:.2f} over the planted rings' shop pairs "
          f"({score.pairs_found} of {score.ring_pairs} ring pairs linked; {score.pairs_linked} pairs linked in all)")  # fmt: skip
    by_id = {lead.lead_id: lead for lead in leads}
    candidates = []
    for actor in [a for a in found if a is not None]:
        valuation = value_case([by_id[i] for i in actor.lead_ids() if i in by_id])
        kinds = sorted({link.kind for link in actor.links})
        flag = "referral candidate" if valuation.referral_candidate else "below the referral thresholds"
        print(f"  {actor.actor_id}  {len(actor.shops)} shops on {len({s.platform for s in actor.shops})} platforms, "
              f"linked by {', '.join(kinds)}; 非法经营数额 ¥{valuation.business_volume:,.2f}: {flag}"
              f"  {printable(actor.summary.label)[:40]}")  # fmt: skip
        if valuation.referral_candidate:
            candidates.append(actor)
    for case_id in open_demo_cases(cfg, candidates):
        print(f"  case {case_id} opened from a referral-candidate network (netsword cases show {case_id})")


def open_demo_cases(cfg: Any, actors: list[Any]) -> list[str]:
    """A case (线索) per network, opened by the demo's investigator account and audited; none for a network that
    some case already holds."""
    from cases.db import CasesDB, cases_db_path
    from cases.store import CaseStore
    from netsword.private_files import private_umask
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path

    if not actors:
        return []
    private_umask()
    opened = []
    tdb = TriageDB(triage_db_path(cfg.var_dir))
    try:
        audit = open_audit(cfg, tdb)
        with CasesDB(cases_db_path(cfg.var_dir)) as db:
            held = {r["actor_id"] for r in db.query("SELECT actor_id FROM case_actors")}
            cases = CaseStore(db, audit)
            for actor in actors:
                if actor.actor_id not in held:
                    title = f"演示：{actor.summary.label[:60]} 等 {len(actor.shops)} 家店铺"
                    opened.append(cases.create(title, "investigator", "investigator", actors=[actor]).case_id)
    finally:
        tdb.close()
    return opened


def send_alerts(cfg: Any) -> None:
    """Send the alerts the crawls queued: to the SMTP server when one is configured, else as .eml files."""
    from netsword.cli.alerts_cmd import send_immediate

    send_immediate(cfg)
    if not cfg.smtp.host:
        written = len(list(cfg.outbox_dir.glob("*.eml"))) if cfg.outbox_dir.exists() else 0
        print(f"alerts: {written} messages in {cfg.outbox_dir}/ (no SMTP server configured)")


def serve_until_interrupted(cfg: Any, base_url: str) -> None:
    """Keep the marketplace up and serve the triage UI with the demo accounts until Ctrl-C."""
    from netsword.cli.serve_cmd import scheduled_runs
    from triage import seed_demo_users
    from triage.server import serve

    print(f"demo marketplace stays up at {base_url}")
    created = seed_demo_users(cfg)
    for username, password in created.items():
        print(f"  account {username!r}, password {password!r}")
    if not created:
        print("  demo accounts exist already (reset a password with: netsword users passwd NAME)")
    print(f"triage UI: http://{cfg.triage.host}:{cfg.triage.port}/ — press Ctrl-C to stop", flush=True)
    serve(cfg, run_history=scheduled_runs(cfg))
