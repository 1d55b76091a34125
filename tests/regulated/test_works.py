"""Works (copyright): the sample works' case table (works_cases.csv) — pirated copies, cracked software, cloud-drive
links, shared accounts and keys far below the price are `copyright` leads; authorised stores, keys at their price,
second-hand and physical copies, merchandise, guides and reviews stay quiet — and the works section of the loader."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matchers.index import MatchIndex, compile_index
from matchers.works import piracy_terms
from netsword.models import LEAD_KINDS, Listing
from watchlists.configured import SAMPLES_DIR
from watchlists.loader import WatchlistError, load_watchlists

CASES = Path(__file__).with_name("works_cases.csv")
MIN_SCORE = 50


def _rows() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    return compile_index(load_watchlists([SAMPLES_DIR / "works.yaml"]))


def test_the_table_covers_every_work_type_and_outcome() -> None:
    works = load_watchlists([SAMPLES_DIR / "works.yaml"]).works
    rows = _rows()
    types = {w.work_type for w in works if any(r["entry"] == w.id for r in rows)}
    assert types == {"software", "game", "ebook", "course", "film", "music"}
    assert {r["expect"] for r in rows} == {"copyright", "none", "monitor"}
    assert "copyright" in LEAD_KINDS


@pytest.mark.parametrize("number,row", list(enumerate(_rows(), 2)), ids=lambda v: str(v) if isinstance(v, int) else "")
def test_case(index: MatchIndex, number: int, row: dict[str, str]) -> None:
    listing = Listing.from_dict({
        "id": f"w{number}", "platform": "test", "url": f"https://t/{number}", "title": row["title"],
        "description": row["description"], "price": row["price"] or None, "seller": row["seller"] or "某数码小店",
    })  # fmt: skip
    hits = [h for h in index.match(listing) if h.kind == "copyright"]
    where = f"works_cases.csv:{number} ({row['why']}) {row['title']!r} → {[(h.entry_id, h.score) for h in hits]}"
    leads = [h for h in hits if h.score >= MIN_SCORE]
    if row["expect"] == "copyright":
        assert [h.entry_id for h in leads] == [row["entry"]], where
        codes = [r.code for r in leads[0].reasons]
        assert codes[0] in ("work_title", "work_alias") and codes[-1] == "legal_basis", where
        assert "著作权法" in leads[0].reasons[-1].detail and "Copyright Law" in leads[0].reasons[-1].detail
    elif row["expect"] == "monitor":
        assert not leads and [h.entry_id for h in hits] == [row["entry"]], where
    else:
        assert not leads, where


def test_cues_and_price_raise_the_score_in_steps(index: MatchIndex) -> None:
    def score(title: str, price: float) -> float:
        listing = Listing.from_dict({"id": "x", "platform": "t", "url": "https://t", "title": title, "price": price,
                                     "seller": "某店"})  # fmt: skip
        return max((h.score for h in index.match(listing) if h.kind == "copyright"), default=0.0)

    plain = score("Adobe Photoshop 2024 中文版", 900)
    hint = score("Adobe Photoshop 2024 中文版 资源", 900)
    claim = score("Adobe Photoshop 2024 中文版 破解版", 900)
    cheap = score("Adobe Photoshop 2024 中文版 破解版", 9)
    assert plain == 45 and plain < hint < claim < cheap


def test_a_title_inside_another_word_or_title_is_not_the_work(index: MatchIndex) -> None:
    def works_in(title: str) -> list[str]:
        listing = Listing.from_dict({"id": "x", "platform": "t", "url": "https://t", "title": title, "price": 1})
        return [h.entry_id for h in index.match(listing) if h.kind == "copyright"]

    assert works_in("三体问题 物理 课件 网盘") == []  # the physics problem, a dictionary word holding 三体
    assert works_in("《三体》问题集 网盘") == ["wk-three-body"]  # in book-title marks it is the novel
    assert works_in("Officer 制服 破解版") == []  # Office inside another Latin word


def test_works_section_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "works.yaml"
    path.write_text(
        "version: 1\nworks:\n  - id: wk-a\n    title: 三体\n    type: novel\n"
        "  - id: wk-b\n    type: game\n    aliases: [x]\n    msrp: {min: -1}\n",
        encoding="utf-8",
    )
    with pytest.raises(WatchlistError) as err:
        load_watchlists([path])
    lines = str(err.value).splitlines()
    assert (
        f"{path}:5: works[0].type: must be one of software, game, ebook, course, film, music, got 'novel'" in lines
        or any(line.startswith(f"{path}:5: works[0].type:") for line in lines)
    ), lines
    assert any(line.startswith(f"{path}:6: works[1]: title is required") for line in lines), lines
    assert any(line.startswith(f"{path}:8: works[1].aliases:") and "two characters" in line for line in lines), lines
    assert any(line.startswith(f"{path}:9: works[1].msrp:") for line in lines), lines


def test_the_sample_works_load_and_are_searched_for() -> None:
    watchlist = load_watchlists([SAMPLES_DIR / "works.yaml"])
    assert len(watchlist.works) >= 12 and all(w.owner for w in watchlist.works)
    assert "黑神话：悟空" in watchlist.search_keywords()
    assert watchlist.get("wk-three-body") is not None and watchlist.owner_of("wk-three-body").startswith("刘慈欣")


def test_the_piracy_lexicon_has_every_cue_the_issue_names() -> None:
    terms = {t.term for t in piracy_terms()}
    assert {
        "激活码",
        "序列号",
        "破解版",
        "网盘",
        "百度云",
        "资源",
        "全套",
        "永久会员",
        "共享账号",
        "电子版",
        "pdf",
    } <= terms
