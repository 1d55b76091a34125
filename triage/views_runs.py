"""Run history for the roles allowed to see it: scheduled jobs (crawls, re-checks, digests: outcome and figures, read
through the `run_history` the command line hands to the app, as scheduler sits above triage) and parcel imports
(per manifest source: counts and dates, no personal data; only for roles that may see parcels)."""

from __future__ import annotations

from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from parcels.db import ParcelDB, parcels_db_path
from parcels.history import ImportRun, import_history
from triage.users import INVESTIGATOR, SUPERVISOR
from triage.web import guarded, render, state, user_of

LIMIT = 50


def _parcel_imports(config: object) -> list[ImportRun]:
    path = parcels_db_path(config)  # type: ignore[arg-type]
    if not Path(path).exists():
        return []
    with ParcelDB(path) as db:
        return import_history(db, LIMIT)


@guarded(INVESTIGATOR, SUPERVISOR)
async def runs_page(request: Request) -> Response:
    st, user = state(request), user_of(request)
    jobs = await run_in_threadpool(st.run_history, LIMIT) if st.run_history is not None else None
    imports = await run_in_threadpool(_parcel_imports, st.config) if user.may_see_parcels else None
    return render(request, "runs.html", {"jobs": jobs, "imports": imports})
