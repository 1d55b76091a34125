"""Scraped text is hostile: a <script> title, an RTL override and 10 KB of text must render safely in the mail."""

from __future__ import annotations

from datetime import UTC, datetime

from alerts import AlertQueuer, Renderer, compose_immediate, flush, load_rules, transport_for
from alerts.render import safe_text

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>耐克 \u202egnp.exe\u202c ' + "长" * 10_000
RULES = "rules:\n  - {id: all, to: [sec@example.com], min_score: 50}\n"


def test_safe_text():
    assert safe_text("a\u202eb\u2066c\x00d\r\ne\tf") == "abc d e f"
    assert len(safe_text("x" * 10_000, 200)) == 200 and safe_text("x" * 10_000, 200).endswith("…")


def test_hostile_title_renders_safely_over_smtp(tmp_path, smtp_server, make_config, watchlist, store, stored, new_lead):
    server = smtp_server("none")
    config = make_config(server.smtp_config())
    (tmp_path / "rules.yaml").write_text(RULES, encoding="utf-8")
    queuer = AlertQueuer(config, watchlist, load_rules(tmp_path / "rules.yaml"))
    lead = new_lead("tb-evil", 95, title=HOSTILE, seller='<b onmouseover="x()">店</b>\u202e')
    queuer(*stored(lead))
    now = datetime.now(UTC)
    compose_immediate(queuer.outbox, Renderer(config), now)
    assert flush(queuer.outbox, transport_for(config), config).sent == 1
    (message,) = server.recorder.received
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()

    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;耐克 gnp.exe" in html
    assert "&lt;b onmouseover=&#34;x()&#34;&gt;店&lt;/b&gt;" in html
    assert "\u202e" not in html and "\u202e" not in text and "\u202e" not in str(message["Subject"])
    assert '<bdi dir="auto">&lt;script&gt;' in html  # isolated from the text around it
    assert "\u2068<script>" in text  # plain text: FSI … PDI
    assert "长" * 100 in html and "长" * 200 not in html and "…" in html  # truncated
    assert len(message.as_bytes()) < 30_000
    assert str(message["Subject"]) == "[NetSword] 1 条新的高风险线索：NIKE（taobao）"
