"""The regulated checks inside the rest of NetSword: the match index runs them, the configured index reads the
imported registers, leads carry the new kinds, and alert rules, `--kind` filters and the triage UI accept them."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.rules import load_rules as load_alert_rules
from leads.process import find_leads
from matchers import compile_index
from matchers.configured import build_index
from matchers.regulated import REGULATED_KINDS
from matchers.regulated.register_files import import_export, load_registers
from netsword.cli import build_parser
from netsword.config import load_config
from netsword.models import LEAD_KINDS, Listing
from triage.i18n import LANGUAGES, translator
from watchlists import load_watchlists
from watchlists.configured import sample_watchlists

SAMPLES = Path(__file__).resolve().parents[2] / "demo" / "data" / "registers"


def listing(title: str, platform: str = "shop", **extra: object) -> Listing:
    return Listing.from_dict({"id": "l1", "platform": platform, "url": "https://shop/l1", "title": title,
                              "crawled_at": "2026-11-01T00:00:00Z", **extra})  # fmt: skip


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return compile_index(load_watchlists(sample_watchlists()))


def test_the_match_index_runs_the_checks_beside_the_watchlist(index) -> None:  # type: ignore[no-untyped-def]
    leads = find_leads(listing("先正达 福戈 杀虫剂 稻田 工厂货", price=19), index)
    by_entry = {lead.entry_id: lead for lead in leads}
    assert by_entry["reg:pesticide"].kind == "licence_missing" and by_entry["reg:pesticide"].owner == ""
    assert by_entry["tm-syngenta"].kind == "trademark"
    cited = find_leads(listing("吡虫啉 杀虫剂 登记证号：LS20150123"), index)
    assert [(x.kind, x.cited_number) for x in cited] == [("licence_expired", "LS20150123")]


def test_parcels_and_ordinary_goods_give_no_licence_hits(index) -> None:  # type: ignore[no-untyped-def]
    assert not [h for h in index.match(listing("吡虫啉 杀虫剂", platform="parcel:sf")) if h.entry_id.startswith("reg:")]
    assert not [h for h in index.match(listing("2024新款 纯棉T恤 包邮")) if h.entry_id.startswith("reg:")]


def test_registers_reach_the_index(isolated: Path) -> None:
    cfg = load_config(None, env={})
    assert not build_index(cfg).regulated.registers.registers  # none imported yet
    import_export(SAMPLES / "pesticide.csv", "pesticide", cfg.var_dir / "registers")
    configured = build_index(cfg)
    assert "PD20070345" in configured.regulated.registers.registers["pesticide"].records
    unregistered = configured.match(listing("草铵膦 除草剂 PD20199999"))
    assert [h.kind for h in unregistered] == ["licence_unregistered"]
    explicit = compile_index(load_watchlists(sample_watchlists()), registers=load_registers(cfg.var_dir / "registers"))
    assert [h.kind for h in explicit.match(listing("草铵膦 除草剂 PD20199999"))] == ["licence_unregistered"]


def test_the_new_kinds_are_lead_kinds_with_labels_in_both_languages() -> None:
    assert set(REGULATED_KINDS) <= set(LEAD_KINDS)
    for language in LANGUAGES:
        t = translator(language)
        labels = {t(kind) for kind in REGULATED_KINDS}
        assert len(labels) == len(REGULATED_KINDS) and not labels & set(REGULATED_KINDS)


def test_alert_rules_and_kind_filters_accept_them(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - id: licences\n    to: [amr@example.gov.cn]\n"
                     "    kinds: [licence_missing, licence_malformed, licence_unregistered, licence_expired, "
                     "licence_mismatch]\n", encoding="utf-8")  # fmt: skip
    (rule,) = load_alert_rules(rules).rules
    assert rule.kinds == REGULATED_KINDS
    args = build_parser().parse_args(["leads", "list", "--kind", "licence_mismatch", "--kind", "licence_expired"])
    assert args.kind == ["licence_mismatch", "licence_expired"]
