"""MatchSettings: every weight and threshold of the matchers' score formula (docs/matching.md), tunable from config."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MatchSettings:
    """Points added or removed per signal; a hit's score is their sum, clamped to 0–100 (docs/matching.md)."""

    # how the mark was found
    exact_score: float = 45  # a registered form, as written (case, width and spacing aside)
    disguise_score: float = 55  # a registered form hidden by look-alikes, separators, digits or traditional script
    typo_score: float = 45  # one edit away from a Latin form of five letters or more
    pinyin_score: float = 45  # a Chinese form's pinyin spelled out in Latin letters
    homophone_score: float = 45  # Chinese characters read like the mark (same toneless pinyin)
    near_mark_score: float = 45  # a Chinese mark of three or more characters with one character changed
    codeword_score: float = 45  # sellers' code word for the mark (驴牌, 绿水鬼, 双G), in the entry's own goods
    distinctive_bonus: float = 5  # a long, distinctive mark whose goods could not be inferred
    # goods
    class_match: float = 15  # the listing's goods fall in one of the entry's Nice classes
    related_class: float = 8  # … or in a related class
    class_mismatch_penalty: float = 45  # the goods are known and unrelated to the entry's classes
    # counterfeit signals
    cue_word: float = 20  # first counterfeit-cue term (高仿, replica …)
    cue_word_extra: float = 5  # each further cue term
    cue_word_cap: float = 30
    evasion_phrase: float = 20  # 同款 / 风格 / style next to the mark
    price_ratio: float = 0.5  # below this share of the MSRP the price is anomalous
    price_anomaly: float = 20
    absurd_price_ratio: float = 0.2  # below this share the price is absurd
    absurd_price: float = 30
    unauthorized_seller: float = 5  # the entry names its sellers and this one is not among them
    # legitimate use
    nominative_penalty: float = 45  # 适用于 / compatible with + mark + accessory, or a list of 3+ marks
    resale_penalty: float = 20  # 闲置 / 九成新 / used at a plausible price with no counterfeit signal
    # patents and geographical indications
    false_marking_score: float = 70
    patent_citation_score: float = 60
    patent_keyword_score: float = 45
    gi_outside_region_score: float = 70
    gi_unauthorized_score: float = 55
    gi_unknown_origin_score: float = 45
    # rules for short and ordinary-word marks
    short_latin_max: int = 3  # Latin forms this short need a goods match and whole-word use
    min_typo_length: int = 5  # shorter Latin forms get no substitution typos (only swaps and doubled letters)
