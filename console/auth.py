"""Who is calling, and may they do this?

* The session token travels only in an HttpOnly, SameSite=Strict cookie; storage keeps its
  hash and slides the expiry on use.
* Every /api path answers 401 without a valid session, whatever cookie or header is sent
  (a forged cookie is simply an unknown token), and 403 on a role mismatch.
* State-changing calls need the CSRF token tied to the session: header ``X-CSRF-Token`` for
  JSON, hidden field ``csrf_token`` for forms. The login form, which has no session yet, uses
  a double-submit cookie.
"""
from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta, timezone
from functools import wraps
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Iterable, Optional
from urllib.parse import quote

from sanic import Request
from sanic.response import HTTPResponse, json, redirect

from sobu_privacy.roles import Role
from storage.staff import StaffSession

from .errors import ApiError
from .messages import t

if TYPE_CHECKING:  # the context imports storage and the Rasa client; only the type is needed
    from .context import ConsoleContext

SESSION_COOKIE = "console_session"
LOGIN_CSRF_COOKIE = "console_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[..., Awaitable[HTTPResponse]]


def client_address(request: Request) -> str:
    """The client's address: as our own proxies reported it (``CONSOLE_PROXIES``), else the
    peer of the connection. Logins are counted and audit entries written under it."""
    return request.remote_addr or request.ip or ""


def role_of(session: StaffSession) -> Role:
    return Role(session.user.role)


async def load_session(request: Request) -> Optional[StaffSession]:
    """The caller's session (cached on the request), or None."""
    if hasattr(request.ctx, "staff_session"):
        return request.ctx.staff_session
    token = request.cookies.get(SESSION_COOKIE) or ""
    session = None
    if 0 < len(token) <= 256:
        console = request.app.ctx.console
        session = await console.run(console.staff.get_session, token)
    request.ctx.staff_session = session
    return session


def csrf_matches(expected: str, given: Any) -> bool:
    return isinstance(given, str) and bool(given) and hmac.compare_digest(expected.encode(), given.encode())


def set_session_cookie(response: HTTPResponse, token: str, secure: bool) -> None:
    """A browser-session cookie: expiry is enforced server-side (storage slides it on use),
    so a fixed max-age here would log out a staff member in the middle of a chat."""
    response.cookies[SESSION_COOKIE] = token
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    if secure:
        cookie["secure"] = True


def clear_session_cookie(response: HTTPResponse) -> None:
    response.cookies[SESSION_COOKIE] = ""
    cookie = response.cookies[SESSION_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/"
    cookie["max-age"] = 0


#: Attempts from one address, over all names, allowed per window: this many times the
#: per-name limit (an office behind one address logs in many people).
PER_ADDRESS_FACTOR = 4
#: How many recent attempts are read to count (far above any limit).
_ATTEMPT_SCAN = 1000


def login_attempt_refused(ctx: "ConsoleContext", username: str, address: str) -> bool:
    """Record this login attempt, then decide whether it may check a password.

    The attempt is written *before* counting (in the audit log, so every console instance on
    the same database agrees and a restart does not reset it), so attempts made in parallel
    all see each other: no more than the limit get a password check. Two limits:

    - per name *and* address: ``login_max_failures`` attempts since that pair's last
      successful login; from another address the same name can still log in, so nobody can
      keep the known ``admin`` locked out;
    - per address over all names: ``PER_ADDRESS_FACTOR`` times that, less the successful
      logins, against one address trying many names.
    The same answer is given for unknown names: it reveals nothing.
    """
    settings = ctx.settings.product
    ctx.audit.record(username, "login.attempt", username, {"address": address})
    since = datetime.now(timezone.utc) - timedelta(minutes=settings.login_lock_minutes)
    attempts = ctx.audit.entries(_ATTEMPT_SCAN, action="login.attempt", since=since, address=address)
    logins = ctx.audit.entries(_ATTEMPT_SCAN, action="login", since=since, address=address)
    last_login = max((e.at for e in logins if e.target == username), default=since)
    pair = [e for e in attempts if e.target == username and e.at > last_login]
    return (
        len(pair) > settings.login_max_failures
        or len(attempts) - len(logins) > settings.login_max_failures * PER_ADDRESS_FACTOR
    )


def password_attempt_refused(ctx: "ConsoleContext", username: str) -> bool:
    """Record an attempt to change one's password, then count attempts since the last
    successful change: more than ``login_max_failures`` in the window are refused."""
    settings = ctx.settings.product
    ctx.audit.record(username, "user.password_change_attempt", username, {})
    since = datetime.now(timezone.utc) - timedelta(minutes=settings.login_lock_minutes)
    done = ctx.audit.entries(1, action="user.password_change", target=username, since=since)
    if done:
        since = done[0].at
    attempts = ctx.audit.entries(_ATTEMPT_SCAN, action="user.password_change_attempt", target=username, since=since)
    return len(attempts) > settings.login_max_failures


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def api(roles: Iterable[Role]) -> Callable[[Handler], Handler]:
    """JSON API guard: 401 without session, 403 on role or CSRF mismatch.

    ``roles`` is one of sobu_privacy.roles' sets (STAFF_ROLES, ANALYTICS_ROLES, ...)."""
    allowed = frozenset(roles)

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = await load_session(request)
            if session is None:
                return json({"error": t("unauthenticated")}, status=401)
            if role_of(session) not in allowed:
                return json({"error": t("forbidden")}, status=403)
            if request.method not in SAFE_METHODS and not csrf_matches(
                session.csrf_token, request.headers.get(CSRF_HEADER)
            ):
                return json({"error": t("csrf_failed")}, status=403)
            return await handler(request, session, *args, **kwargs)

        return wrapper

    return decorate


def page(roles: Iterable[Role]) -> Callable[[Handler], Handler]:
    """HTML guard: redirect to /login without session; 403 page on role or CSRF mismatch."""
    allowed = frozenset(roles)

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
            session = await load_session(request)
            if session is None:
                target = request.path if request.method == "GET" else "/console"
                return redirect(f"/login?next={quote(target, safe='/')}", status=303)
            if role_of(session) not in allowed:
                raise ApiError(403, t("forbidden"))
            if request.method not in SAFE_METHODS and not csrf_matches(
                session.csrf_token, (request.form or {}).get(CSRF_FIELD)
            ):
                raise ApiError(403, t("csrf_failed"))
            return await handler(request, session, *args, **kwargs)

        return wrapper

    return decorate


def safe_next(value: Optional[str]) -> str:
    """Only local console paths after login (no open redirect)."""
    if value and value.startswith("/console") and "//" not in value and "\\" not in value:
        return value
    return "/console"
