"""`netsword scorer …`: the learned scorer trained from investigators' decisions (docs/matching.md#learned-scorer).

train   read every trademark lead confirmed, referred or dismissed in the lead store, fit the model and write its
        weights file (default: matching.learned_scorer, else <var_dir>/learned-scorer.json); refuses with too few
        decisions, and the static rules then keep scoring
show    the weights of a weights file: what each reason code does to a lead's score
report  each reason code's and cue term's precision from decisions: how often leads carrying it were confirmed
adjustments  what dismissals as authorised seller, accessory, resale or other brand taught matching (per entry,
        seller and term; <var_dir>/adjustments.jsonl); `adjustments undo ID` takes one back, with an audit entry
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from matchers import learned  # light (no index); adjustments loads the text folding, so it is imported where used
from netsword.cli.common import config_of
from netsword.config import Config

CONFIRMED = ("confirmed", "referred")  # a referral is a confirmation taken further
DISMISSED = ("dismissed",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("scorer", help="the learned scorer: train it from triage decisions, show its weights")
    sub = p.add_subparsers(dest="scorer_command", metavar="SUBCOMMAND", required=True)
    train = sub.add_parser("train", help="fit the model on confirmed and dismissed leads and write its weights")
    train.add_argument("--out", metavar="FILE", help="weights file (default: matching.learned_scorer or "
                                                     "<var_dir>/learned-scorer.json)")  # fmt: skip
    train.add_argument("--min-decisions", type=int, default=learned.MIN_DECISIONS, metavar="N",
                       help=f"refuse with fewer decisions (default {learned.MIN_DECISIONS})")  # fmt: skip
    train.add_argument("--corpus", metavar="DIR", help="labelled corpus to learn from as well: its development part "
                                                       "(default: benchmarks/corpus of the source tree, when present)")  # fmt: skip
    train.add_argument("--no-corpus", action="store_true", help="learn from the store's decisions only")
    train.set_defaults(func=run_train)
    show = sub.add_parser("show", help="print the weights of a weights file")
    show.add_argument("file", nargs="?", metavar="FILE", help="default: matching.learned_scorer")
    show.set_defaults(func=run_show)
    report = sub.add_parser("report", help="each reason code's and cue term's precision from the store's decisions")
    report.set_defaults(func=run_report)
    adj = sub.add_parser("adjustments", help="list what dismissals taught matching (per entry, seller and term)")
    adj.add_argument("--all", action="store_true", help="also list adjustments that were undone")
    adj.set_defaults(func=run_adjustments)
    adj_sub = adj.add_subparsers(dest="adjustments_command", metavar="SUBCOMMAND")
    undo = adj_sub.add_parser("undo", help="take one adjustment back (matching stops applying it; audited)")
    undo.add_argument("id", type=int, help="the adjustment's number, as listed")
    undo.add_argument("--user", default="cli", help="who undoes it, for the audit trail (default: cli)")
    undo.set_defaults(func=run_undo)


def weights_path(cfg: Config, given: str | None = None) -> Path:
    return Path(given or cfg.matching.learned_scorer or cfg.var_dir / "learned-scorer.json")


def decisions(cfg: Config) -> list[learned.Decision]:
    """Every trademark lead an investigator confirmed, referred or dismissed, as (reason codes, outcome)."""
    from leads.store import LeadQuery, open_store_from_config

    out = []
    with open_store_from_config(cfg) as store:
        query = LeadQuery(status=CONFIRMED + DISMISSED, kind=("trademark",), sort="score")
        for lead in store.iter_leads(query):
            terms = frozenset().union(*(learned.cue_terms(r.detail) for r in lead.reasons if r.code == "cue_word"))
            out.append(learned.Decision(frozenset(r.code for r in lead.reasons), lead.status in CONFIRMED, terms))
    return out


def default_corpus() -> Path:
    """benchmarks/corpus of the source tree this NetSword runs from (absent from an installed package)."""
    return Path(__file__).resolve().parents[2] / "benchmarks" / "corpus"


def corpus_decisions(cfg: Config, directory: Path) -> list[learned.Decision]:
    """The development part of a labelled corpus (DIR/generate.py and DIR/marks_dev.yaml), matched with this
    configuration's settings (never the test part: its figures stay held out)."""
    import importlib.util

    from matchers.configured import match_settings
    from matchers.index import compile_index
    from watchlists.loader import load_watchlists

    script, marks = directory / "generate.py", directory / "marks_dev.yaml"
    for needed in (script, marks):
        if not needed.is_file():
            raise learned.LearnedScorerError(f"{needed}: corpus: no such file")
    spec = importlib.util.spec_from_file_location("netsword_corpus_generate", script)
    if spec is None or spec.loader is None:
        raise learned.LearnedScorerError(f"{script}: corpus: cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    index = compile_index(load_watchlists([marks]), match_settings(cfg), cue_lexicon=cfg.matching.cue_lexicon)
    return learned.corpus_decisions(module.generate("dev"), index.match)


def run_train(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    found = decisions(cfg)
    from_store = len(found)
    corpus = None if args.no_corpus else Path(args.corpus) if args.corpus else default_corpus()
    if corpus is not None and (args.corpus or corpus.is_dir()):
        found += corpus_decisions(cfg, corpus)
        print(f"netsword scorer train: {from_store} decisions from the store, {len(found) - from_store} from the "
              f"corpus {corpus} (development part)")  # fmt: skip
    try:
        model = learned.train(found, min_decisions=args.min_decisions)
    except learned.LearnedScorerError as exc:
        print(f"netsword scorer train: {exc}; the static scorer stays", file=sys.stderr)
        return 1
    model = replace(
        model, meta={**model.meta, "store_decisions": from_store, "corpus_decisions": len(found) - from_store}
    )
    path = weights_path(cfg, args.out)
    model.save(path)
    print(f"netsword scorer train: {model.decisions} decisions ({model.confirmed} confirmed), "
          f"{len(model.weights)} reason codes → {path}")  # fmt: skip
    if not cfg.matching.learned_scorer:
        print(f'  set [matching] learned_scorer = "{path}" to score leads with it', file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    cfg = config_of(args)
    path = weights_path(cfg, args.file)
    try:
        model = learned.load(path)
    except learned.LearnedScorerError as exc:
        print(f"netsword scorer show: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: trained {model.trained_at or '?'} on {model.decisions} decisions ({model.confirmed} confirmed); "
          f"bias {model.bias:+.3f}")  # fmt: skip
    for code, weight in sorted(model.weights.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"  {code:<24} {weight:+.3f}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    found = decisions(config_of(args))
    confirmed = sum(d.confirmed for d in found)
    print(f"{len(found)} decisions on trademark leads, {confirmed} confirmed or referred")
    print(f"  {'reason code or cue term':<28} {'decided':>7} {'confirmed':>9} {'precision':>9}")
    for feature, n, c in learned.precision_report(found):
        print(f"  {feature:<28} {n:>7} {c:>9} {c / n:>9.2f}")
    reasons = dismissal_reasons(config_of(args))
    if reasons:
        from triage.i18n import translator

        zh, en = translator("zh"), translator("en")
        print(f"{sum(reasons.values())} dismissed leads by reason (triage audit trail, each lead's latest decision)")
        for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"  {reason:<28} {n:>7}  {zh(reason)} / {en(reason)}")
    return 0


def dismissal_reasons(cfg: Config) -> dict[str, int]:
    """How many leads whose latest triage decision is a dismissal were dismissed for each reason."""
    import json

    from triage.db import TriageDB, triage_db_path

    path = triage_db_path(cfg.var_dir)
    if not path.is_file():
        return {}
    db = TriageDB(path)
    try:
        rows = db.query("SELECT target, after FROM audit_log WHERE action = 'lead.status' ORDER BY seq")
    finally:
        db.close()
    latest = {str(r["target"]): json.loads(r["after"]) or {} for r in rows}
    counts: dict[str, int] = {}
    for after in latest.values():
        if isinstance(after, dict) and after.get("status") == "dismissed" and after.get("reason"):
            counts[str(after["reason"])] = counts.get(str(after["reason"]), 0) + 1
    return counts


def run_adjustments(args: argparse.Namespace) -> int:
    from matchers import adjustments

    cfg = config_of(args)
    path = adjustments.path_in(cfg.var_dir)
    rows = [x for x in adjustments.listed(path) if args.all or not x.undone_at]
    if not rows:
        print(f"{path}: no adjustments" + ("" if args.all else " active"))
        return 0
    print(f"{'id':>4}  {'kind':<18} {'entry':<16} {'value':<24} {'lead':<24} {'by':<12} at")
    for x in rows:
        a = x.adjustment
        undone = f"  (undone by {x.undone_by} at {x.undone_at})" if x.undone_at else ""
        print(f"{a.id:>4}  {a.kind:<18} {a.entry_id:<16} {a.value:<24} {a.lead_id:<24} {a.actor:<12} {a.at}{undone}")
    return 0


def run_undo(args: argparse.Namespace) -> int:
    from matchers import adjustments
    from netsword.private_files import private_umask
    from triage.audit import open_audit
    from triage.db import TriageDB, triage_db_path

    cfg = config_of(args)
    undone = adjustments.undo(adjustments.path_in(cfg.var_dir), args.id, actor=args.user)
    private_umask()
    db = TriageDB(triage_db_path(cfg.var_dir))
    try:
        open_audit(cfg, db).append(args.user, "adjustment.undo", undone.lead_id,
                                   {"id": undone.id, "kind": undone.kind, "entry_id": undone.entry_id,
                                    "value": undone.value}, None)  # fmt: skip
    finally:
        db.close()
    print(
        f"netsword scorer adjustments: undid {undone.id} ({undone.kind} “{undone.value}” for {undone.entry_id}); "
        "matching stops applying it from its next start"
    )
    return 0
