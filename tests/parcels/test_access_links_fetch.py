"""Who sees parcels, the logged reveal path, seller ↔ shipper links, and fetching a feed over HTTP."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from netsword.cli import main
from netsword.models import Lead, Listing, Seller
from parcels.access import AccessDenied, can_reveal, can_view_parcels, masked_view, reveal, reveal_log
from parcels.db import ParcelDB
from parcels.importer import import_manifest
from parcels.links import contact_phones, link_sellers, shippers_for_lead, shippers_for_seller
from parcels.mapping import find_mapping
from parcels.pii import PiiVault

MANIFEST = (
    "waybill,shipped_at,declared_contents,declared_value,sender_name,sender_phone,sender_address,receiver_name,receiver_address\n"
    "YT9000000001,2024-04-01 08:00:00,耐克鞋,150,张伟,+86 138 0013 8000,广东省深圳市南山区科技路10号,李娜,北京市朝阳区建国路1号\n"
    "YT9000000002,2024-04-02 08:00:00,茶叶,50,陈静,13700137000,浙江省杭州市西湖区,王芳,上海市徐汇区\n"
)


@pytest.fixture()
def loaded(tmp_path: Path, db: ParcelDB, vault: PiiVault) -> ParcelDB:
    path = tmp_path / "m.csv"
    path.write_text(MANIFEST, encoding="utf-8")
    assert import_manifest(path, find_mapping("generic"), db, vault).imported == 2
    return db


def test_roles() -> None:
    assert can_view_parcels("investigator") and can_view_parcels("supervisor")
    assert not can_view_parcels("rights_holder_viewer") and not can_view_parcels("")
    assert can_reveal("supervisor") and not can_reveal("investigator")


def test_masked_view_and_logged_reveal(loaded: ParcelDB, vault: PiiVault) -> None:
    view = masked_view(loaded, "generic", "YT9000000001", "investigator")
    assert view is not None
    assert (view["sender_name"], view["sender_phone"], view["sender_address"]) == (
        "张**",
        "138****8000",
        "广东省深圳市***",
    )
    with pytest.raises(AccessDenied):
        masked_view(loaded, "generic", "YT9000000001", "rights_holder_viewer")
    recorded: list[dict] = []
    with pytest.raises(AccessDenied, match="may not reveal"):
        reveal(loaded, vault, "generic", "YT9000000001", role="investigator", user="ann", reason="case 7",
               record=recorded.append)  # fmt: skip
    with pytest.raises(AccessDenied, match="reason is required"):
        reveal(loaded, vault, "generic", "YT9000000001", role="supervisor", user="sam", reason=" ",
               record=recorded.append)  # fmt: skip
    assert reveal_log(loaded) == [] and recorded == []
    full = reveal(loaded, vault, "generic", "YT9000000001", role="supervisor", user="sam", reason="case 7",
                  record=recorded.append)  # fmt: skip
    assert full is not None and (full["sender_name"], full["sender_phone"]) == ("张伟", "+86 138 0013 8000")
    assert [(e["user"], e["waybill"], e["reason"]) for e in reveal_log(loaded)] == [("sam", "YT9000000001", "case 7")]
    assert [(e["waybill"], e["reason"], e["role"]) for e in recorded] == [("YT9000000001", "case 7", "supervisor")]
    with pytest.raises(Exception, match="key differs"):
        reveal(loaded, PiiVault(b"a-different-key-0123456789"), "generic", "YT9000000001", role="supervisor",
               user="sam", reason="x", record=recorded.append)  # fmt: skip


def test_nothing_is_revealed_when_the_audit_record_fails(loaded: ParcelDB, vault: PiiVault) -> None:
    def broken(event: dict) -> None:
        raise OSError("audit trail unavailable")

    with pytest.raises(OSError):
        reveal(loaded, vault, "generic", "YT9000000001", role="supervisor", user="sam", reason="case 7",
               record=broken)  # fmt: skip
    assert reveal_log(loaded) == []


def test_seller_contact_links_to_shipper(loaded: ParcelDB, vault: PiiVault) -> None:
    assert contact_phones("微信同号 138-0013-8000，座机 0755-88881234") == ["075588881234", "13800138000"]
    listing = Listing(id="L1", platform="taobao", url="https://item.example/1", title="耐克鞋 外贸原单",
                      seller=Seller(id="s-42", name="潮鞋小店", contact="联系 +86 13800138000"))  # fmt: skip
    other = Listing(id="L2", platform="taobao", url="https://item.example/2", title="x",
                    seller=Seller(id="s-43", name="别家", contact="13912345678"))  # fmt: skip
    assert link_sellers([listing, other], loaded, vault) == 1
    assert link_sellers([listing], loaded, vault) == 0  # idempotent
    found = shippers_for_seller(loaded, "taobao", "s-42", role="investigator")
    assert len(found) == 1
    assert found[0]["sender_phone"] == "138****8000" and found[0]["waybills"] == ["generic:YT9000000001"]
    assert found[0]["watched_parcels"] == 0  # imported without matching
    lead = Lead(lead_id="ld-1", listing_id="L1", platform="taobao", url="", entry_id="tm-nike", kind="trademark",
                score=60, matched="耐克", reasons=(), listing=listing.to_dict())  # fmt: skip
    assert shippers_for_lead(loaded, lead, role="supervisor") == found
    with pytest.raises(AccessDenied):
        shippers_for_seller(loaded, "taobao", "s-42", role="rights_holder_viewer")


class _Feed(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = MANIFEST.encode("utf-8")
        if self.path != "/feed.csv":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def feed_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_downloads_and_imports(feed_url: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray ./netsword.toml
    monkeypatch.setenv("NETSWORD_PATHS_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("NETSWORD_KEYS_DIR", str(tmp_path / "keys"))
    assert main(["parcels", "fetch", f"{feed_url}/feed.csv", "--courier", "generic", "--no-match"]) == 0
    assert "2 imported" in capsys.readouterr().out
    assert main(["parcels", "fetch", f"{feed_url}/feed.csv", "--courier", "generic", "--no-match"]) == 0
    assert "0 imported, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert main(["parcels", "fetch", f"{feed_url}/missing.csv", "--courier", "generic", "--no-match"]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert not list((tmp_path / "var" / "parcels" / "feeds").glob("*.part"))
    assert main(["parcels", "show", "YT9000000001", "--courier", "generic"]) == 0
    assert "138****8000" in capsys.readouterr().out
    assert main(["parcels", "show", "YT9000000001", "--courier", "generic", "--role", "rights_holder_viewer"]) == 2
