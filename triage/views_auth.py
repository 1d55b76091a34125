"""Log in, log out and the language switch: the only routes (with /static) open without a session."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from triage.i18n import LANGUAGES
from triage.sessions import COOKIE, DEVICE_COOKIE, DEVICE_DAYS, LOGIN_COOKIE
from triage.throttle import client_address
from triage.web import LANG_COOKIE, guarded, render, safe_next, state, user_of


def _address(request: Request) -> str:
    return "addr:" + client_address(request, state(request).trusted_proxies)


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
    """Check a login after its throttling wait (triage.throttle): slowed down, never refused."""
    st = state(request)
    form = await request.form()
    username, password = str(form.get("username", "")).strip()[:64], str(form.get("password", ""))[:1024]
    if not st.sessions.check_login_token(request.cookies.get(LOGIN_COOKIE), str(form.get("login_token", ""))):
        return await login_form(request, failed="bad_request", status=403)
    address = _address(request)
    device = st.sessions.device_of(request.cookies.get(DEVICE_COOKIE), username)
    # a browser this account logged in from before counts its failures on its own: others' guesses never slow it
    subjects = ("device:" + device,) if device else ("user:" + username, address)
    async with st.throttle.turn(*subjects):
        # argon2 takes a CPU-second by design: in a worker thread, so other requests go on meanwhile
        user = await run_in_threadpool(st.users.authenticate, username, password)
        if user is None:
            recorded = st.throttle.worth_recording(subjects[-1])
            st.throttle.fail(*subjects)
            if recorded:
                st.audit.append(username or "-", "login.failed", "user:" + username, None,
                                {"client": address.removeprefix("addr:"), "known_device": bool(device)})  # fmt: skip
            return await login_form(request, failed="login_failed", status=401)
    failed_before = st.throttle.failures("user:" + user.username)[0]
    st.throttle.clear("user:" + user.username)
    if device:
        st.throttle.clear("device:" + device)
    cookie, _csrf = st.sessions.create(user.username)
    after: dict[str, object] = {"client": address.removeprefix("addr:")}
    if failed_before:
        after["failed_attempts_before"] = failed_before
    st.audit.append(user.username, "login", "user:" + user.username, None, after)
    response = RedirectResponse(safe_next(str(form.get("next", "/"))), status_code=303)
    secure = st.config.triage.secure_cookies
    response.set_cookie(COOKIE, cookie, max_age=int(st.sessions.lifetime), httponly=True, secure=secure,
                        samesite="lax")  # fmt: skip
    response.set_cookie(DEVICE_COOKIE, st.sessions.device_cookie(user.username, device), path="/login",
                        max_age=DEVICE_DAYS * 86400, httponly=True, secure=secure, samesite="strict")  # fmt: skip
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
