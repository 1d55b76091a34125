"""Alert mail: multipart text + HTML from the Jinja2 templates in alerts/templates, in Chinese or English.

Settings: `alerts.base_url` (links to the triage UI), `alerts.timezone` (dates), `smtp.sender` (From).
Scraped text is hostile: it is stripped of control and bidi-override characters, truncated, escaped in HTML and
isolated (<bdi>, or FSI…PDI in plain text) so a right-to-left title cannot reorder the text around it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts import i18n
from alerts.outbox import Item
from netsword.config import Config, ConfigError

TEMPLATES = Path(__file__).parent / "templates"
_UNSAFE = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")  # bidi marks, embeddings, overrides
_SPACE = re.compile(r"\s+")
# Which event wins when one lead is alerted for several reasons in one message.
_EVENT_RANK = {"returned": 3, "band": 2, "new": 1}
_CURRENCY_SIGN = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "JP¥", "HKD": "HK$"}


def safe_text(value: Any, limit: int = 200) -> str:
    """One line of display text: no control or bidi-override characters, whitespace collapsed, at most `limit`."""
    text = _UNSAFE.sub("", str(value if value is not None else ""))
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def isolate(text: str) -> str:
    """Plain-text bidi isolation (FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE) around already-safe text."""
    return f"\u2068{text}\u2069"


def timezone_of(config: Config) -> ZoneInfo:
    try:
        return ZoneInfo(config.alerts.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"alerts.timezone: unknown time zone {config.alerts.timezone!r}") from None


def message_id_for(item_keys: list[str], sender: str) -> str:
    """Message-ID derived from the idempotency keys of the items a message carries: stable across retries."""
    # 32 hex digits keep the header short enough not to be folded for ordinary sender domains.
    digest = hashlib.sha256("\n".join(sorted(item_keys)).encode()).hexdigest()[:32]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "netsword.invalid"
    return f"<{digest}.alert@{domain}>"


@dataclass(frozen=True)
class Row:
    """One lead as shown in a message."""

    score: int
    title: str
    price: str
    seller: str
    reasons: tuple[str, ...]
    link: str
    event: str
    label: str
    platform: str


class Renderer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.tz = timezone_of(config)
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["isolate"] = isolate

    def rows(self, items: list[Item], language: str) -> list[Row]:
        best: dict[str, Item] = {}
        for item in items:
            kept = best.get(item.lead_id)
            if kept is None or _rank(item.event) > _rank(kept.event):
                best[item.lead_id] = item
        ordered = sorted(best.values(), key=lambda i: (-i.lead.score, i.lead_id))
        return [self._row(item, language) for item in ordered]

    def _row(self, item: Item, language: str) -> Row:
        lead = item.lead
        base = self.config.alerts.base_url.rstrip("/")
        return Row(
            score=lead.score,
            title=safe_text(lead.title, 200),
            price=_price(lead.price, str(lead.listing.get("currency", "CNY"))),
            seller=safe_text(lead.seller_name, 80) or i18n.text(language, "none"),
            reasons=tuple(safe_text(f"{r.code}: {r.detail}" if r.detail else r.code, 160) for r in lead.reasons[:5]),
            link=f"{base}/leads/{quote(lead.lead_id, safe='')}",
            event=_event_text(item.event, language),
            label=safe_text(item.label, 60),
            platform=safe_text(lead.platform, 40),
        )

    def subject(self, rows: list[Row], language: str, kind: str) -> str:
        n = len(rows)
        labels = _summary([r.label for r in rows], language)
        platforms = _summary([r.platform for r in rows], language)
        key = "subject_immediate" if kind == "immediate" else f"subject_digest_{kind.removeprefix('digest:')}"
        return "[NetSword] " + i18n.text(language, key, n=n, s=i18n.plural(language, n), labels=labels,
                                         platforms=platforms)  # fmt: skip

    def build(
        self, *, recipient: str, language: str, kind: str, items: list[Item], message_id: str, now: datetime
    ) -> EmailMessage:
        """The complete message for one recipient: kind is `immediate` or `digest:<hourly|daily>`."""
        rows = self.rows(items, language)
        subject = self.subject(rows, language, kind)
        context = {
            "t": {
                k: i18n.text(language, k)
                for k in ("score", "title", "price", "seller", "reasons", "link", "entry", "none")
            },  # fmt: skip
            "lang": language,
            "subject": subject,
            "intro": i18n.text(
                language,
                "intro_immediate" if kind == "immediate" else "intro_digest",
                n=len(rows),
                s=i18n.plural(language, len(rows)),
            ),  # fmt: skip
            "rows": rows,
            "footer": i18n.text(language, "footer", rules=", ".join(sorted({safe_text(i.rule_id, 60) for i in items}))),
            "date": now.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %Z"),
        }
        msg = EmailMessage(policy=SMTP)
        msg["Subject"] = subject
        msg["From"] = self.config.smtp.sender
        msg["To"] = Address(addr_spec=recipient)
        msg["Date"] = format_datetime(now.astimezone(self.tz))
        msg["Message-ID"] = message_id
        msg["Auto-Submitted"] = "auto-generated"
        msg["Content-Language"] = "zh-CN" if language == "zh" else "en"
        # quoted-printable keeps the message 7-bit: any server accepts it, no 8BITMIME needed.
        msg.set_content(self.env.get_template("message.txt").render(context), charset="utf-8", cte="quoted-printable")
        msg.add_alternative(
            self.env.get_template("message.html").render(context), subtype="html", charset="utf-8",
            cte="quoted-printable",
        )  # fmt: skip
        return msg


def _rank(event: str) -> int:
    return _EVENT_RANK.get(event.partition(":")[0], 0)


def _event_text(event: str, language: str) -> str:
    name, _, detail = event.partition(":")
    if name == "band":
        return i18n.text(language, "event_band", band=detail)
    return i18n.text(language, "event_returned" if name == "returned" else "event_new")


def _price(price: float | None, currency: str) -> str:
    if price is None:
        return "—"
    sign = _CURRENCY_SIGN.get(currency)
    return f"{sign}{price:,.2f}" if sign else f"{safe_text(currency, 3)} {price:,.2f}"


def _summary(values: list[str], language: str, most: int = 3) -> str:
    distinct = list(dict.fromkeys(v for v in values if v))
    shown = ", ".join(distinct[:most]) if language == "en" else "、".join(distinct[:most])
    if len(distinct) > most:
        shown += " " + i18n.text(language, "and_more", n=len(distinct) - most)
    return shown or i18n.text(language, "none")
