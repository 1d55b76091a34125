"""The words of alert mail in Chinese and English; templates take them from here by key."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "subject_immediate": "{n} new high-risk lead{s}: {labels} on {platforms}",
        "subject_digest_hourly": "Hourly digest: {n} lead{s}: {labels} on {platforms}",
        "subject_digest_daily": "Daily digest: {n} lead{s}: {labels} on {platforms}",
        "intro_immediate": "NetSword found {n} lead{s} that match your alert rules.",
        "intro_digest": "NetSword found {n} lead{s} that match your alert rules since the last digest.",
        "score": "Score",
        "title": "Title",
        "price": "Price",
        "seller": "Seller",
        "reasons": "Why",
        "link": "Open",
        "event_new": "new",
        "event_band": "score rose to {band}+",
        "event_returned": "back after dismissal, changed",
        "entry": "Watchlist entry",
        "footer": "You receive this because of alert rule(s) {rules}. Scores run 0–100; higher is more urgent.",
        "and_more": "and {n} more",
        "none": "—",
    },
    "zh": {
        "subject_immediate": "{n} 条新的高风险线索：{labels}（{platforms}）",
        "subject_digest_hourly": "每小时汇总：{n} 条线索：{labels}（{platforms}）",
        "subject_digest_daily": "每日汇总：{n} 条线索：{labels}（{platforms}）",
        "intro_immediate": "NetSword 发现 {n} 条符合您预警规则的线索。",
        "intro_digest": "自上次汇总以来，NetSword 发现 {n} 条符合您预警规则的线索。",
        "score": "分数",
        "title": "标题",
        "price": "价格",
        "seller": "卖家",
        "reasons": "原因",
        "link": "查看",
        "event_new": "新线索",
        "event_band": "分数升至 {band} 以上",
        "event_returned": "已驳回后再次出现且有变化",
        "entry": "监控条目",
        "footer": "您收到此邮件是因为预警规则 {rules}。分数 0–100，越高越紧急。",
        "and_more": "等 {n} 项",
        "none": "—",
    },
}


def text(language: str, key: str, **values: object) -> str:
    template = STRINGS.get(language, STRINGS["en"])[key]
    return template.format(**values) if values else template


def plural(language: str, n: int) -> str:
    return "s" if language == "en" and n != 1 else ""
