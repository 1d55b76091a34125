"""Score ordering, configuration wiring, the extendable cue lexicon and the purity of the matchers package."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from matchers import MatchIndex, MatchSettings, compile_index
from matchers.configured import build_index
from matchers.vocabulary import VocabularyError
from netsword.config import load_config
from netsword.models import Listing
from watchlists import load_watchlists
from watchlists.configured import sample_watchlists


def _listing(title: str, **extra: object) -> Listing:
    return Listing.from_dict(
        {"id": "1", "platform": "t", "url": "u", "title": title, "seller": {"name": "鞋店"}, **extra}
    )


def _score(index: MatchIndex, title: str, entry: str, **extra: object) -> float:
    return next((h.score for h in index.match(_listing(title, **extra)) if h.entry_id == entry), 0.0)


def test_counterfeit_signals_rank_above_plain_brand_use(sample_index: MatchIndex) -> None:
    plain = _score(sample_index, "耐克 Air Max 男子运动鞋", "tm-nike", price=899)
    slang = _score(sample_index, "耐克 Air Max 男子运动鞋 莆田 纯原", "tm-nike", price=899)
    cheap = _score(sample_index, "耐克 Air Max 男子运动鞋", "tm-nike", price=59)
    assert 50 <= plain < slang and plain < cheap


def test_every_hit_explains_itself(sample_index: MatchIndex) -> None:
    (hit,) = [h for h in sample_index.match(_listing("N1KE 运动鞋 高仿", price=99)) if h.entry_id == "tm-nike"]
    assert hit.matched == "N1KE"
    assert {"exact_mark", "digit_substitution", "class_match", "cue_word", "price_anomaly"} <= {
        r.code for r in hit.reasons
    }
    assert all(r.detail for r in hit.reasons)


def test_weights_come_from_configuration(tmp_path: Path) -> None:
    toml = tmp_path / "netsword.toml"
    toml.write_text("[matching]\nclass_match = 0\nexact_score = 30\n", encoding="utf-8")
    index = build_index(load_config(toml, env={}))
    assert index.settings.exact_score == 30 and index.settings.class_match == 0
    assert _score(index, "耐克 运动鞋", "tm-nike") == 35  # 30 + 5 for an unauthorised seller


def test_cue_lexicon_is_extendable_and_bad_lines_are_reported(tmp_path: Path) -> None:
    extra = tmp_path / "cues.tsv"
    extra.write_text("# term\tlang\tkind\n超A\tzh\tquality-claim\n \tzh\tcue\n", encoding="utf-8")
    watchlist = load_watchlists(sample_watchlists())
    index = compile_index(watchlist, MatchSettings(), cue_lexicon=str(extra))
    assert index.warnings == [f"{extra}:3: term: is empty"]
    assert _score(index, "耐克 运动鞋 超A", "tm-nike") > _score(index, "耐克 运动鞋", "tm-nike")
    with pytest.raises(VocabularyError, match="cannot read"):
        compile_index(watchlist, cue_lexicon=str(tmp_path / "missing.tsv"))


def test_matchers_import_no_frameworks_or_databases() -> None:
    banned = {"scrapy", "fastapi", "sqlalchemy", "sqlite3", "elasticsearch", "httpx", "jinja2", "uvicorn"}
    for path in Path("matchers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not {n.split(".")[0] for n in names} & banned, path
