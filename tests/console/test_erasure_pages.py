"""Erasure on request in the console (two steps, audit), with a real tracker store database."""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime, timezone

import pytest

from storage.tickets import TicketDraft
from tests.console.helpers import bot_summary, start_console
from tests.console.test_tickets_api import FORM


@pytest.fixture
def console(tmp_path):
    tracker = tmp_path / "tracker.db"
    with sqlite3.connect(tracker) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                           "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                           "action_name VARCHAR(255), data TEXT)")
        for sender in ["c-request", "c-other", "c-unrelated"]:
            connection.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                               (sender, datetime.now(timezone.utc).timestamp(), '{"text": "山田です"}'))
    server = start_console(tmp_path, tracker_db_url=f"sqlite:///{tracker}")
    server.tracker_path = tracker
    yield server
    server.stop()


def senders(console) -> set:
    with sqlite3.connect(console.tracker_path) as connection:
        return {row[0] for row in connection.execute("SELECT DISTINCT sender_id FROM events")}


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_two_step_erasure_from_a_request_to_erase(console):
    request = console.ctx.tickets.open_ticket(TicketDraft(**{**FORM, "request_type": "erasure"}, conversation_id="c-request"))
    other = console.ctx.tickets.open_ticket(TicketDraft(**FORM, conversation_id="c-other"))
    handoff = console.ctx.handoffs.enqueue("c-request", bot_summary())
    console.ctx.handoffs.add_note(handoff.id, "staff1", "山田様に確認済み")
    staff = console.login("staff1")

    ticket_page = staff.get(staff.url(f"/console/tickets/{request.number}")).text
    assert f"/console/tickets/{request.number}/erasure" in ticket_page
    form = staff.get(staff.url(f"/console/tickets/{request.number}/erasure"))
    assert form.status_code == 200 and other.number in form.text and senders(console) >= {"c-request"}

    wrong = staff.post(staff.url(f"/console/tickets/{request.number}/erasure"),
                       data={"csrf_token": csrf_of(form.text), "confirm": "PR-0000-0000", "other": other.number})
    assert wrong.status_code == 400 and "一致しません" in wrong.text
    assert senders(console) == {"c-request", "c-other", "c-unrelated"}  # nothing happened

    done = staff.post(staff.url(f"/console/tickets/{request.number}/erasure"),
                      data={"csrf_token": csrf_of(form.text), "confirm": request.number.lower(), "other": other.number})
    assert done.status_code == 200 and 'id="erasure-done"' in done.text
    assert senders(console) == {"c-unrelated"}
    assert console.ctx.handoffs.get(handoff.id) is None
    assert console.ctx.tickets.get(other.number).name == "" and console.ctx.tickets.get(request.number).name == "山田 太郎"
    entry = console.ctx.audit.entries(action="privacy.erasure")[0]
    assert (entry.actor, entry.target, entry.detail["tickets"]) == ("staff1", request.number, [other.number])


def test_erasure_is_refused_for_other_request_types_analysts_and_without_csrf(console):
    disclosure = console.ctx.tickets.open_ticket(TicketDraft(**FORM, conversation_id="c-request"))
    staff = console.login("staff1")
    assert staff.get(staff.url(f"/console/tickets/{disclosure.number}/erasure")).status_code == 409
    erasure = console.ctx.tickets.open_ticket(TicketDraft(**{**FORM, "request_type": "erasure"}, conversation_id="c-request"))
    analyst = console.login("analyst1")
    assert analyst.get(analyst.url(f"/console/tickets/{erasure.number}/erasure")).status_code == 403
    forged = staff.post(staff.url(f"/console/tickets/{erasure.number}/erasure"), data={"confirm": erasure.number})
    assert forged.status_code == 403
    assert senders(console) == {"c-request", "c-other", "c-unrelated"}
