"""Erasure on request, on both databases: the customer's chats go, the records of requests stay."""
from __future__ import annotations

import pytest

from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from storage import AuditLog, HandoffQueue, TicketStore
from storage.analytics import AnalyticsStore
from storage.erasure import Erasure, ErasureNotAllowed
from storage.retention import Retention
from storage_testkit import add_events, make_draft, senders

from tests.console.helpers import bot_summary


@pytest.fixture
def setup(db, clock, tracker):
    store = TicketStore(db, clock=clock)
    request = store.open_ticket(make_draft(request_type="erasure", conversation_id="c-request"))
    earlier = store.open_ticket(make_draft(request_type="disclosure", conversation_id="c-earlier"))
    stranger = store.open_ticket(make_draft(name_kana="タニン", phone="0479-00-0000", conversation_id="c-stranger"))
    queue = HandoffQueue(db, clock=clock)
    handoff = queue.enqueue("c-handoff", bot_summary())
    queue.claim(handoff.id, "tanaka")
    queue.add_note(handoff.id, "tanaka", "総武様、電話で本人確認済み")
    queue.link_ticket(handoff.id, request.number)
    analytics = AnalyticsStore(db)
    for conversation in ["c-request", "c-earlier", "c-stranger", "c-handoff"]:
        add_events(tracker, conversation, clock())
        with analytics.batch() as batch:  # what the analytics consumer keeps of each chat
            who = pseudonym(conversation, purpose=ANALYTICS)
            batch.start_conversation(who, clock(), clock().date())
            batch.add_question(who, clock().date(), "out_of_scope", 0.4, True, "料金はいくら？")
    return store, queue, request, earlier, stranger, handoff, Erasure(db, Retention(db, tracker), clock=clock)


def test_the_plan_lists_linked_chats_and_the_customer_s_other_tickets(setup):
    store, _queue, request, earlier, _stranger, _handoff, erasure = setup
    plan = erasure.plan(request.number.lower())
    assert plan.conversation_ids == ("c-handoff", "c-request")
    assert [t.number for t in plan.other_tickets] == [earlier.number]


def test_erasure_removes_the_chats_and_chosen_details_and_keeps_the_records(db, setup, tracker):
    store, queue, request, earlier, stranger, handoff, erasure = setup
    report = erasure.erase(request.number, actor="tanaka", other_ticket_numbers=[earlier.number])
    assert (report.conversations, report.events, report.handoffs, report.tickets_erased) == (3, 3, 1, 1)
    assert report.analytics_facts == 3
    assert senders(tracker) == {"c-stranger"}
    assert analytics_conversations(db) == {pseudonym("c-stranger", purpose=ANALYTICS)}
    assert queue.get(handoff.id) is None
    kept = store.get(earlier.number)
    assert kept.erased_at is not None and kept.name == "" and kept.phone == ""
    assert (kept.request_type.value, kept.status.value) == ("disclosure", "本人確認待ち")
    assert store.get(request.number).name == "総武 花子"  # the request itself must still be answered
    assert store.get(stranger.number).name == "総武 花子"
    entry = AuditLog(db).entries(action="privacy.erasure")[0]
    assert (entry.actor, entry.target) == ("tanaka", request.number)
    assert entry.detail["tickets"] == [earlier.number] and entry.detail["events"] == 3
    again = erasure.erase(request.number, actor="tanaka")
    assert (again.events, again.handoffs, again.tickets_erased, again.analytics_facts) == (0, 0, 0, 0)


def analytics_conversations(db) -> set:
    """The analytics pseudonyms that still have a conversation row or a question."""
    from sqlalchemy import select

    from storage.models import AnalyticsConversationRow, AnalyticsQuestionRow

    with db.transaction(readonly=True) as session:
        return set(session.scalars(select(AnalyticsConversationRow.pseudonym))) | set(
            session.scalars(select(AnalyticsQuestionRow.conversation))
        )


def test_only_requests_to_erase_and_the_customer_s_own_tickets(setup):
    _store, _queue, request, earlier, stranger, _handoff, erasure = setup
    with pytest.raises(ErasureNotAllowed):
        erasure.plan(earlier.number)  # a disclosure request erases nothing
    with pytest.raises(ErasureNotAllowed):
        erasure.erase(request.number, actor="tanaka", other_ticket_numbers=[stranger.number])
