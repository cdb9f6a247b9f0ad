"""Every /api route: 401 without a valid session (forged cookies too), 403 on role or CSRF."""
from __future__ import annotations

import pytest
import requests

from tests.console.helpers import bot_summary

API_ROUTES = [
    ("GET", "/api/me"),
    ("GET", "/api/conversations"),
    ("GET", "/api/conversations/abc123"),
    ("POST", "/api/conversations/abc123/claim"),
    ("POST", "/api/conversations/abc123/reply"),
    ("POST", "/api/conversations/abc123/notes"),
    ("POST", "/api/conversations/abc123/ticket"),
    ("POST", "/api/conversations/abc123/handback"),
    ("GET", "/api/tickets"),
    ("POST", "/api/tickets"),
    ("GET", "/api/tickets/PR-0000-0000"),
    ("POST", "/api/tickets/PR-0000-0000"),
    ("POST", "/api/tickets/PR-0000-0000/status"),
    ("GET", "/api/analytics/summary"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("POST", "/api/users/staff1/active"),
    ("POST", "/api/users/staff1/password"),
    ("POST", "/api/me/password"),
    ("GET", "/api/does-not-exist"),
    ("DELETE", "/api/tickets"),
]

FORGED = [
    {},
    {"console_session": "forged"},
    {"console_session": ""},
    {"console_session": "x" * 5000},
    {"session": "admin", "role": "admin"},
]


@pytest.mark.parametrize("method,path", API_ROUTES)
def test_every_api_route_requires_a_session(console, method, path):
    for cookies in FORGED:
        resp = requests.request(
            method, console.url + path, cookies=cookies, json={"text": "x"},
            headers={"X-CSRF-Token": "forged", "Authorization": "Bearer forged", "X-Role": "admin"},
        )
        assert resp.status_code == 401, (method, path, cookies, resp.status_code)
        assert "ログイン" in resp.json()["error"]


def test_logged_out_session_is_dead(console):
    client = console.login("staff1")
    cookie = client.cookies.get("console_session")
    client.post(client.url("/logout"), data={"csrf_token": client.csrf})
    resp = requests.get(console.url + "/api/conversations", cookies={"console_session": cookie})
    assert resp.status_code == 401


def test_session_cookie_flags(console):
    client = console.login("staff1")
    form = requests.get(console.url + "/login")
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    resp = requests.post(
        console.url + "/login", cookies=form.cookies,
        data={"username": "staff1", "password": console.users["staff1"], "csrf_token": token}, allow_redirects=False,
    )
    set_cookie = resp.headers["Set-Cookie"]
    assert "console_session=" in set_cookie
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie
    assert client.csrf


def test_login_requires_login_form_token(console):
    resp = requests.post(console.url + "/login", data={"username": "staff1", "password": console.users["staff1"]},
                         allow_redirects=False)
    assert resp.status_code == 403
    assert "console_session" not in resp.headers.get("Set-Cookie", "")


def test_wrong_password_is_refused_in_japanese(console):
    client = requests.Session()
    import re
    form = client.get(console.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    resp = client.post(console.url + "/login", data={"username": "staff1", "password": "wrong", "csrf_token": token},
                       allow_redirects=False)
    assert resp.status_code == 401
    assert "正しくありません" in resp.text


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/api/conversations/abc123/claim", None),
    ("POST", "/api/conversations/abc123/reply", {"text": "hi"}),
    ("POST", "/api/conversations/abc123/handback", None),
    ("POST", "/api/tickets", {}),
    ("POST", "/api/tickets/PR-0000-0000/status", {"status": "対応中", "comment": "x"}),
    ("GET", "/api/users", None),
    ("POST", "/api/users", {"username": "zzz", "password": "longenough1", "role": "admin"}),
    ("POST", "/api/users/staff1/active", {"active": False}),
    ("POST", "/api/users/staff1/password", {"password": "longenough1"}),
])
def test_analyst_is_forbidden_staff_actions(console, method, path, body):
    analyst = console.login("analyst1")
    headers = {"X-CSRF-Token": analyst.csrf}
    resp = analyst.request(method, console.url + path, json=body, headers=headers)
    assert resp.status_code == 403
    assert "権限" in resp.json()["error"]


def test_staff_cannot_manage_users_or_read_analytics(console):
    staff = console.login("staff1")
    assert staff.get(staff.url("/api/users")).status_code == 403
    assert staff.api_post("/api/users", {"username": "evil", "password": "x" * 12, "role": "admin"}).status_code == 403
    assert staff.get(staff.url("/api/analytics/summary")).status_code == 403


def test_admin_creates_users(console):
    admin = console.login("admin1")
    resp = admin.api_post("/api/users", {"username": "new.staff", "password": "new-password-1", "role": "staff"})
    assert resp.status_code == 201, resp.text
    again = admin.api_post("/api/users", {"username": "new.staff", "password": "new-password-1", "role": "staff"})
    assert again.status_code == 409
    short = admin.api_post("/api/users", {"username": "other", "password": "short", "role": "staff"})
    assert short.status_code == 400
    assert console.login("new.staff", "new-password-1").get(console.url + "/api/me").json()["role"] == "staff"
    actions = [e.action for e in console.ctx.audit.entries(actor="admin1")]
    assert "user.create" in actions


def test_csrf_is_required_for_json_and_forms(console):
    console.ctx.handoffs.enqueue("conv-csrf", bot_summary("q"))
    staff = console.login("staff1")
    assert staff.api_post("/api/conversations/conv-csrf/claim", csrf=False).status_code == 403
    bad = staff.post(staff.url("/api/conversations/conv-csrf/claim"), headers={"X-CSRF-Token": "wrong"})
    assert bad.status_code == 403
    # a form without the hidden field (what a cross-site form would send)
    form = staff.post(staff.url("/console/conversations/conv-csrf/claim"), data={}, allow_redirects=False)
    assert form.status_code == 403
    # another user's token does not work either
    other = console.login("staff2")
    mixed = staff.post(staff.url("/api/conversations/conv-csrf/claim"), headers={"X-CSRF-Token": other.csrf})
    assert mixed.status_code == 403
    assert console.ctx.handoffs.open_for_conversation("conv-csrf").claimed_by is None
    ok = staff.post(staff.url("/console/conversations/conv-csrf/claim"), data={"csrf_token": staff.csrf},
                    allow_redirects=False)
    assert ok.status_code == 303


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[1,2]", b'"text"', b"\xff\xfe", b'{"text": 5}',
                                 b'{"text": ""}', b'{"text": null}', b'{"text": ["a"]}'])
def test_bad_bodies_get_400_in_japanese(console, raw):
    console.ctx.handoffs.enqueue("conv-bad", bot_summary("q"))
    staff = console.login("staff1")
    assert staff.api_post("/api/conversations/conv-bad/claim").status_code == 200
    resp = staff.api_post("/api/conversations/conv-bad/reply", raw=raw)
    assert resp.status_code == 400, (raw, resp.status_code, resp.text)
    assert resp.json()["error"]
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in resp.json()["error"])


def test_huge_inputs_get_400(console):
    console.ctx.handoffs.enqueue("conv-huge", bot_summary("q"))
    staff = console.login("staff1")
    staff.api_post("/api/conversations/conv-huge/claim")
    assert staff.api_post("/api/conversations/conv-huge/reply", {"text": "あ" * 2001}).status_code == 400
    assert staff.api_post("/api/conversations/conv-huge/notes", {"text": "x" * 70000}).status_code == 400
    big = b'{"text": "' + b"a" * 2_000_000 + b'"}'
    resp = staff.api_post("/api/conversations/conv-huge/notes", raw=big)
    assert resp.status_code in (400, 413)
    assert staff.get(staff.url("/api/tickets?due_before=tomorrow")).status_code == 400
    assert staff.get(staff.url("/api/tickets?status=unknown")).status_code == 400
    assert staff.get(staff.url("/api/conversations/" + "a" * 300)).status_code == 400
    assert staff.get(staff.url("/api/tickets/not-a-number")).status_code == 400


def test_pages_redirect_to_login_and_forbid_by_role(console):
    resp = requests.get(console.url + "/console/tickets", allow_redirects=False)
    assert resp.status_code == 303 and resp.headers["Location"].startswith("/login")
    analyst = console.login("analyst1")
    assert analyst.get(analyst.url("/console/tickets")).status_code == 403
    assert analyst.get(analyst.url("/console/users")).status_code == 403
    assert analyst.get(analyst.url("/console/analytics")).status_code == 200
    staff = console.login("staff1")
    assert staff.get(staff.url("/console/users")).status_code == 403
    assert staff.get(staff.url("/console/analytics")).status_code == 403


def test_logout_empties_the_cookie_in_the_browser_and_ends_the_session(console):
    client = console.login("staff1")
    old_cookie = client.cookies.get("console_session")
    resp = client.post(client.url("/logout"), data={"csrf_token": client.csrf}, allow_redirects=False)
    assert resp.status_code == 303 and resp.headers["Location"] == "/login"
    parts = [p.strip() for p in resp.headers["Set-Cookie"].split(";")]
    name, _, value = parts[0].partition("=")
    attributes = {p.partition("=")[0].lower(): p.partition("=")[2] for p in parts[1:]}
    assert name == "console_session" and value.strip('"') == ""
    # the same flags as at login, and gone at once: Max-Age=0 on the path the cookie was set for
    assert attributes == {"path": "/", "httponly": "", "samesite": "Strict", "max-age": "0"}
    again = requests.get(console.url + "/api/me", cookies={"console_session": old_cookie})
    assert again.status_code == 401


# --- the guards and the session cookie at unit level ------------------------------------------
# No server: a guard is called with a stand-in request whose session is already loaded (what
# load_session caches on request.ctx), so the role check itself is what is tested.


def _request_as(role, method: str = "GET"):
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from storage.staff import StaffSession, StaffUser

    user = StaffUser(username=f"{role.value}-user", role=role, active=True, created_at=datetime.now(timezone.utc))
    session = StaffSession(user=user, csrf_token="csrf-token", expires_at=datetime.now(timezone.utc))
    return SimpleNamespace(ctx=SimpleNamespace(staff_session=session), method=method, path="/console/x",
                           headers={}, form=None)


async def _handler(request, session):
    from sanic.response import json as json_response

    return json_response({"user": session.user.username})


def test_an_api_guard_keeps_the_roles_it_was_given():
    """The roles are read once, when the route is declared: any iterable will do, even one
    that can be walked only once, and every later request is checked against them."""
    import asyncio

    from console.auth import api
    from sobu_privacy.roles import Role

    guarded = api(role for role in (Role.STAFF, Role.ADMIN))(_handler)
    statuses = [asyncio.run(guarded(_request_as(role))).status
                for role in (Role.ANALYST, Role.STAFF, Role.ADMIN, Role.STAFF, Role.ANALYST)]
    assert statuses == [403, 200, 200, 200, 403]


def test_a_page_guard_keeps_the_roles_it_was_given():
    import asyncio

    from console.auth import page
    from console.errors import ApiError
    from sobu_privacy.roles import Role

    guarded = page(role for role in (Role.ANALYST, Role.ADMIN))(_handler)
    for _ in range(2):
        assert asyncio.run(guarded(_request_as(Role.ADMIN))).status == 200
        assert asyncio.run(guarded(_request_as(Role.ANALYST))).status == 200
        with pytest.raises(ApiError) as refused:
            asyncio.run(guarded(_request_as(Role.STAFF)))
        assert refused.value.status == 403


@pytest.mark.parametrize("secure", [True, False], ids=["secure", "plain_http"])
def test_the_session_cookie_carries_exactly_its_flags(secure):
    """HttpOnly and SameSite=Strict always; Secure when CONSOLE_COOKIE_SECURE is on; no
    Max-Age or Expires (a browser-session cookie: storage enforces the expiry)."""
    from sanic.response import HTTPResponse

    from console.auth import SESSION_COOKIE, set_session_cookie

    response = HTTPResponse()
    set_session_cookie(response, "the-token", secure)
    header = str(response.cookies[SESSION_COOKIE])
    parts = header.split("; ")
    assert parts[0] == "console_session=the-token"
    assert sorted(parts[1:]) == sorted(["Path=/", "HttpOnly", "SameSite=Strict"] + (["Secure"] if secure else []))


@pytest.mark.parametrize("known", [True, False], ids=["live_session", "unknown_token"])
def test_a_request_looks_its_session_up_once(known):
    """load_session caches the answer on the request, None included: the guard, the handler
    and the page layout all ask, storage is asked (and slides the expiry) once."""
    import asyncio
    from types import SimpleNamespace

    from console.auth import load_session
    from sobu_privacy.roles import Role

    found = _request_as(Role.STAFF).ctx.staff_session if known else None
    lookups = []

    def get_session(token):
        lookups.append(token)
        return found

    async def run(fn, *args):
        return fn(*args)

    console = SimpleNamespace(run=run, staff=SimpleNamespace(get_session=get_session))
    request = SimpleNamespace(ctx=SimpleNamespace(), cookies={"console_session": "t" * 43},
                              app=SimpleNamespace(ctx=SimpleNamespace(console=console)))
    assert [asyncio.run(load_session(request)) for _ in range(3)] == [found] * 3
    assert lookups == ["t" * 43]


@pytest.mark.parametrize("value, expected", [
    ("/console/tickets?status=open", "/console/tickets?status=open"),
    ("/console", "/console"),
    (None, "/console"),
    ("", "/console"),
    ("https://evil.example/console", "/console"),      # another site
    ("//evil.example/console", "/console"),            # scheme-relative: another site
    ("/console//evil.example", "/console"),            # a double slash anywhere
    ("/console/\\evil.example", "/console"),           # browsers read \ as /
    ("/login", "/console"),                            # not a console page
    ("/consolex", "/consolex"),                        # still on this host: harmless
])
def test_after_login_only_console_paths_on_this_host(value, expected):
    """No open redirect: ``next`` may only name a path of this console."""
    from console.auth import safe_next

    assert safe_next(value) == expected


def test_login_form_tokens_are_long_random_and_url_safe():
    import re

    from console.auth import new_login_csrf

    tokens = {new_login_csrf() for _ in range(50)}
    assert len(tokens) == 50
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", t) for t in tokens)  # 24 random bytes
