"""Watchlist entries as frozen records, and the Watchlist that holds the entries of several files."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Msrp:
    """Lowest genuine retail price of the goods an entry covers."""

    min: float
    currency: str = "CNY"


@dataclass(frozen=True)
class Trademark:
    id: str
    mark: str
    variants: tuple[str, ...] = ()
    owner: str = ""
    registration: str = ""
    office: str = ""
    classes: tuple[int, ...] = ()
    status: str = "registered"
    valid_until: date | None = None
    msrp: Msrp | None = None
    authorized_sellers: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    source: str = ""
    products: tuple[str, ...] = ()  # product-line names and nicknames that stand for the mark (飞天, 神仙水)

    kind = "trademark"

    @property
    def forms(self) -> tuple[str, ...]:
        """The mark and every variant: all the written forms of this one entry."""
        return (self.mark, *self.variants)

    @property
    def label(self) -> str:
        return self.mark


@dataclass(frozen=True)
class Patent:
    id: str
    number: str
    kind_of_patent: str
    title: str
    owner: str = ""
    keywords: tuple[str, ...] = ()
    classes: tuple[int, ...] = ()
    authorized_sellers: tuple[str, ...] = ()
    valid_until: date | None = None
    contacts: tuple[str, ...] = ()
    source: str = ""

    kind = "patent"

    @property
    def label(self) -> str:
        return f"{self.title} ({self.number})"


@dataclass(frozen=True)
class GeographicalIndication:
    id: str
    name: str
    region: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    owner: str = ""
    classes: tuple[int, ...] = ()
    authorized_sellers: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    source: str = ""

    kind = "geographical_indication"

    @property
    def label(self) -> str:
        return self.name


WORK_TYPES = ("software", "game", "ebook", "course", "film", "music")


@dataclass(frozen=True)
class Work:
    """A copyright work watched for piracy (docs/watchlists.md#works): its titles, aliases and rights holder."""

    id: str
    title: str
    work_type: str  # software | game | ebook | course | film | music
    titles: tuple[str, ...] = ()  # the title in other languages or editions (Chinese and English)
    aliases: tuple[str, ...] = ()  # short names and nicknames sellers use (PS, 黑猴)
    owner: str = ""  # the rights holder
    registration: str = ""  # optional: a copyright registration number (软著登字第…号, 国作登字-…)
    msrp: Msrp | None = None  # lowest genuine price of one copy, licence or membership
    authorized_sellers: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    source: str = ""

    kind = "work"

    @property
    def forms(self) -> tuple[str, ...]:
        """The title, its other titles and the aliases: every written form of this one work."""
        return (self.title, *self.titles, *self.aliases)

    @property
    def label(self) -> str:
        return self.title


Entry = Trademark | Patent | GeographicalIndication | Work


@dataclass(frozen=True)
class Watchlist:
    """All entries of the loaded files; ids are unique across them."""

    trademarks: tuple[Trademark, ...] = ()
    patents: tuple[Patent, ...] = ()
    geographical_indications: tuple[GeographicalIndication, ...] = ()
    works: tuple[Work, ...] = ()
    sources: tuple[str, ...] = ()
    _by_id: dict[str, Entry] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({e.id: e for e in self})

    def __iter__(self) -> Iterator[Entry]:
        yield from self.trademarks
        yield from self.patents
        yield from self.geographical_indications
        yield from self.works

    def __len__(self) -> int:
        return len(self.trademarks) + len(self.patents) + len(self.geographical_indications) + len(self.works)

    def get(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def owner_of(self, entry_id: str) -> str:
        entry = self._by_id.get(entry_id)
        return entry.owner if entry else ""

    def search_keywords(self, *, variants: bool = True, limit: int = 0) -> list[str]:
        """The words to search platforms for, in file order, each once: every trademark's mark (and its variants),
        every patent's keywords, every GI's name (and its variants), every work's titles. `limit` keeps the first N (0: all)."""
        words: list[str] = []
        for tm in self.trademarks:
            words.extend(tm.forms if variants else (tm.mark,))
        for patent in self.patents:
            words.extend(patent.keywords)
        for gi in self.geographical_indications:
            words.extend((gi.name, *gi.variants) if variants else (gi.name,))
        for work in self.works:
            words.extend((work.title, *work.titles) if variants else (work.title,))
        unique = list(dict.fromkeys(w.strip() for w in words if w and w.strip()))
        return unique[:limit] if limit else unique
