"""The triage web UI: accounts and roles, lead queue, lead detail, dashboard, audit trail, referral packages.

`triage.app.create_app(config)` builds the ASGI app, `triage.server.serve(config, host, port)` runs it, and
`seed_demo_users(config)` creates the demo accounts.
"""

from __future__ import annotations

import secrets

from netsword.config import Config

DEMO_USERS = (
    ("investigator", "investigator", (), ()),
    ("supervisor", "supervisor", (), ()),
    ("viewer", "rights_holder_viewer", ("Nike Innovate C.V.",), ()),
)


def seed_demo_users(config: Config, *, password: str | None = None, owners: tuple[str, ...] = ()) -> dict[str, str]:
    """Create `investigator`, `supervisor` and `viewer` (bound to `owners`, default Nike) when missing.

    Returns {username: password} for the accounts created now (existing accounts are left alone), with a fresh
    random password each unless `password` is given; the caller prints them.
    """
    from triage.db import TriageDB, triage_db_path
    from triage.users import UserStore

    db = TriageDB(triage_db_path(config.var_dir))
    created: dict[str, str] = {}
    try:
        users = UserStore(db)
        for username, role, default_owners, entries in DEMO_USERS:
            if users.get(username) is not None:
                continue
            chosen = password or secrets.token_urlsafe(12)
            scope = (owners or default_owners) if role == "rights_holder_viewer" else ()
            users.add(username, chosen, role, owners=scope, entries=entries, display_name=username)
            created[username] = chosen
    finally:
        db.close()
    return created
