"""Block pages: how a platform says "not you, not now" — a captcha or slider, a login wall, an access-denied page —
instead of the page asked for. Plain Python (no Scrapy): crawler.middlewares.blocks applies it to every answer.

An answer is a block when (profile `blocked:` rules, crawler/profile.py `BlockRules`, plus the built-in markers
below unless `defaults: false`):
- its status is one of `status` (by default 403: access denied);
- its final URL, or the target of a redirect, matches one of `url` (login pages, risk/punish pages);
- its `<title>` contains one of `title`;
- its body contains one of `text` within its first 256 KiB (markup included: captcha widgets are recognised by their
  element ids; block pages are small).
The built-in markers are those of real block pages of common Chinese platforms: Taobao/Tmall/AliExpress
(`/_____tmd_____/punish`, the x5sec `x5secdata` token, the baxia/noCaptcha slider `nc_1_n1z`, `baxia-dialog`, the
mtop API's `RGV587_ERROR` and `FAIL_SYS_USER_VALIDATE`, login.taobao.com / login.tmall.com), JD (its risk handler and
passport.jd.com logins), Pinduoduo (mobile.yangkeduo.com/login.html), Xianyu (passport.goofish.com), GeeTest and
Tencent captchas, and generic titles (验证码, 安全验证, 滑动验证, 访问被拒绝, Access Denied, Captcha …). Generic words are
only looked for in the title: a product page may well mention 验证码 in a login box of its header.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from crawler.profile import BlockRules

CAPTCHA, SLIDER, LOGIN, DENIED, RULE = "captcha", "slider", "login", "denied", "rule"
KINDS = (CAPTCHA, SLIDER, LOGIN, DENIED, RULE)

# (kind, regular expression) searched in the final URL and in redirect targets
DEFAULT_URLS: tuple[tuple[str, str], ...] = (
    (SLIDER, r"/_{3,}tmd_{3,}/punish"),  # Alibaba's risk page (Taobao, Tmall, 1688, AliExpress)
    (SLIDER, r"[?&]x5secdata="),
    (SLIDER, r"/punish\?"),
    (LOGIN, r"//login\.(?:taobao|tmall|1688)\.com/"),
    (LOGIN, r"//login\.m\.taobao\.com/"),
    (LOGIN, r"//passport\.jd\.com/(?:new/login|uc/login)"),
    (LOGIN, r"//plogin\.m\.jd\.com/"),
    (CAPTCHA, r"/risk_handler"),  # JD's risk handler (cfe.m.jd.com/privatedomain/risk_handler/…)
    (LOGIN, r"//mobile\.yangkeduo\.com/login\.html"),  # Pinduoduo
    (LOGIN, r"//passport\.goofish\.com/"),  # Xianyu
    (LOGIN, r"//passport\.xianyu\.com/"),
    (CAPTCHA, r"/(?:captcha|verify)(?:[/?.]|$)"),
)
# (kind, text) found in the body, markup included
DEFAULT_TEXTS: tuple[tuple[str, str], ...] = (
    (SLIDER, "/_____tmd_____/punish"),
    (SLIDER, "nc_1_n1z"),  # Alibaba noCaptcha slider handle
    (SLIDER, "nc_1_wrapper"),
    (SLIDER, "baxia-dialog"),
    (SLIDER, "x5secdata"),
    (SLIDER, "RGV587_ERROR"),  # mtop API: "slide to verify"
    (SLIDER, "FAIL_SYS_USER_VALIDATE"),
    (CAPTCHA, "geetest_panel"),  # GeeTest (JD's slider among others)
    (CAPTCHA, "geetest_slider"),
    (CAPTCHA, "TencentCaptcha"),
    (CAPTCHA, "tcaptcha_iframe"),
)
# (kind, text) found in the <title>
DEFAULT_TITLES: tuple[tuple[str, str], ...] = (
    (SLIDER, "滑动验证"),
    (SLIDER, "拖动滑块"),
    (CAPTCHA, "验证码"),
    (CAPTCHA, "安全验证"),
    (CAPTCHA, "人机验证"),
    (CAPTCHA, "captcha"),
    (CAPTCHA, "security check"),
    (DENIED, "访问被拒绝"),
    (DENIED, "访问受限"),
    (DENIED, "拒绝访问"),
    (DENIED, "access denied"),
    (DENIED, "403 forbidden"),
    (LOGIN, "请登录"),
    (LOGIN, "登录页"),
    (LOGIN, "用户登录"),
    (LOGIN, "会员登录"),  # "member login": the login page of many older Chinese shops
    (LOGIN, "账号登录"),
)
DEFAULT_STATUSES = (403,)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
TITLE_WINDOW = 64 * 1024  # characters of the page searched for its <title>
TEXT_WINDOW = 256 * 1024  # bytes of the body searched for `text` markers: block pages are small, listings pages not


@dataclass(frozen=True)
class Block:
    kind: str  # captcha | slider | login | denied | rule
    where: str  # status | url (the final URL or a redirect's target: the profile's `url` rules) | title | text
    marker: str  # what matched (a pattern, a word, a status), never the page's own text

    def describe(self) -> str:
        return f"{self.kind} ({self.where}: {self.marker})"


class BlockDetector:
    """The block rules of one profile, compiled once."""

    def __init__(self, rules: BlockRules) -> None:
        own = [(RULE, p) for p in rules.url]
        self.urls = [(kind, re.compile(p, re.IGNORECASE), p) for kind, p in own + list(DEFAULT_URLS * rules.defaults)]
        texts = [(RULE, t) for t in rules.text] + list(DEFAULT_TEXTS * rules.defaults)
        # ASCII markers are looked for in the body's bytes (as fast as memchr, the same in UTF-8 and GBK pages);
        # others in the decoded text
        self.byte_texts = [(kind, t, t.encode("ascii")) for kind, t in texts if t.isascii()]
        self.other_texts = [(kind, t) for kind, t in texts if not t.isascii()]
        self.titles = [(RULE, t.casefold()) for t in rules.title] + [
            (kind, t.casefold()) for kind, t in DEFAULT_TITLES * rules.defaults
        ]
        self.statuses = set(rules.status) | (set(DEFAULT_STATUSES) if rules.defaults else set())
        self.rules = rules

    def check_url(self, url: str, *, where: str = "url") -> Block | None:
        for kind, pattern, source in self.urls:
            if pattern.search(url):
                return Block(kind, where, source)
        return None

    def check(
        self, *, status: int, url: str, body: bytes, text: str | None = None, encoding: str = "utf-8"
    ) -> Block | None:
        """Whether this answer is a block. `text` is the decoded body when the caller has it; else the body is read
        with `encoding` (the response's), and only as far as needed: its head for the title, all of it only for a
        profile's non-ASCII `text` rules."""
        if status in self.statuses:
            return Block(DENIED if status == 403 else RULE, "status", str(status))
        block = self.check_url(url)
        if block is not None:
            return block
        raw = body[:TEXT_WINDOW] if text is None else text[:TEXT_WINDOW].encode("utf-8")
        for kind, marker, needle in self.byte_texts:  # the specific markers first: a slider page's title may just
            if needle in raw:  # say 安全验证
                return Block(kind, "text", marker)
        if self.other_texts:
            full = text[:TEXT_WINDOW] if text is not None else raw.decode(encoding, errors="replace")
            for kind, marker in self.other_texts:
                if marker in full:
                    return Block(kind, "text", marker)
        head = text[:TITLE_WINDOW] if text is not None else body[: TITLE_WINDOW * 2].decode(encoding, errors="replace")
        title = page_title(head)
        if title:
            folded = title.casefold()
            for kind, word in self.titles:
                if word in folded:
                    return Block(kind, "title", word)
        return None


def page_title(text: str) -> str:
    """The page's <title>, unescaped and with whitespace collapsed ("" when it has none)."""
    match = _TITLE.search(text[:TITLE_WINDOW])
    return " ".join(html.unescape(match.group(1)).split()) if match else ""
