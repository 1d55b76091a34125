"""Hostile text is escaped, every response carries a strict CSP, no inline script, evidence HTML never runs,
and no SQL is built from user input."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from triage_helpers import HOSTILE_TITLE, client_for, login

from triage.highlight import segments

pytestmark = pytest.mark.anyio
TRIAGE = Path(__file__).resolve().parents[2] / "triage"
EVIL_PAGE = b"<html><body><h1>fake</h1><script>alert('pwned')</script><img src=x onerror=alert(2)></body></html>"


def _hostile(leads):
    return next(lead for lead in leads if lead.title == HOSTILE_TITLE)


async def test_hostile_listing_text_is_escaped_everywhere(app, leads) -> None:
    lead = _hostile(leads)
    async with client_for(app) as client:
        await login(client, "supervisor")
        pages = [await client.get("/"), await client.get(f"/leads/{lead.lead_id}"), await client.get("/dashboard"),
                 await client.get("/", params={"q": HOSTILE_TITLE})]  # fmt: skip
        for page in pages:
            assert page.status_code == 200
            assert "<img src=x" not in page.text and "<b>evil</b>" not in page.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in pages[0].text
        assert "&lt;b&gt;evil&lt;/b&gt;" in pages[1].text


async def test_strict_csp_on_every_response(app, leads) -> None:
    async with client_for(app) as client:
        responses = [await client.get("/login"), await client.get("/static/triage.js"), await client.get("/nowhere")]
        await login(client, "supervisor")
        for path in ("/", f"/leads/{leads[0].lead_id}", "/dashboard", "/audit", "/users", "/referrals",
                     "/leads/ld-missing", "/static/triage.css"):  # fmt: skip
            responses.append(await client.get(path))
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp or "script-src 'none'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_templates_have_no_inline_script_or_handlers() -> None:
    for template in (TRIAGE / "templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            assert "src=" in tag, f"{template.name}: inline script"
        assert not re.search(r"\son[a-z]+\s*=", text, flags=re.I), f"{template.name}: inline event handler"
        if template.name != "referral_summary.html":  # the printable summary is a file in the ZIP, not served
            assert not re.search(r"\sstyle\s*=|<style", text, flags=re.I), f"{template.name}: inline style"
        assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text


async def test_archived_page_never_runs(app, leads, evidence) -> None:
    lead = leads[0]
    page = evidence.put_bytes(EVIL_PAGE, role="page", media_type="text/html")
    shot = evidence.put_bytes(b"\x89PNG\r\n\x1a\nfake", role="screenshot", media_type="image/png")
    evidence.record(
        platform=lead.platform, listing_id=lead.listing_id, url=lead.url, profile="html", files=[page, shot]
    )
    async with client_for(app) as client:
        await login(client, "investigator")
        detail = (await client.get(f"/leads/{lead.lead_id}")).text
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in detail  # escaped source
        assert "<script>alert" not in detail
        assert re.search(r'<iframe sandbox="" class="archive" src="/leads/[^"]+/archive/' + page.sha256, detail)
        framed = await client.get(f"/leads/{lead.lead_id}/archive/{page.sha256}")
        csp = framed.headers["content-security-policy"]
        assert csp.startswith("sandbox") and "script-src 'none'" in csp
        image = await client.get(f"/leads/{lead.lead_id}/evidence/{shot.sha256}")
        assert image.headers["content-type"] == "image/png" and image.content.startswith(b"\x89PNG")
        # the page file through the image route is a download, never rendered
        as_image = await client.get(f"/leads/{lead.lead_id}/evidence/{page.sha256}")
        assert as_image.headers["content-type"] == "application/octet-stream"
        # a file of another lead's capture is not reachable through this lead
        other = leads[1]
        assert (await client.get(f"/leads/{other.lead_id}/evidence/{shot.sha256}")).status_code == 404


def test_highlight_splits_text_without_building_html() -> None:
    assert segments("买 ＮＩＫＥ 鞋 nike", ["nike"]) == [
        ("买 ", False),
        ("ＮＩＫＥ", True),
        (" 鞋 ", False),
        ("nike", True),
    ]
    assert segments("<b>耐克</b>", ["耐克"]) == [("<b>", False), ("耐克", True), ("</b>", False)]
    assert segments("abc", []) == [("abc", False)]


def test_no_sql_is_built_from_formatted_strings() -> None:
    """Every execute()/query() call in triage/ passes a literal or a name built from fixed fragments."""
    for path in TRIAGE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("execute", "executemany", "executescript", "query") and node.args:
                    first = node.args[0]
                    assert not isinstance(first, (ast.JoinedStr, ast.BinOp)) or path.name == "db.py", (
                        f"{path.name}:{node.lineno}: SQL built inline"
                    )
