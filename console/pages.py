"""Server-rendered staff console pages (Jinja2, autoescaped) and their form actions.

Forms post to the same service methods as the JSON API and redirect back (303), so the
console works without JavaScript; small scripts only poll GET endpoints to keep the queue
and the transcript fresh.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import quote

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, html, raw, redirect

from sobu_privacy.requests import DeliveryMethod, RequestType
from sobu_privacy.roles import ADMIN_ROLES, ALL_ROLES, ANALYTICS_ROLES, STAFF_ROLES, Role
from sobu_privacy.workflow import TicketStatus
from storage.staff import MIN_PASSWORD_LENGTH, StaffSession

from .auth import (
    CSRF_FIELD,
    LOGIN_CSRF_COOKIE,
    clear_session_cookie,
    client_address,
    csrf_matches,
    load_session,
    new_login_csrf,
    page,
    role_of,
    safe_next,
    set_session_cookie,
)
from .disclosure import PdfUnavailable, html_to_pdf, inline_stylesheet
from .errors import ApiError
from .messages import t
from .services import ConsoleServices, LoginRefused
from .validation import PASSWORD_MAX, USERNAME_STORED_MAX, date_param, form_body

bp = Blueprint("pages")
#: Outcomes the users page may announce after a redirect (the texts are in users.html).
USER_NOTICES = ("activated", "deactivated", "password_reset")
#: Statuses a form shows on its own page (with the form again) instead of the error page.
FORM_ERROR_STATUSES = (400, 404, 409)


def _svc(request: Request) -> ConsoleServices:
    return request.app.ctx.services


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTTPResponse:
    session: Optional[StaffSession] = getattr(request.ctx, "staff_session", None)
    template = request.app.ctx.jinja.get_template(name)
    body = template.render(
        session=session,
        role=role_of(session) if session else None,
        csrf_token=session.csrf_token if session else "",
        csrf_field=CSRF_FIELD,
        **context,
    )
    return html(body, status=status)


def _home_for(role: Role) -> str:
    return "/console/analytics" if role is Role.ANALYST else "/console"


def _conv_url(cid: str) -> str:
    return f"/console/conversations/{quote(cid, safe='')}"


# --- login / logout -----------------------------------------------------------------------


def _login_page(request: Request, error: Optional[str] = None, status: int = 200) -> HTTPResponse:
    token = new_login_csrf()
    response = render(request, "login.html", status=status, login_csrf=token, error=error,
                      next=safe_next(request.args.get("next") or (request.form or {}).get("next")))
    response.cookies[LOGIN_CSRF_COOKIE] = token
    cookie = response.cookies[LOGIN_CSRF_COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = "/login"
    cookie["max-age"] = 3600
    return response


@bp.get("/login")
async def login_form(request: Request) -> HTTPResponse:
    session = await load_session(request)
    if session is not None:
        return redirect(_home_for(role_of(session)), status=303)
    return _login_page(request)


@bp.post("/login")
async def login(request: Request) -> HTTPResponse:
    form = request.form or {}
    if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE) or "", form.get(CSRF_FIELD)):
        return _login_page(request, t("login_csrf"), status=403)
    username = (form.get("username") or "").strip()[:USERNAME_STORED_MAX]
    password = form.get("password") or ""
    try:
        logged_in = await _svc(request).users.login(username, password, address=client_address(request))
    except LoginRefused as refusal:
        return _login_page(request, refusal.message, status=refusal.status)
    target = safe_next(form.get("next"))
    if target == "/console":
        target = _home_for(logged_in.user.role)
    response = redirect(target, status=303)
    set_session_cookie(response, logged_in.token, request.app.ctx.console.settings.cookie_secure)
    response.cookies[LOGIN_CSRF_COOKIE] = ""
    response.cookies[LOGIN_CSRF_COOKIE]["max-age"] = 0
    response.cookies[LOGIN_CSRF_COOKIE]["path"] = "/login"
    return response


@bp.post("/logout")
@page(ALL_ROLES)
async def logout(request: Request, session: StaffSession) -> HTTPResponse:
    await _svc(request).users.logout(session, request.cookies.get("console_session") or "")
    response = redirect("/login", status=303)
    clear_session_cookie(response)
    return response


# --- queue and conversations --------------------------------------------------------------


@bp.get("/console")
@page(ALL_ROLES)
async def queue(request: Request, session: StaffSession) -> HTTPResponse:
    if role_of(session) not in STAFF_ROLES:
        return redirect(_home_for(role_of(session)), status=303)
    return render(request, "queue.html", data=await _svc(request).conversations.queue())


@bp.get("/console/conversations/<cid:str>")
@page(STAFF_ROLES)
async def conversation(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    data = await _svc(request).conversations.conversation(cid)
    # Opening a transcript shows personal data: record who looked (the 2 s API polls are not).
    await _svc(request).conversations.audit(session.user.username, "conversation.view", cid, {})
    return render(
        request,
        "conversation.html",
        data=data,
        prefill=data["ticket_prefill"],
        request_types=list(RequestType),
        delivery_methods=list(DeliveryMethod),
    )


@bp.post("/console/conversations/<cid:str>/claim")
@page(STAFF_ROLES)
async def claim(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    await _svc(request).conversations.claim(session, cid)
    return redirect(_conv_url(cid), status=303)


@bp.post("/console/conversations/<cid:str>/reply")
@page(STAFF_ROLES)
async def reply(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    await _svc(request).conversations.reply(session, cid, form_body(request.form))
    return redirect(_conv_url(cid), status=303)


@bp.post("/console/conversations/<cid:str>/notes")
@page(STAFF_ROLES)
async def notes(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    await _svc(request).conversations.add_note(session, cid, form_body(request.form))
    return redirect(_conv_url(cid) + "#notes", status=303)


@bp.post("/console/conversations/<cid:str>/ticket")
@page(STAFF_ROLES)
async def link_ticket(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    await _svc(request).conversations.link_ticket(session, cid, form_body(request.form))
    return redirect(_conv_url(cid), status=303)


@bp.post("/console/conversations/<cid:str>/tickets")
@page(STAFF_ROLES)
async def create_ticket(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    body: Dict[str, Any] = form_body(request.form)
    body["conversation_id"] = cid
    body.pop(CSRF_FIELD, None)
    ticket = await _svc(request).tickets.create(session, body)
    return redirect(f"/console/tickets/{ticket['number']}", status=303)


@bp.post("/console/conversations/<cid:str>/handback")
@page(STAFF_ROLES)
async def handback(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    await _svc(request).conversations.hand_back(session, cid)
    return redirect("/console", status=303)


# --- tickets ------------------------------------------------------------------------------


@bp.get("/console/tickets")
@page(STAFF_ROLES)
async def tickets(request: Request, session: StaffSession) -> HTTPResponse:
    args = request.args
    filters = {
        "status": args.get("status") or None,
        "type": args.get("type") or None,
        "due_before": args.get("due_before") or None,
    }
    data = await _svc(request).tickets.list(filters["status"], filters["type"], date_param(filters["due_before"]))
    await _svc(request).tickets.audit_read(session.user.username, "ticket.list", "", {**filters, "count": len(data["tickets"])})
    return render(
        request, "tickets.html", data=data, filters=filters, statuses=list(TicketStatus), request_types=list(RequestType)
    )


@bp.get("/console/tickets/<number:str>")
@page(STAFF_ROLES)
async def ticket(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    data = await _svc(request).tickets.get(number)
    await _svc(request).tickets.audit(session.user.username, "ticket.view", data["ticket"]["number"], {})
    return render(request, "ticket.html", data=data)


@bp.get("/console/tickets/<number:str>/erasure")
@page(STAFF_ROLES)
async def erasure_form(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    """Step one of an erasure: what would go, the customer's other tickets to choose from."""
    data = await _svc(request).tickets.erasure_plan(number)
    await _svc(request).tickets.audit(session.user.username, "privacy.erasure.plan", data["ticket"]["number"], {})
    return render(request, "erasure.html", data=data, done=None)


@bp.post("/console/tickets/<number:str>/erasure")
@page(STAFF_ROLES)
async def erasure(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    """Step two: erase, after the 受付番号 is typed again (storage writes the audit entry)."""
    form = request.form or {}
    done = await _svc(request).tickets.erase(session, number, form.get("confirm"), form.getlist("other") or [])
    data = await _svc(request).tickets.erasure_plan(number)
    return render(request, "erasure.html", data=data, done=done)


@bp.get("/console/tickets/<number:str>/disclosure")
@page(STAFF_ROLES)
async def disclosure(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    """The printable disclosure document of a 開示 request (console/disclosure.py)."""
    data = await _svc(request).tickets.disclosure(number)
    await _svc(request).tickets.audit(session.user.username, "privacy.disclosure", data["ticket"]["number"], {"format": "html"})
    return render(request, "disclosure.html", data=data, inline_css=None)


@bp.get("/console/tickets/<number:str>/disclosure.pdf")
@page(STAFF_ROLES)
async def disclosure_pdf(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    data = await _svc(request).tickets.disclosure(number)
    page_html = request.app.ctx.jinja.get_template("disclosure.html").render(data=data, inline_css=inline_stylesheet())
    try:
        pdf = await html_to_pdf(page_html)
    except PdfUnavailable:
        raise ApiError(503, t("pdf_unavailable")) from None
    number = data["ticket"]["number"]
    await _svc(request).tickets.audit(session.user.username, "privacy.disclosure", number, {"format": "pdf"})
    return raw(pdf, content_type="application/pdf",
               headers={"Content-Disposition": f'attachment; filename="disclosure-{number}.pdf"', "Cache-Control": "no-store"})


@bp.post("/console/tickets/<number:str>/status")
@page(STAFF_ROLES)
async def ticket_status(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    data = await _svc(request).tickets.change_status(session, number, form_body(request.form))
    return redirect(f"/console/tickets/{data['ticket']['number']}", status=303)


# --- users and analytics ------------------------------------------------------------------


async def _users_page(request: Request, status: int = 200, error: Optional[str] = None) -> HTTPResponse:
    data = await _svc(request).users.list()
    for user in data["users"]:
        user["path"] = quote(user["username"], safe="")  # any stored name, as one URL segment
    args = request.args if status == 200 else {}
    done = args.get("done") if args.get("done") in USER_NOTICES else None
    known = {user["username"] for user in data["users"]}
    created = args.get("created") if args.get("created") in known else None  # no text from a crafted link
    return render(
        request,
        "users.html",
        status=status,
        data=data,
        error=error,
        created=created,
        done=done,
        done_user=args.get("user"),
        min_password_length=MIN_PASSWORD_LENGTH,
        password_max=PASSWORD_MAX,
    )


@bp.get("/console/users")
@page(ADMIN_ROLES)
async def users(request: Request, session: StaffSession) -> HTTPResponse:
    return await _users_page(request)


@bp.post("/console/users")
@page(ADMIN_ROLES)
async def create_user(request: Request, session: StaffSession) -> HTTPResponse:
    return await _users_form(
        request,
        _svc(request).users.create(session, form_body(request.form)),
        lambda user: redirect(f"/console/users?created={quote(user['username'])}", status=303),
    )


async def _users_form(
    request: Request, change: Awaitable[Dict[str, Any]], done: Callable[[Dict[str, Any]], HTTPResponse]
) -> HTTPResponse:
    """Run a change from the users page; a refusal is shown there, with the forms, not on an error page."""
    try:
        user = await change
    except ApiError as error:
        if error.status not in FORM_ERROR_STATUSES:
            raise
        return await _users_page(request, error.status, error.message)
    return done(user)


def _users_notice(done: str, username: str) -> HTTPResponse:
    return redirect(f"/console/users?done={done}&user={quote(username, safe='')}", status=303)


@bp.post("/console/users/<username:str>/active")
@page(ADMIN_ROLES)
async def set_user_active(request: Request, session: StaffSession, username: str) -> HTTPResponse:
    body: Dict[str, Any] = form_body(request.form)
    # the form's hidden field says "1" or "0"; anything else stays as it is and is refused
    body["active"] = {"1": True, "0": False}.get(body.get("active"), body.get("active"))  # type: ignore[arg-type]
    return await _users_form(
        request,
        _svc(request).users.set_active(session, username, body),
        lambda user: _users_notice("activated" if user["active"] else "deactivated", user["username"]),
    )


@bp.post("/console/users/<username:str>/password")
@page(ADMIN_ROLES)
async def reset_user_password(request: Request, session: StaffSession, username: str) -> HTTPResponse:
    body: Dict[str, Any] = form_body(request.form)
    body.setdefault("password_confirm", None)  # the form always asks twice; an empty field is missing
    return await _users_form(
        request,
        _svc(request).users.reset_password(session, username, body),
        lambda user: _users_notice("password_reset", user["username"]),
    )


# --- own account (every role) -------------------------------------------------------------


def _account_page(request: Request, status: int = 200, error: Optional[str] = None) -> HTTPResponse:
    return render(
        request,
        "account.html",
        status=status,
        error=error,
        changed=status == 200 and request.args.get("changed") == "1",
        min_password_length=MIN_PASSWORD_LENGTH,
        password_max=PASSWORD_MAX,
    )


@bp.get("/console/account")
@page(ALL_ROLES)
async def account(request: Request, session: StaffSession) -> HTTPResponse:
    return _account_page(request)


@bp.post("/console/account/password")
@page(ALL_ROLES)
async def change_own_password(request: Request, session: StaffSession) -> HTTPResponse:
    try:
        token, _csrf = await _svc(request).users.change_own_password(session, form_body(request.form))
    except ApiError as error:
        if error.status not in FORM_ERROR_STATUSES:
            raise
        return _account_page(request, error.status, error.message)
    # Every session of this user ended with the change; this browser continues in a new one.
    response = redirect("/console/account?changed=1", status=303)
    set_session_cookie(response, token, request.app.ctx.console.settings.cookie_secure)
    return response


@bp.get("/console/analytics")
@page(ANALYTICS_ROLES)
async def analytics_page(request: Request, session: StaffSession) -> HTTPResponse:
    return render(request, "analytics.html")
