"""What each reason code of a lead means, in Chinese and English, for the triage UI (docs/matching.md#reason-codes).

A reason's `detail` is written by the matcher (English, or `中文 / English` for regulated goods) and is shown as
it is beside this label; the label is what reads in the UI's language. Codes not in the table (a newer matcher's)
show as the code itself. tests/triage/test_reason_texts.py checks every code the matchers can emit is here.
"""

from __future__ import annotations

REASON_TEXTS: dict[str, tuple[str, str]] = {
    # how the mark was found
    "exact_mark": ("商标原文", "Registered mark as written"),
    "variant_mark": ("商标的注册变体（中文名等）", "Registered variant of the mark"),
    "homoglyph": ("形近字符替换", "Look-alike characters"),
    "letterlike": ("类字母符号（小型大写、带圈字母等）", "Letter-like symbols"),
    "digit_substitution": ("以数字代替字母", "Digits for letters"),
    "full_width": ("全角字符", "Full-width characters"),
    "zero_width": ("隐藏的零宽字符", "Hidden zero-width characters"),
    "separator": ("商标中插入分隔符", "Separators inside the mark"),
    "mixed_script": ("汉字与拼音混写", "Mixed scripts (hanzi and pinyin)"),
    "traditional_script": ("繁体字写法", "Traditional characters"),
    "glued": ("商标与其他文字连写", "Mark glued to other words"),
    "typo": ("故意错拼", "Misspelling"),
    "pinyin": ("拼音写法", "Written in pinyin"),
    "homophone": ("同音字替换", "Homophone characters"),
    "near_mark": ("近似商标", "Near the mark"),
    "code_word": ("卖家暗语（品牌代称）", "Seller code word for the brand"),
    "brand_list": ("罗列多个品牌", "A list of brands"),
    # goods and context
    "class_match": ("商品属于商标核定类别", "Goods in the mark's classes"),
    "related_class": ("商品属于相关类别", "Goods in a related class"),
    "class_mismatch": ("商品与商标类别无关", "Goods unrelated to the mark's classes"),
    "cue_word": ("仿冒提示词", "Counterfeit cue words"),
    "evasion_phrase": ("规避审查用语", "Evasion phrase"),
    "price_anomaly": ("价格异常偏低", "Price far below genuine"),
    "daigou_contradiction": ("代购说法自相矛盾", "Contradictory daigou claims"),
    "daigou_price": ("代购价格不合理", "Implausible daigou price"),
    "unauthorized_seller": ("非授权卖家", "Not an authorised seller"),
    "authorized_seller": ("授权卖家", "Authorised seller"),
    "nominative_use": ("指示性使用（配件/兼容）", "Nominative use (accessory / compatible)"),
    "private_resale": ("个人转卖/二手", "Private resale / second-hand"),
    "learned_score": ("模型评分（据研判结果训练）", "Learned score (trained on decisions)"),
    "legal_basis": ("法律依据", "Legal basis"),
    # patents
    "invalid_check_character": ("专利号校验位错误", "Patent number check character wrong"),
    "patent_expired": ("专利已过期", "Patent expired"),
    "cited_patent": ("标称专利号", "Patent number cited"),
    "patent_keyword": ("专利技术关键词", "Patented-product keywords"),
    # geographical indications
    "gi_name": ("地理标志名称", "Geographical indication name"),
    "outside_region": ("产地不在保护范围内", "Origin outside the protected region"),
    "unauthorized_producer": ("非授权生产者", "Not an authorised producer"),
    "unknown_origin": ("产地不明", "Origin not stated"),
    # copyright works
    "work_title": ("作品名称", "Title of the work"),
    "work_alias": ("作品简称/别称", "Short name of the work"),
    "work_merchandise": ("周边商品", "Merchandise about the work"),
    "work_about": ("介绍或评论该作品", "About the work"),
    "physical_copy": ("正版实体制品", "Physical copy"),
    "cracked_copy": ("破解版", "Cracked copy"),
    "pirated_copy": ("盗版/枪版", "Pirated copy"),
    "cloud_share": ("网盘/下载链接发货", "Cloud-drive or download link"),
    "shared_account": ("共享/租用账号", "Shared or rented account"),
    "digital_copy": ("未经许可的电子版", "Unlicensed digital copy"),
    "resource_bundle": ("资源合集", "Resources bundle"),
    "licence_key": ("激活码/序列号", "Licence keys"),
    # regulated goods' licence numbers
    "licence_number_not_shown": ("未展示许可证编号", "Licence number not shown"),
    "no_licence_number": ("缺少许可证编号", "No licence number"),
    "high_risk_goods": ("高风险品类", "High-risk goods"),
    "health_claim": ("宣称保健功能", "Health claim"),
    "malformed_number": ("编号格式错误", "Malformed number"),
    "retired_number_form": ("已停用的编号形式", "Retired number form"),
    "not_in_register": ("登记库中查无此号", "Not in the register"),
    "withdrawn_in_register": ("登记库中已注销/撤销", "Withdrawn in the register"),
    "expired_in_register": ("登记库中已过期", "Expired in the register"),
    "registered_for_other_product": ("编号登记的是其他产品", "Number registered for another product"),
    "registered_to_other_holder": ("编号持有人与生产企业不符", "Number held by another company"),
    "number_for_other_goods": ("编号所示品类与商品不符", "Number for other goods"),
    "unlicensed_goods_cue": ("无证或来路不明商品的迹象", "Unlicensed-goods cue"),
}  # fmt: skip


def reason_label(code: str, lang: str) -> str:
    """The code's label in `lang` (zh or en); the code itself when the table does not know it."""
    pair = REASON_TEXTS.get(code)
    return (pair[1] if lang == "en" else pair[0]) if pair else code
