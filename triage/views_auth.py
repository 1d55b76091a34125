"""Log in, log out and the language switch: the only routes (with /static) open without a session."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from triage.i18n import LANGUAGES
from triage.sessions import COOKIE, LOGIN_COOKIE
from triage.web import LANG_COOKIE, guarded, render, safe_next, state, user_of


def _client(request: Request) -> str:
    return "addr:" + (request.client.host if request.client else "unknown")


async def login_form(request: Request, *, failed: str = "", status: int = 200) -> Response:
    st = state(request)
    cookie, token = st.sessions.login_token()
    next_url = safe_next(request.query_params.get("next"))
    response = render(request, "login.html", {"login_token": token, "next": next_url, "failed": failed}, status)
    response.set_cookie(
        LOGIN_COOKIE, cookie, max_age=3600, httponly=True, secure=st.config.triage.secure_cookies, samesite="strict"
    )
    return response


async def login_submit(request: Request) -> Response:
    st = state(request)
    form = await request.form()
    username, password = str(form.get("username", "")).strip()[:64], str(form.get("password", ""))[:1024]
    if not st.sessions.check_login_token(request.cookies.get(LOGIN_COOKIE), str(form.get("login_token", ""))):
        return await login_form(request, failed="bad_request", status=403)
    subjects = ("user:" + username, _client(request))
    if st.throttle.blocked(*subjects):
        st.audit.append(username or "-", "login.throttled", "user:" + username, None, {"client": _client(request)})
        return await login_form(request, failed="login_throttled", status=429)
    user = st.users.authenticate(username, password)
    if user is None:
        st.throttle.fail(*subjects)
        st.audit.append(username or "-", "login.failed", "user:" + username, None, {"client": _client(request)})
        return await login_form(request, failed="login_failed", status=401)
    st.throttle.clear("user:" + username)
    cookie, _csrf = st.sessions.create(user.username)
    st.audit.append(user.username, "login", "user:" + user.username, None, {"client": _client(request)})
    response = RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
    response.set_cookie(
        COOKIE, cookie, max_age=int(st.sessions.lifetime), httponly=True,
        secure=st.config.triage.secure_cookies, samesite="lax",
    )  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE)
    return response


@guarded()
async def logout(request: Request) -> Response:
    st = state(request)
    st.sessions.end(request.state.session_id)
    st.audit.append(user_of(request).username, "logout", "user:" + user_of(request).username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


async def set_language(request: Request) -> Response:
    """A preference cookie only; changes no data, so it needs no session or CSRF token."""
    lang = request.path_params["lang"]
    response = RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax",
                            secure=state(request).config.triage.secure_cookies)  # fmt: skip
    return response
