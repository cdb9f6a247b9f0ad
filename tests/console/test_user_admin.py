"""Admins disable / re-enable accounts and set passwords; everyone changes their own password.

Real server, real SQLite database, real scrypt hashes: sessions must stop working at once,
the audit log must say who did what without ever holding a password.
"""
from __future__ import annotations

import json
import logging
import re
from urllib.parse import quote

import pytest
import requests

from tests.console.helpers import bot_summary
from markupsafe import escape

NEW_PASSWORD = "brand-new-secret-42"
HOSTILE_NAME = '<script>alert("x")</script>'
POLITE = re.compile(r"(です|ます|ません|ください)[。）]")


def _try_login(console, username: str, password: str) -> requests.Response:
    """One login attempt through the real form; 303 on success, 401 when refused."""
    browser = requests.Session()
    form = browser.get(console.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return browser.post(console.url + "/login", allow_redirects=False,
                        data={"username": username, "password": password, "csrf_token": token})


def _form_post(client, path: str, data: dict, *, csrf: bool = True) -> requests.Response:
    if csrf:
        data = {**data, "csrf_token": client.csrf}
    return client.post(client.url(path), data=data, allow_redirects=False)


def _is_logged_out(client) -> bool:
    api = client.get(client.url("/api/me"))
    page = client.get(client.url("/console/account"), allow_redirects=False)
    return api.status_code == 401 and page.status_code == 303 and page.headers["Location"].startswith("/login")


def _assert_polite_japanese(resp: requests.Response) -> str:
    message = resp.json()["error"]
    assert POLITE.search(message), message
    return message


def _assert_audit_has_no(console, *secrets: str) -> None:
    for entry in console.ctx.audit.entries(limit=1000):
        blob = json.dumps([entry.actor, entry.action, entry.target, entry.detail], ensure_ascii=False)
        for secret in secrets:
            assert secret not in blob, (entry.action, blob)


# --- deactivate / reactivate -------------------------------------------------------------


def test_deactivated_user_is_logged_out_everywhere_and_cannot_log_in(console):
    laptop, phone = console.login("staff1"), console.login("staff1")
    colleague = console.login("staff2")
    admin = console.login("admin1")
    assert laptop.get(laptop.url("/api/me")).status_code == 200

    resp = admin.api_post("/api/users/staff1/active", {"active": False})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {**resp.json(), "username": "staff1", "active": False}

    assert _is_logged_out(laptop) and _is_logged_out(phone)
    assert laptop.api_post("/api/conversations/any/claim").status_code == 401
    assert _try_login(console, "staff1", console.users["staff1"]).status_code == 401
    assert colleague.get(colleague.url("/api/me")).status_code == 200  # nobody else is affected
    listed = {u["username"]: u["active"] for u in admin.get(admin.url("/api/users")).json()["users"]}
    assert listed["staff1"] is False and listed["staff2"] is True

    resp = admin.api_post("/api/users/staff1/active", {"active": True})
    assert resp.status_code == 200 and resp.json()["active"] is True
    assert _try_login(console, "staff1", console.users["staff1"]).status_code == 303
    assert _is_logged_out(laptop)  # old sessions do not come back with the account

    entries = console.ctx.audit.entries(target="staff1")
    actions = [(e.actor, e.action, e.detail.get("was_active")) for e in entries if e.action.startswith("user.")]
    assert actions[:2] == [("admin1", "user.activate", False), ("admin1", "user.deactivate", True)]


def test_deactivate_and_reactivate_through_the_users_page(console):
    staff = console.login("staff1")
    admin = console.login("admin1")
    page = admin.get(admin.url("/console/users")).text
    assert 'action="/console/users/staff1/active"' in page

    resp = _form_post(admin, "/console/users/staff1/active", {"active": "0"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/console/users?done=deactivated&user=staff1"
    page = admin.get(admin.url(resp.headers["Location"])).text
    assert "ユーザー「staff1」を無効にしました" in page
    assert _is_logged_out(staff)
    assert console.ctx.staff.get_user("staff1").active is False

    resp = _form_post(admin, "/console/users/staff1/active", {"active": "1"})
    assert resp.status_code == 303
    assert "を有効にしました" in admin.get(admin.url(resp.headers["Location"])).text
    assert _try_login(console, "staff1", console.users["staff1"]).status_code == 303

    # anything but "0" / "1" is refused on the page, not guessed
    resp = _form_post(admin, "/console/users/staff1/active", {"active": "no"})
    assert resp.status_code == 400 and "形式が正しくありません" in resp.text
    assert console.ctx.staff.get_user("staff1").active is True


def test_admin_cannot_deactivate_themself(console):
    admin = console.login("admin1")
    resp = admin.api_post("/api/users/admin1/active", {"active": False})
    assert resp.status_code == 400
    assert "ご自分のアカウントは無効にできません" in _assert_polite_japanese(resp)
    form = _form_post(admin, "/console/users/admin1/active", {"active": "0"})
    assert form.status_code == 400 and "ご自分のアカウントは無効にできません" in form.text
    assert console.ctx.staff.get_user("admin1").active is True
    assert admin.get(admin.url("/api/me")).status_code == 200
    # the page offers no button for it
    page = admin.get(admin.url("/console/users")).text
    assert 'action="/console/users/admin1/active"' not in page
    assert 'action="/console/users/staff1/active"' in page
    assert console.ctx.audit.entries(action="user.deactivate") == []

    # it is only about oneself: another admin may do it
    console.ctx.staff.create_user("admin2", "admin2-password-123", "admin")
    other = console.login("admin2", "admin2-password-123")
    assert other.api_post("/api/users/admin1/active", {"active": False}).status_code == 200
    assert _is_logged_out(admin)


@pytest.mark.parametrize("who", ["staff1", "analyst1"])
def test_non_admins_cannot_manage_accounts(console, who):
    caller = console.login(who)
    victim = console.login("staff2")
    for path, body in (("/api/users/staff2/active", {"active": False}),
                       ("/api/users/staff2/password", {"password": NEW_PASSWORD})):
        resp = caller.api_post(path, body)
        assert resp.status_code == 403, path
        assert "権限" in resp.json()["error"]
    for path, data in (("/console/users/staff2/active", {"active": "0"}),
                       ("/console/users/staff2/password", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})):
        resp = _form_post(caller, path, data)
        assert resp.status_code == 403 and "権限" in resp.text, path
    assert victim.get(victim.url("/api/me")).status_code == 200
    assert console.ctx.staff.authenticate("staff2", console.users["staff2"]) is not None


def test_account_actions_need_the_csrf_token(console):
    admin = console.login("admin1")
    staff = console.login("staff1")
    other = console.login("staff2")
    for path, body in (("/api/users/staff1/active", {"active": False}),
                       ("/api/users/staff1/password", {"password": NEW_PASSWORD})):
        assert admin.api_post(path, body, csrf=False).status_code == 403
        wrong = admin.post(admin.url(path), json=body, headers={"X-CSRF-Token": other.csrf})
        assert wrong.status_code == 403
    for path, data in (("/console/users/staff1/active", {"active": "0"}),
                       ("/console/users/staff1/password", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})):
        assert _form_post(admin, path, data, csrf=False).status_code == 403
        assert _form_post(admin, path, {**data, "csrf_token": other.csrf}, csrf=False).status_code == 403
    own = {"current_password": console.users["staff1"], "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}
    assert staff.api_post("/api/me/password", own, csrf=False).status_code == 403
    assert _form_post(staff, "/console/account/password", own, csrf=False).status_code == 403
    # nothing happened
    assert staff.get(staff.url("/api/me")).status_code == 200
    assert console.ctx.staff.authenticate("staff1", console.users["staff1"]) is not None


def test_without_a_session_pages_send_to_login(console):
    for path in ("/console/account", "/console/users"):
        resp = requests.get(console.url + path, allow_redirects=False)
        assert resp.status_code == 303 and resp.headers["Location"].startswith("/login")
    for path in ("/console/account/password", "/console/users/staff1/active", "/console/users/staff1/password"):
        resp = requests.post(console.url + path, data={"active": "0", "password": NEW_PASSWORD}, allow_redirects=False)
        assert resp.status_code == 303 and resp.headers["Location"].startswith("/login")
    assert console.ctx.staff.get_user("staff1").active is True


# --- own password ------------------------------------------------------------------------


def test_own_password_change_checks_and_revokes_other_sessions(console, caplog):
    caplog.set_level(logging.DEBUG)
    old = console.users["staff1"]
    here, elsewhere = console.login("staff1"), console.login("staff1")
    old_cookie = here.cookies.get("console_session")

    def change(current, new, confirm):
        return here.api_post("/api/me/password",
                             {"current_password": current, "new_password": new, "new_password_confirm": confirm})

    wrong = change("not-my-password", NEW_PASSWORD, NEW_PASSWORD)
    assert wrong.status_code == 400 and "現在のパスワードが正しくありません" in _assert_polite_japanese(wrong)
    mismatch = change(old, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert mismatch.status_code == 400 and "一致しません" in _assert_polite_japanese(mismatch)
    short = change(old, "short", "short")
    assert short.status_code == 400 and "8 文字以上" in _assert_polite_japanese(short)
    assert elsewhere.get(elsewhere.url("/api/me")).status_code == 200  # refused changes end nothing
    assert console.ctx.staff.authenticate("staff1", old) is not None

    resp = change(old, NEW_PASSWORD, NEW_PASSWORD)
    assert resp.status_code == 200, resp.text
    assert "HttpOnly" in resp.headers["Set-Cookie"] and "SameSite=Strict" in resp.headers["Set-Cookie"]
    # this client goes on in a fresh session, with the CSRF token it was given
    me = here.get(here.url("/api/me")).json()
    assert me["username"] == "staff1" and me["csrf_token"] == resp.json()["csrf_token"] != here.csrf
    here.csrf = resp.json()["csrf_token"]
    console.ctx.handoffs.enqueue("conv-after", bot_summary("q"))
    assert here.api_post("/api/conversations/conv-after/claim").status_code == 200
    # every other session ends, the old cookie of this browser too
    assert _is_logged_out(elsewhere)
    assert requests.get(console.url + "/api/me", cookies={"console_session": old_cookie}).status_code == 401
    assert _try_login(console, "staff1", old).status_code == 401
    assert _try_login(console, "staff1", NEW_PASSWORD).status_code == 303

    assert [e.actor for e in console.ctx.audit.entries(action="user.password_change")] == ["staff1"]
    failed = console.ctx.audit.entries(action="user.password_change_failed")
    assert [(e.actor, e.target) for e in failed] == [("staff1", "staff1")]
    _assert_audit_has_no(console, old, NEW_PASSWORD, "not-my-password", "short")
    assert NEW_PASSWORD not in caplog.text and old not in caplog.text


def test_every_role_has_an_account_page_that_changes_the_password(console):
    analyst = console.login("analyst1")
    page = analyst.get(analyst.url("/console/analytics")).text
    assert 'href="/console/account"' in page and 'href="/console/users"' not in page
    account = analyst.get(analyst.url("/console/account"))
    assert account.status_code == 200 and 'action="/console/account/password"' in account.text

    old = console.users["analyst1"]
    bad = _form_post(analyst, "/console/account/password",
                     {"current_password": "wrong-password", "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert bad.status_code == 400
    assert "現在のパスワードが正しくありません。" in bad.text and 'id="password-form"' in bad.text
    missing = _form_post(analyst, "/console/account/password", {"current_password": old, "new_password": NEW_PASSWORD})
    assert missing.status_code == 400 and "「新しいパスワード（確認）」を入力してください。" in missing.text

    ok = _form_post(analyst, "/console/account/password",
                    {"current_password": old, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD})
    assert ok.status_code == 303 and ok.headers["Location"] == "/console/account?changed=1"
    done = analyst.get(analyst.url(ok.headers["Location"]))
    assert done.status_code == 200 and "パスワードを変更しました" in done.text
    assert _try_login(console, "analyst1", NEW_PASSWORD).status_code == 303
    assert _try_login(console, "analyst1", old).status_code == 401


def test_navigation_links(console):
    staff_page = console.login("staff1").get(console.url + "/console").text
    assert 'href="/console/account"' in staff_page and 'href="/console/users"' not in staff_page
    admin_page = console.login("admin1").get(console.url + "/console").text
    assert 'href="/console/account"' in admin_page and 'href="/console/users"' in admin_page


# --- admin sets another user's password ---------------------------------------------------


def test_admin_sets_another_users_password(console, caplog):
    caplog.set_level(logging.DEBUG)
    staff = console.login("staff1")
    admin = console.login("admin1")
    resp = admin.api_post("/api/users/staff1/password", {"password": NEW_PASSWORD})
    assert resp.status_code == 200, resp.text
    assert resp.json()["username"] == "staff1" and "password" not in resp.json()
    assert _is_logged_out(staff)
    assert _try_login(console, "staff1", console.users["staff1"]).status_code == 401
    assert _try_login(console, "staff1", NEW_PASSWORD).status_code == 303
    assert admin.get(admin.url("/api/me")).status_code == 200
    entry = console.ctx.audit.entries(action="user.password_reset")[0]
    assert (entry.actor, entry.target) == ("admin1", "staff1")

    # not for oneself (that needs the current password, on the account page)
    own = admin.api_post("/api/users/admin1/password", {"password": NEW_PASSWORD})
    assert own.status_code == 400 and "アカウント" in _assert_polite_japanese(own)
    assert console.ctx.staff.authenticate("admin1", console.users["admin1"]) is not None

    # the users page asks twice
    form = {"password": "second-secret-77", "password_confirm": "second-secret-78"}
    resp = _form_post(admin, "/console/users/staff2/password", form)
    assert resp.status_code == 400 and "一致しません" in resp.text and 'id="users-table"' in resp.text
    resp = _form_post(admin, "/console/users/staff2/password", {"password": "second-secret-77"})
    assert resp.status_code == 400 and "「パスワード（確認）」を入力してください。" in resp.text
    resp = _form_post(admin, "/console/users/staff2/password", {**form, "password_confirm": form["password"]})
    assert resp.status_code == 303
    assert "ユーザー「staff2」のパスワードを設定しました" in admin.get(admin.url(resp.headers["Location"])).text
    assert _try_login(console, "staff2", "second-secret-77").status_code == 303
    _assert_audit_has_no(console, NEW_PASSWORD, "second-secret-77", "second-secret-78", console.users["staff1"])
    assert NEW_PASSWORD not in caplog.text and "second-secret-77" not in caplog.text


# --- hostile and bad input ----------------------------------------------------------------


BAD_BODIES = [
    ("/api/users/staff1/active", {}),
    ("/api/users/staff1/active", {"active": "false"}),
    ("/api/users/staff1/active", {"active": 0}),
    ("/api/users/staff1/active", {"active": None}),
    ("/api/users/staff1/active", {"active": [False]}),
    ("/api/users/staff1/password", {}),
    ("/api/users/staff1/password", {"password": ""}),
    ("/api/users/staff1/password", {"password": 12345678}),
    ("/api/users/staff1/password", {"password": ["a" * 10]}),
    ("/api/users/staff1/password", {"password": "short"}),
    ("/api/users/staff1/password", {"password": "x" * 257}),
    ("/api/users/staff1/password", {"password": NEW_PASSWORD, "password_confirm": None}),
    ("/api/users/staff1/password", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "!"}),
    ("/api/me/password", {}),
    ("/api/me/password", {"current_password": "admin1-password-123", "new_password": NEW_PASSWORD}),
    ("/api/me/password", {"current_password": 1, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}),
    ("/api/me/password", {"current_password": "admin1-password-123", "new_password": "y" * 300,
                          "new_password_confirm": "y" * 300}),
    ("/api/users/" + "a" * 101 + "/active", {"active": False}),
]


@pytest.mark.parametrize("path,body", BAD_BODIES)
def test_bad_input_gets_a_polite_400(console, path, body):
    admin = console.login("admin1")
    resp = admin.api_post(path, body)
    assert resp.status_code == 400, (path, body, resp.status_code, resp.text)
    _assert_polite_japanese(resp)
    assert console.ctx.staff.get_user("staff1").active is True
    assert console.ctx.staff.authenticate("staff1", console.users["staff1"]) is not None
    assert console.ctx.staff.authenticate("admin1", console.users["admin1"]) is not None


@pytest.mark.parametrize("raw", [b"", b"{not json", b"[true]", b'"x"', b"\xff\xfe",
                                 b'{"password": "\\ud800aaaaaaaaaa"}'])
def test_malformed_bodies_get_400(console, raw):
    admin = console.login("admin1")
    for path in ("/api/users/staff1/active", "/api/users/staff1/password", "/api/me/password"):
        resp = admin.api_post(path, raw=raw)
        assert resp.status_code == 400, (path, raw, resp.text)
        assert resp.json()["error"]


def test_unknown_user_is_a_clear_404(console):
    admin = console.login("admin1")
    for path, body in (("/api/users/nobody/active", {"active": False}),
                       ("/api/users/nobody/password", {"password": NEW_PASSWORD}),
                       ("/api/users/Staff1/active", {"active": False})):  # names are exact
        resp = admin.api_post(path, body)
        assert resp.status_code == 404 and "ユーザーは見つかりません" in _assert_polite_japanese(resp)
    form = _form_post(admin, "/console/users/nobody/active", {"active": "0"})
    assert form.status_code == 404 and "ユーザーは見つかりません" in form.text
    assert console.ctx.staff.get_user("staff1").active is True


def test_hostile_usernames_are_escaped_and_still_manageable(console):
    # storage accepts names the console would not create (e.g. made with python -m storage)
    for name in (HOSTILE_NAME, "山田 花子"):
        console.ctx.staff.create_user(name, "hostile-password-1", "staff")
    victim = console.login(HOSTILE_NAME, "hostile-password-1")
    admin = console.login("admin1")
    page = admin.get(admin.url("/console/users")).text
    assert "<script>alert" not in page
    assert str(escape(HOSTILE_NAME)) in page
    action = f'action="/console/users/{quote(HOSTILE_NAME, safe="")}/active"'
    assert action in page

    resp = _form_post(admin, f"/console/users/{quote(HOSTILE_NAME, safe='')}/active", {"active": "0"})
    assert resp.status_code == 303
    notice = admin.get(admin.url(resp.headers["Location"])).text
    assert "<script>alert" not in notice and f"ユーザー「{escape(HOSTILE_NAME)}」を無効にしました" in notice
    assert console.ctx.staff.get_user(HOSTILE_NAME).active is False
    assert _is_logged_out(victim)

    resp = admin.api_post(f"/api/users/{quote('山田 花子', safe='')}/password", {"password": NEW_PASSWORD})
    assert resp.status_code == 200 and resp.json()["username"] == "山田 花子"
    assert console.ctx.staff.authenticate("山田 花子", NEW_PASSWORD) is not None

    # a notice is only shown for a listed user, so a crafted link cannot put words on the page
    crafted = admin.get(admin.url("/console/users?done=deactivated&user=" + quote("<b>社長</b>"))).text
    assert "社長" not in crafted
    crafted = admin.get(admin.url("/console/users?created=" + quote("偽のお知らせ"))).text
    assert "偽のお知らせ" not in crafted
    listed = admin.get(admin.url("/console/users?created=" + quote("山田 花子"))).text
    assert "ユーザー「山田 花子」を作成しました" in listed
    assert [e.target for e in console.ctx.audit.entries(action="user.deactivate")] == [HOSTILE_NAME]


def test_guessing_the_current_password_through_the_account_page_is_limited(console):
    """A stolen session must not become a way to guess the password (5 tries by default)."""
    staff = console.login("staff1")

    def change(current):
        return staff.api_post("/api/me/password", {"current_password": current, "new_password": NEW_PASSWORD,
                                                   "new_password_confirm": NEW_PASSWORD})

    codes = [change(f"guess-{i}-password").status_code for i in range(6)]
    assert codes == [400] * 5 + [429]
    refused = change(console.users["staff1"])  # even the right one waits now
    assert refused.status_code == 429 and "一時的に止めています" in refused.json()["error"]
