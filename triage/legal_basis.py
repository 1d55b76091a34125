"""The law a lead concerns, as a referral package names it: the lead's own `legal_basis` reason when its matcher gave
one (licence leads name their regime's regulation and article, copyright leads the Copyright Law), else the statute
of its kind. Articles are cited from memory and marked as not verified against the published text: whoever signs
the referral checks them.
"""

from __future__ import annotations

from netsword.models import Lead

UNVERIFIED = "条款未核实 / articles not verified against the published text"
BY_KIND = {
    "trademark": "《中华人民共和国商标法》（2019年修正）第五十七条、第六十条（侵犯注册商标专用权；销售侵犯注册商标专用权的商品） / "
                 "Trademark Law of the PRC (2019) arts. 57, 60",
    "geographical_indication": "《中华人民共和国商标法》（2019年修正）第十六条；《地理标志产品保护办法》 / Trademark Law of "
                               "the PRC (2019) art. 16; Measures for the Protection of Geographical Indication Products",
    "patent": "《中华人民共和国专利法》（2020年修正）第十一条、第六十五条（未经许可实施专利） / Patent Law of the PRC (2020) "
              "arts. 11, 65",
    "false_patent_marking": "《中华人民共和国专利法》（2020年修正）第六十八条（假冒专利） / Patent Law of the PRC (2020) art. "
                            "68 (passing off a patent)",
    "copyright": "《中华人民共和国著作权法》（2020年修正）第十条、第五十二条、第五十三条 / Copyright Law of the PRC (2020) "
                 "arts. 10, 52, 53",
    "parcel_pattern": "《中华人民共和国知识产权海关保护条例》第二条、第三条 / Regulations on Customs Protection of "
                      "Intellectual Property Rights arts. 2, 3",
}  # fmt: skip
LICENCE_FALLBACK = "该类商品的许可、注册或批准管理规定（见 docs/regulated-goods.md） / the regime's licensing rules"


def legal_basis(lead: Lead) -> str:
    """What law the lead concerns, one line in Chinese and English."""
    own = next((r.detail for r in lead.reasons if r.code == "legal_basis" and r.detail), "")
    if own:
        return own if any(w in own for w in ("未核实", "unverified", "not verified")) else f"{own} ({UNVERIFIED})"
    basis = BY_KIND.get(lead.kind) or (LICENCE_FALLBACK if lead.kind.startswith("licence_") else "")
    return f"{basis} ({UNVERIFIED})" if basis else ""
