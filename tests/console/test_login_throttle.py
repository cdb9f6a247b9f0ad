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


# --- changing one's own password: console.auth.password_attempt_refused ----------------------
# Unit level: the function needs only the product settings and the audit log, so these tests
# give it a small context of its own (no server). Entries are written at chosen moments by an
# audit clock that runs that many minutes behind the real one (the window is counted back from
# the real clock).


class _Throttle:
    """A context for password_attempt_refused: 3 attempts per 10-minute window."""

    def __init__(self, tmp_path, max_failures: int = 3) -> None:
        from datetime import timedelta
        from types import SimpleNamespace

        from storage import AuditLog, Database

        self.db = Database(f"sqlite:///{tmp_path / 'app.db'}")
        self.ago = timedelta(0)
        self.audit = AuditLog(self.db, clock=self._now)
        product = ProductSettings(login_max_failures=max_failures, login_lock_minutes=10)
        self.ctx = SimpleNamespace(settings=SimpleNamespace(product=product), audit=self.audit)

    def _now(self):
        from datetime import datetime, timezone

        return datetime.now(timezone.utc) - self.ago

    def at(self, minutes_ago: float) -> "_Throttle":
        from datetime import timedelta

        self.ago = timedelta(minutes=minutes_ago)
        return self

    def attempts(self, username: str, count: int) -> list:
        from console.auth import password_attempt_refused

        return [password_attempt_refused(self.ctx, username) for _ in range(count)]

    def changed(self, username: str) -> None:
        """What change_own_password writes after a successful change."""
        self.audit.record(username, "user.password_change", username, {"sessions_revoked": True})


@pytest.fixture
def throttle(tmp_path) -> Iterator[_Throttle]:
    helper = _Throttle(tmp_path)
    yield helper
    helper.db.dispose()


def test_password_changes_more_than_the_limit_in_the_window_are_refused(throttle):
    assert throttle.attempts("staff1", 5) == [False, False, False, True, True]


def test_password_change_attempts_before_the_window_do_not_count(throttle):
    throttle.at(minutes_ago=30).attempts("staff1", 5)
    assert throttle.at(minutes_ago=0).attempts("staff1", 4) == [False, False, False, True]


def test_other_users_password_change_attempts_do_not_count(throttle):
    throttle.attempts("staff2", 5)
    assert throttle.attempts("staff1", 4) == [False, False, False, True]


def test_a_successful_password_change_starts_the_count_again(throttle):
    assert throttle.attempts("staff1", 3) == [False, False, False]
    throttle.changed("staff1")
    assert throttle.attempts("staff1", 4) == [False, False, False, True]


def test_another_users_password_change_does_not_reset_the_count(throttle):
    assert throttle.attempts("staff1", 3) == [False, False, False]
    throttle.changed("staff2")
    assert throttle.attempts("staff1", 1) == [True]


def test_a_password_change_before_the_window_does_not_widen_it(throttle):
    throttle.at(minutes_ago=30).changed("staff1")
    throttle.at(minutes_ago=20).attempts("staff1", 5)  # after that change, but outside the window
    assert throttle.at(minutes_ago=0).attempts("staff1", 4) == [False, False, False, True]


def test_a_high_password_change_limit_counts_every_attempt(tmp_path):
    """login_max_failures has no upper bound: 100 allowed means the 101st is refused."""
    from datetime import datetime, timezone

    from storage.audit import record_in

    helper = _Throttle(tmp_path, max_failures=100)
    try:
        with helper.db.transaction() as session:  # 100 attempts in one transaction (fast)
            for _ in range(100):
                record_in(session, actor="staff1", action="user.password_change_attempt", target="staff1",
                          detail={}, at=datetime.now(timezone.utc))
        assert helper.attempts("staff1", 1) == [True]
    finally:
        helper.db.dispose()


# --- logging in: console.auth.login_attempt_refused at unit level ----------------------------
# Limits with login_max_failures=3: 3 attempts per name and address, 12 per address.

OFFICE = "203.0.113.20"


def _login(throttle: _Throttle, username: str, address: str = OFFICE) -> bool:
    from console.auth import login_attempt_refused

    return login_attempt_refused(throttle.ctx, username, address)


def _logged_in(throttle: _Throttle, username: str, address: str = OFFICE) -> None:
    """What UserService.login writes after the password check passed."""
    throttle.audit.record(username, "login", username, {"address": address})


def _elsewhere(throttle: _Throttle, action: str, count: int) -> None:
    """``count`` entries from other addresses, written now in one transaction (fast)."""
    from storage.audit import record_in

    with throttle.db.transaction() as session:
        for i in range(count):
            record_in(session, actor=f"user{i}", action=action, target=f"user{i}",
                      detail={"address": f"198.51.100.{i % 200}"}, at=throttle._now())


def test_an_addresss_attempts_before_the_window_do_not_count(throttle):
    throttle.at(minutes_ago=30)
    for i in range(13):
        _login(throttle, f"user{i}")
    assert _login(throttle.at(minutes_ago=0), "someone") is False


def test_logins_before_the_window_do_not_make_room_at_an_address(throttle):
    throttle.at(minutes_ago=30)
    for i in range(20):
        _logged_in(throttle, f"staff{i}")
    throttle.at(minutes_ago=0)
    assert [_login(throttle, f"user{i}") for i in range(13)] == [False] * 12 + [True]


def test_successful_logins_make_room_for_more_people_at_one_address(throttle):
    for i in range(12):  # a whole office logs in from one address
        assert _login(throttle, f"staff{i}") is False
        _logged_in(throttle, f"staff{i}")
    # 12 attempts less 12 logins: the next 12 attempts are allowed, the 13th is not
    assert [_login(throttle, f"user{i}") for i in range(13)] == [False] * 12 + [True]


def test_busy_other_addresses_do_not_hide_an_addresss_attempts(throttle):
    assert [_login(throttle, "admin") for _ in range(3)] == [False, False, False]
    _elsewhere(throttle, "login.attempt", 100)
    assert _login(throttle, "admin") is True


def test_busy_other_addresses_do_not_hide_a_successful_login(throttle):
    assert [_login(throttle, "staff1") for _ in range(3)] == [False, False, False]
    _logged_in(throttle, "staff1")
    _elsewhere(throttle, "login", 100)
    assert [_login(throttle, "staff1") for _ in range(4)] == [False, False, False, True]


def test_a_flood_from_other_addresses_does_not_push_an_addresss_attempts_out_of_the_count(throttle, monkeypatch):
    """The throttle reads a limited number of entries (``_ATTEMPT_SCAN``); they are this
    address's, filtered in SQL, so attempts from elsewhere between two guesses cannot push the
    earlier guesses out of the count (read from all addresses, 1,000 of them did)."""
    import console.auth

    monkeypatch.setattr(console.auth, "_ATTEMPT_SCAN", 20)
    assert [_login(throttle, "admin") for _ in range(3)] == [False] * 3
    _elsewhere(throttle, "login.attempt", 50)  # more than the scan, from other addresses
    assert _login(throttle, "admin") is True


def _at_office(throttle: _Throttle, action: str, count: int) -> None:
    """``count`` entries from OFFICE, each a different person, written now in one transaction."""
    from storage.audit import record_in

    with throttle.db.transaction() as session:
        for i in range(count):
            record_in(session, actor=f"clerk{i}", action=action, target=f"clerk{i}",
                      detail={"address": OFFICE}, at=throttle._now())


def test_successful_logins_elsewhere_make_no_room_at_an_address(throttle):
    """Only this address's own logins offset its attempts: logins from other offices do not
    let one address try more names."""
    assert [_login(throttle, f"user{i}") for i in range(12)] == [False] * 12
    _elsewhere(throttle, "login", 12)
    assert _login(throttle, "user12") is True


def test_a_login_elsewhere_does_not_unlock_the_name_here(throttle):
    assert [_login(throttle, "admin") for _ in range(3)] == [False] * 3
    _logged_in(throttle, "admin", address="198.51.100.7")  # the real admin, from another office
    assert _login(throttle, "admin") is True


def test_a_busy_office_is_counted_in_full(throttle):
    """A large office (150 people logged in within the window) and then 13 more attempts: the
    count reads every attempt and every login of the window, not a default page of them."""
    _at_office(throttle, "login.attempt", 150)
    _at_office(throttle, "login", 150)
    assert [_login(throttle, f"user{i}") for i in range(13)] == [False] * 12 + [True]


def test_the_attempt_that_logged_in_is_not_counted_after_the_login(throttle):
    """On a coarse clock an attempt and the login it led to share a timestamp: the login
    still ends the count that includes its own attempt."""
    from datetime import datetime, timedelta, timezone

    from storage import AuditLog

    tick = [datetime.now(timezone.utc) - timedelta(minutes=5)]
    throttle.audit = throttle.ctx.audit = AuditLog(throttle.db, clock=lambda: tick[0])
    assert [_login(throttle, "staff1") for _ in range(3)] == [False] * 3
    _logged_in(throttle, "staff1")  # the same tick as the third attempt
    tick[0] += timedelta(seconds=1)
    assert [_login(throttle, "staff1") for _ in range(4)] == [False, False, False, True]
