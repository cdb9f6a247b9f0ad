"""The address logins are counted and audited under: the peer, or what our own proxy saw."""
from __future__ import annotations

import re

import requests

from tests.console.helpers import start_console


def attempt(url: str, username: str, password: str, forwarded: str) -> requests.Response:
    session = requests.Session()
    form = session.get(url + "/login", timeout=10)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    return session.post(url + "/login", data={"username": username, "password": password, "csrf_token": token},
                        headers={"X-Forwarded-For": forwarded}, allow_redirects=False, timeout=10)


def addresses(server, action: str) -> list:
    return [e.detail.get("address") for e in server.ctx.audit.entries(100, action=action)]


def test_without_a_proxy_a_forwarded_address_is_ignored(tmp_path):
    server = start_console(tmp_path)
    try:
        attempt(server.url, "staff1", "wrong-password-1", "203.0.113.9")
        assert addresses(server, "login.failed") == ["127.0.0.1"]  # a client cannot pick its address
    finally:
        server.stop()


def test_behind_our_proxy_each_client_is_counted_under_its_own_address(tmp_path):
    server = start_console(tmp_path, proxies=1)
    try:
        for _ in range(6):  # past the limit, from one client
            attempt(server.url, "staff1", "wrong-password-1", "203.0.113.9")
        assert set(addresses(server, "login.failed")) == {"203.0.113.9"}
        # The real staff member, behind the same proxy, is not locked out by that client.
        ok = attempt(server.url, "staff1", server.users["staff1"], "198.51.100.7")
        assert ok.status_code == 303 and ok.headers["Location"].startswith("/console")
    finally:
        server.stop()
