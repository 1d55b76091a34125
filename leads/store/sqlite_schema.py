"""The lead store's SQLite schema as numbered migrations, versioned in `leads_schema` (netsword.sqlite_migrations)."""

from __future__ import annotations

import sqlite3

from netsword.sqlite_migrations import migrate as run_migrations

MIGRATIONS: list[str] = [
    # 1: leads, their full-text index (trigram: works for Chinese without a word segmenter) and lookups
    """
    CREATE TABLE leads (
        lead_id TEXT PRIMARY KEY,
        listing_id TEXT NOT NULL,
        platform TEXT NOT NULL,
        url TEXT NOT NULL,
        entry_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        score INTEGER NOT NULL,
        matched TEXT NOT NULL,
        reasons TEXT NOT NULL,
        listing TEXT NOT NULL,
        title TEXT NOT NULL,
        seller TEXT NOT NULL DEFAULT '',
        price REAL,
        owner TEXT NOT NULL DEFAULT '',
        cited_number TEXT NOT NULL DEFAULT '',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new',
        times_seen INTEGER NOT NULL DEFAULT 1,
        assignee TEXT NOT NULL DEFAULT '',
        price_history TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX leads_status_score ON leads(status, score DESC);
    CREATE INDEX leads_score ON leads(score DESC, lead_id);
    CREATE INDEX leads_platform_score ON leads(platform, score DESC);
    CREATE INDEX leads_entry_score ON leads(entry_id, score DESC);
    CREATE INDEX leads_owner_score ON leads(owner, score DESC);
    CREATE INDEX leads_last_seen ON leads(last_seen);
    CREATE INDEX leads_seller ON leads(seller);
    CREATE INDEX leads_listing ON leads(platform, listing_id);
    CREATE VIRTUAL TABLE leads_fts USING fts5(title, matched, content='leads', content_rowid='rowid',
                                              tokenize='trigram');
    CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
        INSERT INTO leads_fts(rowid, title, matched) VALUES (new.rowid, new.title, new.matched);
    END;
    CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
        INSERT INTO leads_fts(leads_fts, rowid, title, matched) VALUES ('delete', old.rowid, old.title, old.matched);
    END;
    CREATE TRIGGER leads_fts_update AFTER UPDATE OF title, matched ON leads BEGIN
        INSERT INTO leads_fts(leads_fts, rowid, title, matched) VALUES ('delete', old.rowid, old.title, old.matched);
        INSERT INTO leads_fts(rowid, title, matched) VALUES (new.rowid, new.title, new.matched);
    END;
    """,
    # 2: status changes, so the history of a lead can be shown
    """
    CREATE TABLE lead_status_history (
        id INTEGER PRIMARY KEY,
        lead_id TEXT NOT NULL REFERENCES leads(lead_id),
        at TEXT NOT NULL,
        before TEXT NOT NULL,
        after TEXT NOT NULL,
        assignee TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX lead_status_history_lead ON lead_status_history(lead_id);
    CREATE INDEX leads_assignee_score ON leads(assignee, score DESC);
    """,
    # 3: the dashboard's leads-per-day chart and "new since" queries
    """
    CREATE INDEX leads_first_seen ON leads(first_seen);
    """,
    # 4: re-index a lead's text only when its title or match changed, not on every sighting
    """
    DROP TRIGGER leads_fts_update;
    CREATE TRIGGER leads_fts_update AFTER UPDATE OF title, matched ON leads
    WHEN old.title IS NOT new.title OR old.matched IS NOT new.matched BEGIN
        INSERT INTO leads_fts(leads_fts, rowid, title, matched) VALUES ('delete', old.rowid, old.title, old.matched);
        INSERT INTO leads_fts(rowid, title, matched) VALUES (new.rowid, new.title, new.matched);
    END;
    """,
    # 5: the crawl run that last saw each lead, so a crawl restarted after a crash counts a listing once
    """
    ALTER TABLE leads ADD COLUMN last_run TEXT NOT NULL DEFAULT '';
    """,
    # 6: every listing seen, matched or not (leads.store.listings), for `netsword rematch` and its retention
    """
    CREATE TABLE listings (
        platform TEXT NOT NULL,
        listing_id TEXT NOT NULL,
        listing TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        times_seen INTEGER NOT NULL DEFAULT 1,
        last_run TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (platform, listing_id)
    ) WITHOUT ROWID;
    CREATE INDEX listings_last_seen ON listings(last_seen);
    """,
]

SCHEMA_VERSION = len(MIGRATIONS)
VERSION_TABLE = "leads_schema"


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every lead-store migration newer than the version in `leads_schema`; returns the resulting version.

    A file from before that table (versioned by `PRAGMA user_version` alone) is picked up at its user_version.
    """
    return run_migrations(conn, MIGRATIONS, version_table=VERSION_TABLE, label="lead store", legacy_user_version=True)
