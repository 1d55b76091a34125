"""Reason codes read in the UI's language: every code the matchers can emit has a Chinese and an English label
(triage/reason_texts.py), and a lead's page shows the label with the code and the matcher's detail kept."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from triage_helpers import client_for, login

from matchers.works_scoring import PIRACY_KINDS
from netsword.models import Reason
from triage.reason_texts import REASON_TEXTS, reason_label

pytestmark = pytest.mark.anyio
MATCHERS = Path(__file__).resolve().parents[2] / "matchers"


def emitted_codes() -> set[str]:
    """Every reason code written in the matchers' source: Reason("x", …) and reason("x", …) calls, the
    `"a" if … else "b"` choices made inside them or assigned to `code`, and the piracy cue kinds' codes."""
    codes = {code for code, _ in PIRACY_KINDS.values()}
    for path in MATCHERS.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(re.findall(r'\b(?:Reason|reason)\(\s*"([a-z_]+)"', text))
        for found in re.finditer(r'(?:Reason\(|code = )\s*"([a-z_]+)" if [^\n]*? else "([a-z_]+)"', text):
            codes |= set(found.groups())
    return codes


def test_every_reason_code_the_matchers_emit_has_both_texts() -> None:
    codes = emitted_codes()
    assert len(codes) > 50  # the scan found the matchers' codes (it would pass vacuously if it found none)
    assert sorted(codes - set(REASON_TEXTS)) == []
    for code, (zh, en) in REASON_TEXTS.items():
        assert zh.strip() and en.strip(), code
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{code}: the Chinese text has no Chinese"
        assert not re.search(r"[\u4e00-\u9fff]", en), f"{code}: the English text has Chinese in it"
    assert reason_label("cue_word", "zh") == "仿冒提示词" and reason_label("cue_word", "en") == "Counterfeit cue words"
    assert reason_label("some_future_code", "zh") == "some_future_code"


def test_every_documented_reason_code_has_both_texts() -> None:
    docs = (MATCHERS.parent / "docs" / "matching.md").read_text(encoding="utf-8")
    section = docs.split("## Reason codes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z_]+)`", section))
    assert len(documented) > 40 and sorted(documented - set(REASON_TEXTS)) == []


async def test_a_leads_page_shows_reason_labels_in_the_chosen_language(app, leads) -> None:
    lead = leads[0]
    st = app.state.triage
    st.store.upsert_many([replace(lead, reasons=(Reason("cue_word", "counterfeit cue “高仿”"),
                                                 Reason("price_anomaly", "¥89 is 18% of the lowest genuine price")))])  # fmt: skip
    async with client_for(app) as client:
        await login(client, "investigator")
        zh = (await client.get(f"/leads/{lead.lead_id}")).text
        assert "仿冒提示词" in zh and "价格异常偏低" in zh and "counterfeit cue “高仿”" in zh
        await client.get("/lang/en?next=/")
        en = (await client.get(f"/leads/{lead.lead_id}")).text
        assert "Counterfeit cue words" in en and "Price far below genuine" in en and "仿冒提示词" not in en
        assert "<code>cue_word</code>" in en  # the code itself stays visible
