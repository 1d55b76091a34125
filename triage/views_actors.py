"""Actor networks: the list and an actor's page — its network as server-rendered SVG and the evidence behind each
edge — and opening a case from it. What a viewer sees is cut to their scope (cases.actors.StoredActor.seen_by);
parcel shipper links only for roles that may see parcels."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cases.actors import ActorStore, StoredActor
from cases.layout import COLORS, network_graph
from cases.model import CaseError
from triage.users import INVESTIGATOR, SUPERVISOR
from triage.views_cases import case_store
from triage.web import error_page, guarded, render, state, user_of

LIST_LIMIT = 200


def _actors(request: Request) -> ActorStore:
    st = state(request)
    assert st.cases is not None
    return ActorStore(st.cases)


def visible_actor(request: Request, actor_id: str) -> StoredActor | None:
    user = user_of(request)
    actor = _actors(request).get(actor_id)
    if actor is None:
        return None
    return actor.seen_by(lambda ref: user.may_see(ref.owner, ref.entry_id), user.may_see_parcels)


@guarded()
async def actors_page(request: Request) -> Response:
    user, store = user_of(request), _actors(request)
    if user.is_viewer:
        summaries = [a.summary for a in (visible_actor(request, s.actor_id) for s in store.ranked(limit=LIST_LIMIT))
                     if a is not None]  # fmt: skip
    else:
        summaries = store.ranked(limit=LIST_LIMIT)
    build = store.last_build()
    hubs = [] if user.is_viewer else store.hubs(limit=20)
    return render(request, "actors.html", {"actors": summaries, "build": build, "hubs": hubs})


@guarded()
async def actor_page(request: Request) -> Response:
    actor = visible_actor(request, request.path_params["actor_id"])
    if actor is None:
        return error_page(request, 404, "not_found")
    names = {shop.key: shop.name or shop.key for shop in actor.shops}
    return render(request, "actor.html", {"actor": actor, "graph": network_graph(actor), "colors": COLORS,
                                          "names": names})  # fmt: skip


@guarded(INVESTIGATOR, SUPERVISOR)
async def case_from_actor(request: Request) -> Response:
    """Accept a suggested network: a new case holding the actor and its leads."""
    user = user_of(request)
    actor = visible_actor(request, request.path_params["actor_id"])
    if actor is None:
        return error_page(request, 404, "not_found")
    title = str(request.state.form.get("title", "")).strip() or actor.summary.label
    try:
        case = case_store(request).create(title, user.username, user.role, actors=[actor])
    except CaseError as exc:
        return error_page(request, 400, exc.key)
    return RedirectResponse(f"/cases/{case.case_id}", status_code=303)
