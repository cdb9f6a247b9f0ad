"""Repeated failed logins lock that username for a while; counted from the audit log."""
from __future__ import annotations

import re
import time
from typing import Iterator

import pytest
import requests

from sobu_privacy.settings import Settings as ProductSettings
from tests.console.helpers import ConsoleServer, start_console


@pytest.fixture
def console(tmp_path) -> Iterator[ConsoleServer]:
    # three failures within 0.05 min (3 s) lock the name
    server = start_console(tmp_path, product=ProductSettings(login_max_failures=3, login_lock_minutes=0.05))
    yield server
    server.stop()


def attempt(console: ConsoleServer, username: str, password: str) -> requests.Response:
    client = requests.Session()
    form = client.get(console.url + "/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return client.post(console.url + "/login", allow_redirects=False,
                       data={"username": username, "password": password, "csrf_token": token})


def audit_actions(console: ConsoleServer, target: str) -> list:
    from storage import AuditLog

    return [e.action for e in AuditLog(console.db).entries(50, target=target)][::-1]


def test_after_repeated_failures_even_the_right_password_waits(console):
    right = console.users["staff1"]
    assert [attempt(console, "staff1", "wrong password").status_code for _ in range(3)] == [401, 401, 401]
    locked = attempt(console, "staff1", right)
    assert locked.status_code == 429
    assert "一時的に止めています" in locked.text and "console_session" not in locked.headers.get("Set-Cookie", "")
    assert audit_actions(console, "staff1")[-1] == "login.locked"
    other = attempt(console, "admin1", console.users["admin1"])  # other names are not affected
    assert other.status_code == 303

    time.sleep(3.2)  # the window passes
    assert attempt(console, "staff1", right).status_code == 303
    assert all(right not in str(e) for e in audit_actions(console, "staff1"))


def test_a_successful_login_starts_the_count_again(console):
    right = console.users["staff1"]
    for _ in range(2):
        assert attempt(console, "staff1", "wrong password").status_code == 401
    assert attempt(console, "staff1", right).status_code == 303
    for _ in range(2):
        assert attempt(console, "staff1", "wrong password").status_code == 401
    assert attempt(console, "staff1", right).status_code == 303


def test_unknown_usernames_get_the_same_answers(console):
    answers = [attempt(console, "nobody", "whatever pw").status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]


def test_parallel_wrong_logins_get_no_more_than_the_limit(console):
    """The attempt is recorded before it is counted: 12 guesses at once, at most 3 checked."""
    from concurrent.futures import ThreadPoolExecutor

    forms = []
    for _ in range(12):
        client = requests.Session()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(console.url + "/login").text).group(1)
        forms.append((client, token))

    def guess(form):
        client, token = form
        return client.post(console.url + "/login", allow_redirects=False,
                           data={"username": "staff1", "password": "wrong password", "csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        codes = list(pool.map(guess, forms))
    assert codes.count(401) <= 3 and codes.count(429) >= 9, codes
    assert audit_actions(console, "staff1").count("login.failed") <= 3


def test_a_lock_from_one_address_does_not_lock_the_name_elsewhere(console):
    from console.auth import login_attempt_refused

    ctx = console.ctx
    assert [login_attempt_refused(ctx, "admin", "203.0.113.9") for _ in range(4)] == [False, False, False, True]
    assert login_attempt_refused(ctx, "admin", "198.51.100.7") is False  # the real admin, elsewhere
    # one address trying many names is stopped too (3 × 4 = 12 attempts)
    refused = [login_attempt_refused(ctx, f"user{i}", "192.0.2.50") for i in range(13)]
    assert refused[:12] == [False] * 12 and refused[12] is True
