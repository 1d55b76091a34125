"""Declared contents: product names stand for their mark, and authorised shippers get no hit without counterfeit
signals, exactly as authorised sellers online; the register is compared in keyed form only."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchers import compile_index
from parcels.authorised import RegisterError, ShipperRegister, load_register
from parcels.declared import DeclaredMatcher
from parcels.model import Parcel
from parcels.pii import PiiVault
from parcels.records import stored_parcel
from watchlists import load_watchlists

WATCHLIST = """\
version: 1
trademarks:
  - id: tm-moutai
    mark: moutai
    variants: [茅台, 贵州茅台]
    products: [飞天, 王子酒]
    classes: [33]
    msrp: {min: 1499}
  - id: tm-skii
    mark: SK-II
    variants: [SK2, SKII]
    products: [神仙水, Facial Treatment Essence]
    classes: [3]
    msrp: {min: 600}
  - id: tm-nike
    mark: NIKE
    variants: [耐克]
    owner: Nike Innovate C.V.
    classes: [25]
    msrp: {min: 499}
    authorized_sellers: [耐克官方旗舰店]
  - id: tm-gucci
    mark: GUCCI
    variants: [古驰]
    classes: [18]
    msrp: {min: 3000}
"""
REGISTER = """\
version: 1
shippers:
  - id: nike-sh-dc
    label: Nike 上海官方仓
    owners: [Nike Innovate C.V.]
    phones: ["021-6888 1234", "13800138000"]
    names: [耐克体育（中国）有限公司]
    addresses: [上海市闵行区申长路888号]
"""
OFFICIAL = ("耐克体育（中国）有限公司", "13800138000", "上海市闵行区申长路888号")


@pytest.fixture()
def watchlist(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "w.yaml"
    path.write_text(WATCHLIST, encoding="utf-8")
    return load_watchlists([path])


def register_of(tmp_path: Path, vault: PiiVault, text: str = REGISTER) -> ShipperRegister:
    path = tmp_path / "shippers.yaml"
    path.write_text(text, encoding="utf-8")
    return load_register(path, vault)


def parcel(contents: str, value: float, sender: tuple[str, str, str] = ("张伟", "13912345678", "广东省深圳市南山区科技路1号"),
           waybill: str = "SF1000000001") -> Parcel:  # fmt: skip
    name, phone, address = sender
    return Parcel(courier="sf", waybill=waybill, shipped_at="2024-03-01T10:00:00", declared_contents=contents,
                  declared_value=value, sender_name=name, sender_phone=phone, sender_address=address,
                  receiver_name="李娜", receiver_address="北京市朝阳区建国路88号")  # fmt: skip


def entries(matcher: DeclaredMatcher, vault: PiiVault, p: Parcel, authorised: tuple[str, ...] = ()) -> set[str]:
    stored = stored_parcel(p, vault)
    results = matcher.match([stored], None, authorised={stored.sender_key: authorised}, min_score=50, now="2024")
    return {lead.entry_id for lead in results[0].leads}


@pytest.mark.parametrize(
    ("contents", "entry"),
    [("飞天 53度 酱香型", "tm-moutai"), ("王子酒 500ml", "tm-moutai"), ("神仙水 SK2", "tm-skii"),
     ("Facial  treatment essence 230ml", "tm-skii")],
)  # fmt: skip
def test_terse_declarations_with_a_product_name_match_the_mark(watchlist, vault: PiiVault, contents: str,
                                                               entry: str) -> None:  # fmt: skip
    index = compile_index(watchlist)
    assert entries(DeclaredMatcher(index), vault, parcel(contents, 180)) == {entry}
    without = compile_index(load_watchlists_without_products(watchlist))
    assert entries(DeclaredMatcher(without), vault, parcel(contents, 180)) == set()  # products are what did it


def load_watchlists_without_products(watchlist):  # type: ignore[no-untyped-def]
    import dataclasses

    from watchlists.model import Watchlist

    return Watchlist(trademarks=tuple(dataclasses.replace(t, products=()) for t in watchlist.trademarks))


def test_a_product_name_in_a_declaration_of_other_goods_is_not_the_mark(watchlist, vault: PiiVault) -> None:
    index = compile_index(watchlist)
    assert entries(DeclaredMatcher(index), vault, parcel("飞天小猪 儿童玩具", 30)) == set()


def test_the_lead_shows_what_the_product_name_stood_for(watchlist, vault: PiiVault) -> None:
    stored = stored_parcel(parcel("飞天 53度 酱香型", 180), vault)
    lead = DeclaredMatcher(compile_index(watchlist)).match([stored], None, min_score=50, now="2024")[0].leads[0]
    assert lead.listing["title"] == "飞天 53度 酱香型" and lead.listing["description"] == "飞天 → moutai"


def test_watchlist_products_field_is_validated(tmp_path: Path) -> None:
    from watchlists.loader import WatchlistError

    path = tmp_path / "w.yaml"
    path.write_text("version: 1\ntrademarks:\n  - id: tm-x\n    mark: X\n    products: {a: 1}\n", encoding="utf-8")
    with pytest.raises(WatchlistError, match=r"w.yaml:5: trademarks\[0\].products: must be a list"):
        load_watchlists([path])


@pytest.fixture()
def authorised(tmp_path: Path, watchlist, vault: PiiVault) -> tuple[DeclaredMatcher, ShipperRegister]:
    register = register_of(tmp_path, vault)
    index = compile_index(register.authorise(watchlist))
    return DeclaredMatcher(index, register), register


def test_an_authorised_shipper_gets_no_hit_without_counterfeit_signals(authorised, vault: PiiVault) -> None:
    matcher, register = authorised
    p = parcel("NIKE运动鞋", 699, OFFICIAL)  # declared at a genuine price
    stored = stored_parcel(p, vault)
    from parcels.authorised import name_address_key

    ids = register.match(stored.sender_phone_key, name_address_key(vault, p.sender_name, p.sender_address))
    assert ids == ("nike-sh-dc",)
    assert entries(matcher, vault, p, ids) == set()
    assert entries(matcher, vault, parcel("NIKE运动鞋", 699)) == {"tm-nike"}  # anyone else: a lead, as before


@pytest.mark.parametrize("contents,value", [("NIKE 高仿 运动鞋", 699), ("NIKE运动鞋", 80)])
def test_counterfeit_signals_still_raise_a_lead_for_an_authorised_shipper(
    authorised, vault: PiiVault, contents: str, value: float
) -> None:
    """A counterfeit cue, or a value far under the lowest genuine price, is a counterfeit signal as online."""
    matcher, _ = authorised
    stored = stored_parcel(parcel(contents, value, OFFICIAL), vault)
    leads = matcher.match([stored], None, authorised={stored.sender_key: ("nike-sh-dc",)}, min_score=50, now="x")
    lead = leads[0].leads[0]
    assert lead.entry_id == "tm-nike" and "authorized_seller" in {r.code for r in lead.reasons}
    assert lead.listing["seller"]["name"] == "Nike 上海官方仓"
    assert lead.listing["seller"]["id"].startswith("shipper:")
    for value in OFFICIAL:
        assert value not in str(lead.to_dict())


def test_authorisation_covers_only_the_entries_of_the_record(authorised, vault: PiiVault) -> None:
    matcher, _ = authorised
    assert entries(matcher, vault, parcel("GUCCI包", 900, OFFICIAL), ("nike-sh-dc",)) == {"tm-gucci"}


def test_the_keyed_identity_cannot_be_forged_by_a_seller_name(authorised, watchlist, vault: PiiVault) -> None:
    matcher, register = authorised
    token = register.token("nike-sh-dc")
    assert token.startswith("shipper:") and "nike-sh-dc" not in token
    # a listing whose seller calls itself by the record's id is nobody's authorised shipper
    tm = matcher.index.watchlist.get("tm-nike")
    assert "nike-sh-dc" not in tm.authorized_sellers and token in tm.authorized_sellers


def test_the_index_must_know_the_register(tmp_path: Path, watchlist, vault: PiiVault) -> None:
    with pytest.raises(ValueError, match="authorise"):
        DeclaredMatcher(compile_index(watchlist), register_of(tmp_path, vault))


def test_register_matches_by_phone_or_name_with_address_in_keyed_form(tmp_path: Path, vault: PiiVault) -> None:
    from parcels.authorised import name_address_key
    from parcels.normalize import normalize_phone

    register = register_of(tmp_path, vault)
    phone = vault.keyed("phone", normalize_phone("+86 138-0013-8000"))
    assert register.match(phone, "") == ("nike-sh-dc",)
    same_place = name_address_key(vault, "耐克体育(中国)有限公司", "上海闵行区申长路888号")  # written differently
    assert register.match("", same_place) == ("nike-sh-dc",)
    assert register.match("", name_address_key(vault, "耐克体育（中国）有限公司", "北京市朝阳区建国路1号")) == ()
    record = register.shippers["nike-sh-dc"]
    assert not any(v in repr(record) for v in ("13800138000", "申长路", "耐克体育"))  # only keyed forms are kept


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("version: 1\nshippers:\n  - id: a\n    entries: [tm-nike]\n    phones: ['1380013800']\n",
         "shippers.yaml:5: shippers[0].phones: not a phone number: a mainland mobile has 11 digits, got 10"),
        ("version: 1\nshippers:\n  - id: a\n    entries: [tm-nike]\n    names: [x]\n",
         "shippers.yaml:3: shippers[0]: phones, or names together with addresses, are required"),
        ("version: 1\nshippers:\n  - id: a\n    phones: ['13800138000']\n",
         "shippers.yaml:3: shippers[0]: entries or owners is required"),
        ("version: 1\nshippers:\n  - id: a\n    entries: [tm-nike]\n    phones: ['13800138000']\n    fax: 1\n",
         "shippers.yaml:6: shippers[0].fax: unknown field"),
    ],
)  # fmt: skip
def test_register_errors_name_file_line_and_field_never_the_value(tmp_path: Path, vault: PiiVault, text: str,
                                                                  problem: str) -> None:  # fmt: skip
    with pytest.raises(RegisterError) as caught:
        register_of(tmp_path, vault, text)
    message = str(caught.value)
    assert problem in message.replace(str(tmp_path) + "/", "")
    assert "1380013800" not in message


def test_register_entries_must_exist_in_the_watchlist(tmp_path: Path, watchlist, vault: PiiVault) -> None:
    text = "version: 1\nshippers:\n  - id: a\n    entries: [tm-nikee]\n    phones: ['13800138000']\n"
    with pytest.raises(RegisterError, match="shippers.yaml:3: entries: no watchlist entry 'tm-nikee'"):
        register_of(tmp_path, vault, text).authorise(watchlist)
