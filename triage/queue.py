"""The lead queue's filters: parsed from the query string, checked, scoped to what the user may see.

Paging: pages of `triage.page_size`, one extra row fetched to know whether there is a next page, and no count(*)
over a million rows. A "next" link carries the last lead shown (`after=<score>,<lead_id>`: keyset paging, on
Elasticsearch `search_after`), so paging goes on past 10,000 results at the cost of page one; a page number typed
into the URL without it is an offset, at most MAX_PAGES deep.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from leads.store import LeadQuery
from netsword.models import LEAD_KINDS, LEAD_STATUSES, Lead
from triage.users import User

MAX_PAGES = 200  # offset pages (a typed page number); "next" links page by key and go deeper
_AFTER = re.compile(r"^(\d{1,3}),(ld-[0-9a-f]{20})$")  # the queue's order: score, then lead id
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NAME = re.compile(r"^[^\x00-\x1f]{1,200}$")
LIST_FILTERS = ("status", "kind", "platform", "entry", "owner")
SINGLE_FILTERS = ("assignee", "seller", "min_score", "max_score", "since", "until", "q")


@dataclass
class QueueFilters:
    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    platform: list[str] = field(default_factory=list)
    entry: list[str] = field(default_factory=list)
    owner: list[str] = field(default_factory=list)
    assignee: str = ""
    seller: str = ""
    min_score: int | None = None
    max_score: int | None = None
    since: str = ""
    until: str = ""
    q: str = ""
    page: int = 1
    after: tuple[int, str] | None = None  # the last lead of the page before (keyset paging)
    problems: list[str] = field(default_factory=list)

    def params(self, **override: object) -> str:
        """The query string for these filters (for links to other pages), with overrides."""
        pairs: list[tuple[str, str]] = []
        for name in LIST_FILTERS:
            pairs.extend((name, v) for v in getattr(self, name))
        for name in SINGLE_FILTERS:
            value = getattr(self, name)
            if value not in ("", None):
                pairs.append((name, str(value)))
        values = dict(override)
        page = values.pop("page", self.page)
        after = values.pop("after", self.after)
        if page and page != 1:
            pairs.append(("page", str(page)))
        if isinstance(after, tuple):
            pairs.append(("after", f"{after[0]},{after[1]}"))
        elif after:
            pairs.append(("after", str(after)))
        pairs.extend((k, str(v)) for k, v in values.items())
        return urlencode(pairs)


def _score(raw: str | None, name: str, problems: list[str]) -> int | None:
    if not raw:
        return None
    if raw.isdigit() and 0 <= int(raw) <= 100:
        return int(raw)
    problems.append(f"{name}: must be 0–100")
    return None


def parse_filters(params: QueryParams, user: User) -> QueueFilters:
    """Filters from the URL; unknown values are dropped with a note rather than failing the page."""
    f = QueueFilters()
    f.status = [s for s in params.getlist("status") if s in LEAD_STATUSES]
    f.kind = [k for k in params.getlist("kind") if k in LEAD_KINDS]
    for name in ("platform", "entry", "owner"):
        setattr(f, name, [v.strip() for v in params.getlist(name) if v.strip() and _NAME.match(v.strip())][:20])
    for name in ("assignee", "seller", "q"):
        value = (params.get(name) or "").strip()
        setattr(f, name, value[:200] if _NAME.match(value or "x") else "")
    if f.assignee == "me":
        f.assignee = user.username
    f.min_score = _score(params.get("min_score"), "min_score", f.problems)
    f.max_score = _score(params.get("max_score"), "max_score", f.problems)
    for name in ("since", "until"):
        value = (params.get(name) or "").strip()
        if value and not _DATE.match(value):
            f.problems.append(f"{name}: must be YYYY-MM-DD")
            value = ""
        setattr(f, name, value)
    after = _AFTER.match(params.get("after") or "")
    f.after = (int(after.group(1)), after.group(2)) if after else None
    page = params.get("page") or "1"
    deepest = 10**6 if f.after else MAX_PAGES  # the page number only labels a keyset page
    f.page = (min(max(int(page), 1), deepest) if len(page) < 20 else deepest) if page.isdigit() else 1
    return f


def next_after(lead: Lead) -> str:
    """The `after` value of the link to the page that follows `lead` (the queue sorts by score, then lead id)."""
    return f"{lead.score},{lead.lead_id}"


def _scoped(wanted: list[str], allowed: tuple[str, ...]) -> tuple[str, ...] | None:
    """The values to filter on, narrowed to the viewer's scope; None when nothing can match."""
    if not allowed:
        return tuple(wanted)
    if not wanted:
        return allowed
    kept = tuple(v for v in wanted if v in allowed)
    return kept or None


def to_query(f: QueueFilters, user: User, page_size: int, sort: str = "score") -> LeadQuery | None:
    """The store query for a page (one row more than shown), or None when the scope rules out every lead."""
    owners, entries = tuple(f.owner), tuple(f.entry)
    if user.is_viewer:
        if not user.scope_owners and not user.scope_entries:
            return None
        scoped_owners, scoped_entries = _scoped(f.owner, user.scope_owners), _scoped(f.entry, user.scope_entries)
        if scoped_owners is None or scoped_entries is None:
            return None
        owners, entries = scoped_owners, scoped_entries
    until = ""
    if f.until:
        until = f.until + "T23:59:59.999Z"  # the whole last day
    return LeadQuery(
        status=tuple(f.status), kind=tuple(f.kind), platform=tuple(f.platform), entry_id=entries, owner=owners,
        assignee=f.assignee or None, seller=f.seller or None, min_score=f.min_score, max_score=f.max_score,
        since=f.since or None, until=until or None, text=f.q, sort=sort, exclude_parcels=not user.may_see_parcels,
        limit=page_size + 1, offset=0 if f.after else (f.page - 1) * page_size, after=f.after,
    )  # fmt: skip
