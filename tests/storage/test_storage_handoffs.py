"""HandoffQueue: one open handoff per conversation, oldest first, atomic claims, internal notes."""
from __future__ import annotations

import pytest

from sobu_privacy.handoff import HandoffKind, HandoffReason, HandoffSummary
from storage import AlreadyClaimed, HandoffQueue, NotFound, TicketStore
from storage.errors import HandoffClosed
from storage_testkit import make_draft

EMPTY = HandoffSummary(reason=HandoffReason.CUSTOMER_ASKED)


@pytest.fixture
def queue(db, clock) -> HandoffQueue:
    return HandoffQueue(db, clock=clock)


def test_enqueue_returns_open_handoff_for_same_conversation(queue, clock):
    summary = HandoffSummary(reason=HandoffReason.CUSTOMER_ASKED, questions=("担当者と話したい",),
                             intents=("request_human",), collected=(("お申込みの種類", "開示"),))
    first = queue.enqueue("conv-1", summary)
    assert first.kind is HandoffKind.LIVE and first.summary == summary and first.status == "waiting"
    assert first.created_at == clock.now
    clock.advance(minutes=1)
    assert queue.enqueue("conv-1", EMPTY, kind="callback") == first
    assert queue.open_for_conversation("conv-1") == first
    assert queue.open_for_conversation("conv-2") is None
    with pytest.raises(ValueError):
        queue.enqueue("conv-3", EMPTY, kind="email")
    with pytest.raises(TypeError):
        queue.enqueue("conv-3", {"questions": []})  # only the typed summary is stored


def test_waiting_oldest_first_with_waiting_time(queue, clock):
    a = queue.enqueue("conv-a", EMPTY)
    clock.advance(minutes=2)
    b = queue.enqueue("conv-b", EMPTY, kind="callback")
    clock.advance(minutes=3)
    c = queue.enqueue("conv-c", EMPTY)
    assert [h.id for h in queue.waiting()] == [a.id, b.id, c.id]
    assert queue.waiting()[0].waiting_seconds(clock.now) == 300
    queue.claim(b.id, "tanaka")
    assert [h.id for h in queue.waiting()] == [a.id, c.id]
    assert [h.id for h in queue.open_handoffs()] == [a.id, b.id, c.id]


def test_claim_and_close(queue, clock):
    handoff = queue.enqueue("conv-1", EMPTY)
    clock.advance(seconds=30)
    claimed = queue.claim(handoff.id, "tanaka")
    assert claimed.claimed_by == "tanaka" and claimed.claimed_at == clock.now and claimed.status == "claimed"
    assert queue.claim(handoff.id, "tanaka") == claimed  # same person again: no-op
    with pytest.raises(AlreadyClaimed):
        queue.claim(handoff.id, "suzuki")
    with pytest.raises(AlreadyClaimed):
        queue.close(handoff.id, "suzuki")
    closed = queue.close(handoff.id, "tanaka")
    assert closed.status == "closed" and closed.closed_by == "tanaka"
    assert queue.close(handoff.id, "tanaka") == closed
    with pytest.raises(HandoffClosed):
        queue.claim(handoff.id, "suzuki")
    assert queue.open_for_conversation("conv-1") is None
    again = queue.enqueue("conv-1", EMPTY)  # the same customer may ask again later
    assert again.id != handoff.id and again.status == "waiting"
    with pytest.raises(NotFound):
        queue.claim(9999, "tanaka")
    assert queue.get(9999) is None
    assert queue.get(handoff.id) == closed


def test_release_claims_of_a_staff_member(queue, clock):
    kept = queue.enqueue("conv-kept", EMPTY)
    held = [queue.enqueue(f"conv-{i}", EMPTY) for i in range(2)]
    done = queue.enqueue("conv-done", EMPTY)
    for h in held + [done]:
        queue.claim(h.id, "tanaka")
    queue.claim(kept.id, "suzuki")
    queue.close(done.id, "tanaka")
    released = queue.release_claims_of("tanaka")
    assert [h.conversation_id for h in released] == ["conv-0", "conv-1"]
    assert all(h.status == "waiting" and h.claimed_at is None for h in released)
    assert [h.conversation_id for h in queue.waiting()] == ["conv-0", "conv-1"]
    assert queue.get(kept.id).claimed_by == "suzuki" and queue.get(done.id).status == "closed"
    assert queue.claim(held[0].id, "suzuki").claimed_by == "suzuki"
    assert queue.release_claims_of("nobody") == []


def test_forced_close_by_another_staff_member(queue):
    handoff = queue.enqueue("conv-1", EMPTY)
    queue.claim(handoff.id, "tanaka")
    assert queue.close(handoff.id, "admin", force=True).closed_by == "admin"


def test_link_ticket(queue, db, clock):
    handoff = queue.enqueue("conv-1", EMPTY)
    ticket = TicketStore(db, due_days=14, clock=clock).open_ticket(make_draft())
    assert queue.link_ticket(handoff.id, ticket.number.lower()).ticket_number == ticket.number
    with pytest.raises(NotFound):
        queue.link_ticket(handoff.id, "PR-0000-0000")


def test_internal_notes(queue, clock):
    handoff = queue.enqueue("conv-1", HandoffSummary(reason=None, questions=("開示請求の方法",)))
    queue.add_note(handoff.id, "tanaka", "本人確認書類は郵送で受領予定")
    clock.advance(minutes=1)
    queue.add_note(handoff.id, "suzuki", "折り返し希望は午後")
    notes = queue.notes(handoff.id)
    assert [(n.author, n.text) for n in notes] == [("tanaka", "本人確認書類は郵送で受領予定"), ("suzuki", "折り返し希望は午後")]
    assert "本人確認書類" not in str(queue.get(handoff.id).summary)  # notes are kept apart from the summary
    with pytest.raises(ValueError):
        queue.add_note(handoff.id, "tanaka", "  ")
    with pytest.raises(NotFound):
        queue.add_note(9999, "tanaka", "x")


def test_the_waiting_queue_is_bounded_but_an_open_handoff_is_returned(db, clock):
    from storage import HandoffQueueFull
    from tests.console.helpers import bot_summary as summary

    queue = HandoffQueue(db, clock=clock)
    first = queue.enqueue("c-1", summary(), max_waiting=2)
    queue.enqueue("c-2", summary(), max_waiting=2)
    with pytest.raises(HandoffQueueFull):
        queue.enqueue("c-3", summary(), max_waiting=2)
    assert queue.enqueue("c-1", summary(), max_waiting=2).id == first.id  # already waiting: no new row
    queue.claim(first.id, "tanaka")  # a claimed one no longer waits
    assert queue.enqueue("c-3", summary(), max_waiting=2).conversation_id == "c-3"
