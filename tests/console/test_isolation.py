"""The module's console server is shared, its data is not: what one test writes is gone in the next.

The two tests run in file order. The first writes through the real server (a ticket, audit
entries, a changed password, a tracker event in FakeRasa, a new user, a live session) and
notes the server it used; the second, on the same server, finds none of it.
"""
from __future__ import annotations

import requests
from sqlalchemy import func, select

from storage.tickets import TicketDraft
from tests.console.helpers import ConsoleServer, bot_summary
from tests.console.test_tickets_api import FORM

NEW_PASSWORD = "isolation-secret-99"
_first: dict = {}


def _clean_state_seen_through_the_server(console: ConsoleServer) -> None:
    """A fresh server: four users with their passwords, nothing else anywhere."""
    admin = console.login("admin1")
    users = admin.get(admin.url("/api/users")).json()["users"]
    assert sorted((u["username"], u["role"], u["active"]) for u in users) == [
        ("admin1", "admin", True), ("analyst1", "analyst", True), ("staff1", "staff", True), ("staff2", "staff", True)
    ]
    assert admin.get(admin.url("/api/tickets")).json()["tickets"] == []
    assert admin.get(admin.url("/api/conversations")).json() == {"waiting": [], "claimed": []}


def _rows_per_table(console: ConsoleServer) -> dict:
    with console.db.transaction(readonly=True) as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in console.clean.tables}


def test_first_writes_everywhere(console):
    _first.update(url=console.url, thread=console.thread, db=console.db.url)
    _clean_state_seen_through_the_server(console)

    ticket = console.ctx.tickets.open_ticket(TicketDraft(**FORM, conversation_id="c-iso"), actor="test")
    console.ctx.handoffs.enqueue("c-iso", bot_summary())
    staff = console.login("staff1")
    assert staff.api_post("/api/conversations/c-iso/claim").status_code == 200
    assert staff.api_post("/api/conversations/c-iso/reply", {"text": "確認します"}).status_code == 200
    assert staff.api_post("/api/me/password", {"current_password": console.users["staff1"], "new_password": NEW_PASSWORD,
                                               "new_password_confirm": NEW_PASSWORD}).status_code == 200
    admin = console.login("admin1")
    assert admin.api_post("/api/users", {"username": "temp1", "password": "temp1-password-1",
                                         "role": "staff"}).status_code == 201
    console.rasa.down = True
    console.ctx.staff.session_minutes = 0  # in-memory state a test might change

    assert console.ctx.tickets.get(ticket.number) is not None
    assert console.ctx.audit.entries(action="user.password_change")
    assert console.ctx.staff.authenticate("staff1", NEW_PASSWORD) is not None
    assert console.rasa.events["c-iso"] and console.rasa.calls and console.rasa.appended
    cookie = admin.cookies.get("console_session")
    assert requests.get(console.url + "/api/me", cookies={"console_session": cookie}, timeout=10).status_code == 200
    _first.update(ticket=ticket.number, cookie=cookie)
    assert {name for name, n in _rows_per_table(console).items() if n} >= {
        "tickets", "ticket_history", "handoffs", "staff_users", "staff_sessions", "audit_log"}


def test_second_finds_none_of_it_on_the_same_server(console):
    assert _first, "runs after test_first_writes_everywhere (file order)"
    assert (console.url, console.thread, console.db.url) == (_first["url"], _first["thread"], _first["db"])
    assert console.thread.is_alive()

    # FakeRasa: no tracker, no calls, up again
    assert console.rasa.events == {} and console.rasa.calls == [] and console.rasa.appended == []
    assert console.rasa.down is False and console.rasa.on_append is None
    assert console.ctx.staff.session_minutes > 0
    # storage: every table empty but the four users, kept as they were made (same ids, same hashes)
    counts = _rows_per_table(console)
    assert counts.pop("staff_users") == 4 and set(counts.values()) == {0}, counts
    [(users_table, kept)] = console.clean.rows
    with console.db.transaction(readonly=True) as session:
        assert [dict(r._mapping) for r in session.execute(select(users_table).order_by(users_table.c.id))] == list(kept)
    # no ticket, no handoff, no audit entry, no extra user, the old password back
    assert console.ctx.tickets.get(_first["ticket"]) is None
    assert console.ctx.handoffs.open_for_conversation("c-iso") is None
    assert console.ctx.audit.entries(limit=1000) == []
    assert console.ctx.staff.get_user("temp1") is None
    assert console.ctx.staff.authenticate("staff1", NEW_PASSWORD) is None
    assert console.ctx.staff.authenticate("staff1", console.users["staff1"]) is not None
    # the first test's session cookie no longer opens anything
    assert _first["cookie"]
    stale = requests.get(console.url + "/api/me", cookies={"console_session": _first["cookie"]}, timeout=10)
    assert stale.status_code == 401
    # and through the server it looks like a new one
    _clean_state_seen_through_the_server(console)
