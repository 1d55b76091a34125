"""The cases database `<var_dir>/cases.db`: actor networks (rebuilt whole by `netsword cases networks build`) and
cases (案件). Versioned in its `cases_schema` table (netsword.sqlite_migrations), opened by
netsword.sqlite_db.connect, so it is created 0600 in a 0700 directory. It holds no parcel personal data: parcel
links are stored by keyed shipper id (`sh-…`) with counts.
"""

from __future__ import annotations

from pathlib import Path

from netsword.sqlite_db import SharedDatabase

MIGRATIONS: list[str] = [
    # 1: actor networks, replaced as a whole by each build
    """
    CREATE TABLE network_builds (
        build_id INTEGER PRIMARY KEY,
        built_at TEXT NOT NULL,
        settings TEXT NOT NULL,
        counts TEXT NOT NULL
    );
    CREATE TABLE actors (
        actor_id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        shops INTEGER NOT NULL,
        leads INTEGER NOT NULL,
        identifiers INTEGER NOT NULL,
        platforms TEXT NOT NULL,
        kinds TEXT NOT NULL,
        via_parcels INTEGER NOT NULL,
        support INTEGER NOT NULL
    );
    CREATE TABLE actor_shops (
        actor_id TEXT NOT NULL REFERENCES actors(actor_id) ON DELETE CASCADE,
        shop_key TEXT NOT NULL,
        platform TEXT NOT NULL,
        seller_id TEXT NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (actor_id, shop_key)
    );
    CREATE INDEX actor_shops_shop ON actor_shops(shop_key);
    CREATE TABLE actor_leads (
        actor_id TEXT NOT NULL REFERENCES actors(actor_id) ON DELETE CASCADE,
        shop_key TEXT NOT NULL,
        lead_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        PRIMARY KEY (actor_id, lead_id)
    );
    CREATE INDEX actor_leads_lead ON actor_leads(lead_id);
    CREATE TABLE actor_links (
        actor_id TEXT NOT NULL REFERENCES actors(actor_id) ON DELETE CASCADE,
        shop_key TEXT NOT NULL,
        ident TEXT NOT NULL,
        kind TEXT NOT NULL,
        evidence TEXT NOT NULL,
        PRIMARY KEY (actor_id, shop_key, ident)
    );
    CREATE TABLE actor_support (
        actor_id TEXT NOT NULL REFERENCES actors(actor_id) ON DELETE CASCADE,
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        kind TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE TABLE network_hubs (
        ident TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        shops INTEGER NOT NULL
    );
    """,
    # 2: cases (案件): leads and actors, status flow and its log, notes
    """
    CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        assignee TEXT NOT NULL DEFAULT '',
        deadline TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX cases_updated ON cases(updated_at);
    CREATE TABLE case_leads (
        case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
        lead_id TEXT NOT NULL,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL,
        PRIMARY KEY (case_id, lead_id)
    );
    CREATE INDEX case_leads_lead ON case_leads(lead_id);
    CREATE TABLE case_actors (
        case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
        actor_id TEXT NOT NULL,
        label TEXT NOT NULL,
        shops TEXT NOT NULL,
        added_at TEXT NOT NULL,
        added_by TEXT NOT NULL,
        PRIMARY KEY (case_id, actor_id)
    );
    CREATE TABLE case_notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        author TEXT NOT NULL,
        text TEXT NOT NULL
    );
    CREATE TABLE case_status_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        note TEXT NOT NULL
    );
    """,
    # 3: takedown notices sent to platforms (cases.notices): one row per notice, its listings, what happened
    """
    CREATE TABLE takedown_notices (
        notice_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL DEFAULT '',
        channel TEXT NOT NULL,
        platform TEXT NOT NULL,
        rights_holder TEXT NOT NULL,
        right_kind TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'drafted',
        sent_at TEXT NOT NULL DEFAULT '',
        ticket TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL
    );
    CREATE INDEX takedown_notices_case ON takedown_notices(case_id);
    CREATE TABLE takedown_notice_leads (
        notice_id TEXT NOT NULL REFERENCES takedown_notices(notice_id) ON DELETE CASCADE,
        lead_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        listing_id TEXT NOT NULL,
        url TEXT NOT NULL,
        PRIMARY KEY (notice_id, lead_id)
    );
    CREATE INDEX takedown_notice_leads_lead ON takedown_notice_leads(lead_id);
    """,
    # 4: the serious-violator list (cases.publication): actors a supervisor listed from penalised, closed cases
    """
    CREATE TABLE serious_violators (
        case_id TEXT NOT NULL REFERENCES cases(case_id) ON DELETE CASCADE,
        actor_id TEXT NOT NULL,
        listed_at TEXT NOT NULL,
        listed_by TEXT NOT NULL,
        basis TEXT NOT NULL,
        shops TEXT NOT NULL,
        PRIMARY KEY (case_id, actor_id)
    );
    """,
]


class CasesDB(SharedDatabase):
    """One connection to cases.db shared by the app's threads, guarded by a lock."""

    MIGRATIONS = MIGRATIONS
    VERSION_TABLE = "cases_schema"
    LABEL = "cases.db"


def cases_db_path(var_dir: str | Path) -> Path:
    return Path(var_dir) / "cases.db"
