"""A learned, explainable scorer over the rules' reason codes, trained from investigators' decisions.

The rules decide *whether* a listing is a hit (every veto stays: an accessory, a dictionary word, an authorised store
at a normal price is never rescored into a lead); the learned model only re-weighs the hits they produce:

    P(confirmed) = σ(bias + Σ weight[code] for each reason code the hit carries),   score = 100 × P

Weights are fitted by L2-regularised logistic regression (scipy's L-BFGS) on decisions — leads confirmed or referred
(1) and dismissed (0) — so a hit's score is a calibrated probability and its explanation is the weight of each of its
reason codes. Few decisions move the weights little (the L2 term pulls them to 0). The model ships as a versioned
JSON file written by `netsword scorer train` and is used when `matching.learned_scorer` names it; until then (and
with fewer than `MIN_DECISIONS` decisions, which `train` refuses) the static rules score every hit.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from matchers.errors import LearnedScorerError
from netsword.models import Hit, Listing, Reason

FORMAT = "netsword-learned-scorer"
VERSION = 1
MIN_DECISIONS = 50  # fewer decisions than this say too little: the static scorer stays
L2 = 1.0  # strength of the pull of every weight towards 0
# codes that describe the model or the legal basis, not the listing: never features
NOT_FEATURES = frozenset({"learned_score", "legal_basis"})


@dataclass(frozen=True)
class Decision:
    """One investigator decision on a lead: its reason codes and whether it was confirmed (or referred)."""

    codes: frozenset[str]
    confirmed: bool
    terms: frozenset[str] = frozenset()  # the counterfeit cue terms the lead named (for the per-term report)


def cue_terms(detail: str) -> frozenset[str]:
    """The cue terms quoted in a `cue_word` reason's detail (`counterfeit cue “高仿”, “莆田”`)."""
    return frozenset(re.findall(r"“([^”]+)”", detail))


def corpus_decisions(cases: Iterable[Mapping[str, object]], hits_of: Callable[[Listing], list[Hit]]) -> list[Decision]:
    """Decisions from a labelled corpus (benchmarks/corpus/generate.py cases: label, title, price, seller, `expect`
    the entries that must be leads, `reject` the entries, or `*` any, that must not be): a hit on an expected entry
    counts as confirmed, a hit on a rejected one as dismissed; other hits say nothing."""
    out = []
    for n, case in enumerate(cases):
        data: dict[str, object] = {"id": str(case.get("id", n)), "platform": "corpus", "url": f"corpus:{n}",
                                   "title": case.get("title", ""), "price": case.get("price"),
                                   "currency": case.get("currency") or "CNY", "crawled_at": "2026-11-30T00:00:00Z"}  # fmt: skip
        if case.get("seller"):
            data["seller"] = {"name": case["seller"]}
        expect = set(str(case.get("expect") or "").split())
        reject = str(case.get("reject") or "")
        for hit in hits_of(Listing.from_dict(data)):
            if hit.kind != "trademark":
                continue
            if hit.entry_id in expect:
                confirmed = True
            elif reject == "*" or hit.entry_id in reject.split():
                confirmed = False
            else:
                continue
            terms = frozenset().union(*(cue_terms(r.detail) for r in hit.reasons if r.code == "cue_word"))
            out.append(Decision(frozenset(r.code for r in hit.reasons), confirmed, terms))
    return out


def precision_report(decisions: Sequence[Decision]) -> list[tuple[str, int, int]]:
    """(feature, decisions, confirmed) for each reason code (`code`) and cue term (`cue “term”`) seen in decisions,
    most decided first: how often investigators confirmed the leads that carried it."""
    counts: dict[str, list[int]] = {}
    for d in decisions:
        for feature in [*sorted(d.codes - NOT_FEATURES), *(f"cue “{t}”" for t in sorted(d.terms))]:
            seen = counts.setdefault(feature, [0, 0])
            seen[0] += 1
            seen[1] += d.confirmed
    return sorted(((f, n, c) for f, (n, c) in counts.items()), key=lambda row: (-row[1], row[0]))


@dataclass(frozen=True)
class LearnedScorer:
    """Per-reason-code weights of a logistic model; `decisions` and `confirmed` say what it was trained on."""

    bias: float
    weights: Mapping[str, float]
    decisions: int
    confirmed: int
    trained_at: str = ""
    kinds: tuple[str, ...] = ("trademark",)  # hit kinds the model was trained on and rescores
    meta: Mapping[str, object] = field(default_factory=dict)

    def contributions(self, codes: Iterable[str]) -> list[tuple[str, float]]:
        """(code, weight) of each known code of a hit, largest effect first: the hit's explanation."""
        found = {c: self.weights[c] for c in set(codes) if c in self.weights}
        return sorted(found.items(), key=lambda kv: (-abs(kv[1]), kv[0]))

    def probability(self, codes: Iterable[str]) -> float:
        z = self.bias + sum(w for _, w in self.contributions(codes))
        return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0

    def rescore(self, hit: Hit) -> Hit:
        """The hit scored by the model, with a `learned_score` reason explaining it; other kinds are unchanged."""
        if hit.kind not in self.kinds:
            return hit
        codes = [r.code for r in hit.reasons]
        p = self.probability(codes)
        parts = ", ".join(f"{c} {w:+.2f}" for c, w in self.contributions(codes)[:6]) or "no known reason"
        why = (f"learned from {self.decisions} decisions: P(confirmed) {p:.2f} (rules {hit.score:g}); "
               f"bias {self.bias:+.2f}, {parts}")  # fmt: skip
        return replace(hit, score=round(100 * p, 1), reasons=(*hit.reasons, Reason("learned_score", why)))

    def to_dict(self) -> dict[str, object]:
        return {"format": FORMAT, "version": VERSION, "bias": self.bias, "weights": dict(sorted(self.weights.items())),
                "decisions": self.decisions, "confirmed": self.confirmed, "trained_at": self.trained_at,
                "kinds": list(self.kinds), "meta": dict(self.meta)}  # fmt: skip

    def save(self, path: str | Path) -> None:
        """Write atomically (a matcher starting meanwhile reads the old file or the new one, never half)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.to_dict(), fh, ensure_ascii=False, indent=1)
                fh.write("\n")
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def load(path: str | Path) -> LearnedScorer:
    """The model in a weights file; LearnedScorerError (file: field: what) when it cannot be used."""
    where = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LearnedScorerError(f"{where}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise LearnedScorerError(f"{where}: not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LearnedScorerError(f"{where}: format: not a {FORMAT} file")
    if data.get("version") != VERSION:
        raise LearnedScorerError(f"{where}: version: {data.get('version')!r}, this NetSword reads {VERSION}")
    weights = data.get("weights")
    if not isinstance(weights, dict) or not all(isinstance(v, int | float) for v in weights.values()):
        raise LearnedScorerError(f"{where}: weights: must map reason codes to numbers")
    for key in ("bias", "decisions", "confirmed"):
        if not isinstance(data.get(key), int | float):
            raise LearnedScorerError(f"{where}: {key}: must be a number")
    return LearnedScorer(bias=float(data["bias"]), weights={str(k): float(v) for k, v in weights.items()},
                         decisions=int(data["decisions"]), confirmed=int(data["confirmed"]),
                         trained_at=str(data.get("trained_at", "")), kinds=tuple(data.get("kinds") or ("trademark",)),
                         meta=dict(data.get("meta") or {}))  # fmt: skip


def train(decisions: Sequence[Decision], *, l2: float = L2, min_decisions: int = MIN_DECISIONS) -> LearnedScorer:
    """Fit the model; LearnedScorerError when there are fewer than `min_decisions` decisions or only one outcome."""
    import numpy as np
    from scipy.optimize import minimize

    confirmed = sum(d.confirmed for d in decisions)
    if len(decisions) < min_decisions:
        raise LearnedScorerError(f"decisions: {len(decisions)}, at least {min_decisions} are needed")
    if confirmed in (0, len(decisions)):
        raise LearnedScorerError("decisions: all confirmed or all dismissed; both outcomes are needed")
    codes = sorted({c for d in decisions for c in d.codes} - NOT_FEATURES)
    column = {c: i for i, c in enumerate(codes)}
    x = np.zeros((len(decisions), len(codes) + 1))
    x[:, 0] = 1.0  # the bias
    for row, d in enumerate(decisions):
        for c in d.codes:
            if c in column:
                x[row, column[c] + 1] = 1.0
    y = np.array([1.0 if d.confirmed else 0.0 for d in decisions])
    penalty = np.full(len(codes) + 1, l2)
    penalty[0] = 0.0  # the bias is not pulled to 0

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ theta
        # log(1 + e^z) - y·z, computed stably
        value = float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * theta * theta))
        grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y) + penalty * theta
        return value, grad

    result = minimize(loss, np.zeros(len(codes) + 1), jac=True, method="L-BFGS-B")
    theta = result.x
    return LearnedScorer(bias=float(theta[0]), weights={c: round(float(theta[i + 1]), 4) for i, c in enumerate(codes)},
                         decisions=len(decisions), confirmed=confirmed,
                         trained_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                         meta={"l2": l2, "converged": bool(result.success)})  # fmt: skip
