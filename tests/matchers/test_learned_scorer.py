"""The learned scorer: decisions move scores, the weights file round-trips, and `netsword scorer train` learns from the
lead store's confirmed and dismissed leads (a real SQLite store), which matching then uses when configured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leads.store import LeadQuery, open_store_from_config
from matchers import learned
from matchers.configured import build_index
from netsword.cli import main
from netsword.config import load_config
from netsword.models import Hit, Listing, Reason

ACCESSORY = frozenset({"exact_mark", "cue_word", "nominative_use"})
COUNTERFEIT = frozenset({"exact_mark", "class_match", "cue_word"})
PLAIN = frozenset({"exact_mark", "class_match"})


def _decisions(accessory_confirmed: bool) -> list[learned.Decision]:
    out = [learned.Decision(COUNTERFEIT, True) for _ in range(30)]
    out += [learned.Decision(PLAIN, n % 3 == 0) for n in range(30)]
    out += [learned.Decision(ACCESSORY, accessory_confirmed) for _ in range(20)]
    return out


def _hit(codes: frozenset[str], score: float) -> Hit:
    return Hit("tm-x", "trademark", score, "X", tuple(Reason(c, c) for c in sorted(codes)))


def test_dismissing_a_pattern_lowers_its_scores_and_confirming_raises_them() -> None:
    dismissed = learned.train(_decisions(accessory_confirmed=False))
    confirmed = learned.train(_decisions(accessory_confirmed=True))
    low, high = dismissed.rescore(_hit(ACCESSORY, 25)), confirmed.rescore(_hit(ACCESSORY, 25))
    assert low.score < 25 < high.score
    assert dismissed.weights["nominative_use"] < 0 < confirmed.weights["nominative_use"]
    # counterfeit signals still outrank plain use under either model
    for model in (dismissed, confirmed):
        assert model.rescore(_hit(COUNTERFEIT, 80)).score > model.rescore(_hit(PLAIN, 60)).score
    explained = low.reasons[-1]
    assert (
        explained.code == "learned_score" and "nominative_use -" in explained.detail and "rules 25" in explained.detail
    )


def test_too_few_decisions_or_one_outcome_keep_the_static_scorer() -> None:
    with pytest.raises(learned.LearnedScorerError, match="at least 50"):
        learned.train(_decisions(True)[:10])
    with pytest.raises(learned.LearnedScorerError, match="both outcomes"):
        learned.train([learned.Decision(PLAIN, True)] * 60)


def test_the_weights_file_round_trips_and_bad_files_name_the_field(tmp_path: Path) -> None:
    model = learned.train(_decisions(False))
    path = tmp_path / "w.json"
    model.save(path)
    again = learned.load(path)
    assert again.weights == model.weights and again.decisions == 80
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "version": 99}))
    with pytest.raises(learned.LearnedScorerError, match=r"w\.json: version"):
        learned.load(path)
    path.write_text(json.dumps({**data, "weights": {"cue_word": "high"}}))
    with pytest.raises(learned.LearnedScorerError, match=r"w\.json: weights"):
        learned.load(path)


def test_scorer_train_learns_from_the_store_and_matching_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[store]\nurl = "sqlite:///{tmp_path / "leads.db"}"\n')
    titles = [f"NIKE 运动鞋 高仿 {n}" for n in range(25)] + [f"NIKE 运动鞋 款{n}" for n in range(25)]
    titles += [f"适用于 NIKE 鞋带 高仿 {n}" for n in range(15)]
    listings = tmp_path / "listings.jsonl"
    listings.write_text("".join(json.dumps({"id": str(n), "platform": "t", "url": f"https://t/{n}", "title": t,
                                            "crawled_at": "2026-11-30T00:00:00Z"}, ensure_ascii=False) + "\n"
                                for n, t in enumerate(titles)), encoding="utf-8")  # fmt: skip
    assert main(["--config", str(toml), "match", "--listings", str(listings), "--store", "--no-alerts",
                 "--min-score", "20", "--out", str(tmp_path / "leads.jsonl")]) == 0  # fmt: skip
    cfg = load_config(toml)
    with open_store_from_config(cfg) as store:
        leads = list(store.iter_leads(LeadQuery(kind=("trademark",))))
        assert len(leads) == 65
        for n, lead in enumerate(leads):
            accessory = "nominative_use" in {r.code for r in lead.reasons}
            cue = "cue_word" in {r.code for r in lead.reasons}
            confirmed = not accessory and (cue or n % 2 == 0)
            store.set_status(lead.lead_id, "confirmed" if confirmed else "dismissed")
    assert main(["--config", str(toml), "scorer", "train", "--min-decisions", "20", "--no-corpus"]) == 0
    weights = cfg.var_dir / "learned-scorer.json"
    assert learned.load(weights).weights["nominative_use"] < 0
    assert main(["--config", str(toml), "scorer", "show", str(weights)]) == 0
    capsys.readouterr()
    assert main(["--config", str(toml), "scorer", "report"]) == 0
    report = {line.split()[0] + (" " + line.split()[1] if line.split()[0] == "cue" else ""): line.split()[-1]
              for line in capsys.readouterr().out.splitlines()[2:]}  # fmt: skip
    assert report["nominative_use"] == "0.00" and report["cue “高仿”"] == f"{25 / 40:.2f}"

    accessory = Listing.from_dict({"id": "a", "platform": "t", "url": "u", "title": "适用于 NIKE 鞋带 高仿"})
    static = {h.entry_id: h for h in build_index(cfg).match(accessory)}["tm-nike"]
    toml.write_text(toml.read_text() + f'[matching]\nlearned_scorer = "{weights}"\n')
    rescored = {h.entry_id: h for h in build_index(load_config(toml)).match(accessory)}
    assert static.score == 25 and "tm-nike" not in rescored  # below the noise floor now: that pattern was dismissed
    counterfeit = Listing.from_dict({"id": "c", "platform": "t", "url": "u", "title": "NIKE 运动鞋 高仿"})
    (hit,) = [h for h in build_index(load_config(toml)).match(counterfeit) if h.entry_id == "tm-nike"]
    assert hit.score > 80 and hit.reasons[-1].code == "learned_score"


def test_a_configured_weights_file_that_cannot_be_used_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weights = tmp_path / "w.json"
    weights.write_text('{"format": "netsword-learned-scorer", "version": 1, "weights": []}')
    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[matching]\nlearned_scorer = "{weights}"\n')
    listings = tmp_path / "l.jsonl"
    listings.write_text('{"id": "1", "platform": "t", "url": "https://t/1", "title": "NIKE 运动鞋"}\n')
    assert main(["--config", str(toml), "match", "--listings", str(listings)]) == 2
    assert capsys.readouterr().err.strip() == f"netsword: {weights}: weights: must map reason codes to numbers"


def test_scorer_train_learns_from_the_corpus_development_part_as_well(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "netsword.toml"
    toml.write_text(f'[paths]\nvar_dir = "{tmp_path / "var"}"\n[store]\nurl = "sqlite:///{tmp_path / "leads.db"}"\n')
    # no decisions in the store: the store alone is refused, the corpus's labelled cases are enough
    assert main(["--config", str(toml), "scorer", "train", "--no-corpus"]) == 1
    assert main(["--config", str(toml), "scorer", "train"]) == 0
    assert "0 decisions from the store" in capsys.readouterr().out
    model = learned.load(tmp_path / "var" / "learned-scorer.json")
    assert model.meta["store_decisions"] == 0 and model.meta["corpus_decisions"] == model.decisions > 1000
    assert 0 < model.confirmed < model.decisions
    # accessories and private resale are the corpus's negatives; counterfeit cues its positives
    assert model.weights["nominative_use"] < 0 and model.weights["private_resale"] < 0 < model.weights["cue_word"]
    assert main(["--config", str(toml), "scorer", "train", "--corpus", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.strip() == f"netsword: {tmp_path / 'nowhere' / 'generate.py'}: corpus: no such file"


def test_corpus_cases_become_decisions_by_their_labels() -> None:
    def hits_of(listing: Listing) -> list[Hit]:
        return [Hit("tm-a", "trademark", 80, "A", (Reason("cue_word", "counterfeit cue “高仿”"),)),
                Hit("tm-b", "trademark", 60, "B", (Reason("exact_mark", "x"),))]  # fmt: skip

    cases = [{"title": "t", "expect": "tm-a", "reject": ""}, {"title": "t", "expect": "", "reject": "tm-b"},
             {"title": "t", "expect": "", "reject": "*"}]  # fmt: skip
    found = learned.corpus_decisions(cases, hits_of)
    assert [(sorted(d.codes), d.confirmed) for d in found] == [
        (["cue_word"], True), (["exact_mark"], False), (["cue_word"], False), (["exact_mark"], False)]  # fmt: skip
    assert found[0].terms == frozenset({"高仿"})
