"""docs/regulated-goods.md stays in step with the rules file: every regime, number form and source is documented,
and the README links the page."""

from __future__ import annotations

from pathlib import Path

from matchers.regulated import REGULATED_KINDS, load_rules

REPO = Path(__file__).resolve().parents[2]
DOC = (REPO / "docs" / "regulated-goods.md").read_text(encoding="utf-8")


def test_every_regime_form_and_source_is_documented() -> None:
    for regime in load_rules().regimes:
        assert f"`{regime.id}` (`reg:{regime.id}`)" in DOC, regime.id
        assert regime.number.zh in DOC and regime.authority.zh in DOC, regime.id
        for form in regime.forms:
            assert f"| {form.name} |" in DOC, form.name
        for source in regime.sources:
            assert f"《{source.title}》, {source.issuer}, {source.article}" in DOC, source.title


def test_every_kind_is_documented_and_the_readme_links_the_page() -> None:
    for kind in REGULATED_KINDS:
        assert f"| `{kind}` |" in DOC, kind
    assert "(docs/regulated-goods.md)" in (REPO / "README.md").read_text(encoding="utf-8")
