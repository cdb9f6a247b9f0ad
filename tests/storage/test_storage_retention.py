"""Retention on both databases: what is past its period goes, what is not stays."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from storage import AuditLog, HandoffQueue, TicketStore
from storage.retention import Retention, RetentionPeriods
from storage_testkit import add_events, make_draft, senders

from tests.console.helpers import bot_summary


def test_conversations_go_a_set_time_after_their_last_message(db, clock, tracker):
    now = clock()
    add_events(tracker, "old", now - timedelta(days=40), now - timedelta(days=31))
    add_events(tracker, "recent-end", now - timedelta(days=45), now - timedelta(days=29))  # started long ago
    add_events(tracker, "today", now)
    for i in range(5):
        add_events(tracker, f"old-{i}", now - timedelta(days=60))
    report = Retention(db, tracker, RetentionPeriods(chat_days=30, batch_size=2), clock=clock).purge()
    assert senders(tracker) == {"recent-end", "today"}
    assert (report.conversations, report.events) == (6, 7)
    entry = AuditLog(db).entries(limit=1)[0]
    assert (entry.actor, entry.action) == ("retention", "retention.purge")
    assert entry.detail["conversations"] == 6


def test_closed_handoffs_go_with_their_notes_open_ones_stay(db, clock, tracker):
    queue = HandoffQueue(db, clock=clock)
    closed = queue.enqueue("c-closed", bot_summary())
    queue.claim(closed.id, "tanaka")
    queue.add_note(closed.id, "tanaka", "総武様へ折り返し済み")
    queue.close(closed.id, "tanaka")
    waiting = queue.enqueue("c-open", bot_summary())
    clock.advance(days=31)
    fresh = queue.enqueue("c-fresh", bot_summary())
    queue.claim(fresh.id, "tanaka")
    queue.close(fresh.id, "tanaka")
    report = Retention(db, tracker, RetentionPeriods(chat_days=30), clock=clock).purge()
    assert report.handoffs == 1
    assert queue.get(closed.id) is None
    assert queue.get(waiting.id) is not None and queue.get(fresh.id) is not None
    with db.transaction(readonly=True) as session:
        assert session.execute(text("SELECT count(*) FROM handoff_notes")).scalar_one() == 0


def test_closed_tickets_keep_a_pseudonymised_record(db, clock, tracker):
    store = TicketStore(db, clock=clock)
    done = store.open_ticket(make_draft(email="hanako@example.jp", customer_number="C-1"))
    store.change_status(done.number, "受付済", actor="tanaka", comment="総武様ご本人と確認")
    store.change_status(done.number, "対応中", actor="tanaka", comment="回答準備中")
    store.change_status(done.number, "回答済", actor="tanaka", comment="郵送済み")
    still_open = store.open_ticket(make_draft())
    clock.advance(days=1096)
    report = Retention(db, tracker, RetentionPeriods(ticket_days=1095), clock=clock).purge()
    assert report.tickets_erased == 1
    erased = store.get(done.number)
    assert erased.erased_at == clock()
    assert (erased.name, erased.address, erased.phone, erased.details, erased.email, erased.customer_number) == (
        "", "", "", "", None, None)
    assert (erased.request_type, erased.status.value, erased.created_at) == (done.request_type, "回答済", done.created_at)
    history = store.history(done.number)
    assert [h.to_status.value for h in history][-1] == "回答済" and all(h.comment == "" for h in history)
    assert store.get(still_open.number).name == "総武 花子"  # open tickets are never erased
    again = Retention(db, tracker, RetentionPeriods(ticket_days=1095), clock=clock).purge()
    assert again.tickets_erased == 0


def test_nothing_due_changes_nothing(db, clock, tracker):
    add_events(tracker, "today", clock())
    TicketStore(db, clock=clock).open_ticket(make_draft())
    assert Retention(db, tracker, clock=clock).purge().__dict__ == {
        "conversations": 0, "events": 0, "handoffs": 0, "tickets_erased": 0, "analytics_facts": 0}
    assert Retention(db, None, clock=clock).purge().conversations == 0  # no tracker store configured


def test_analytics_facts_go_after_their_period_and_the_counters_stay(db, clock):
    from datetime import timedelta

    from storage.analytics import AnalyticsStore, Period

    store = AnalyticsStore(db)
    today = clock().date()
    for age, who in ((91, "old"), (89, "recent")):
        day = today - timedelta(days=age)
        with store.batch() as batch:
            batch.start_conversation(who, clock() - timedelta(days=age), day)
            batch.add_question(who, day, "out_of_scope", 0.3, True, "ガスの料金は？")
            batch.count(day, "conversations")
    report = Retention(db, None, RetentionPeriods(analytics_days=90), clock=clock).purge()
    assert report.analytics_facts == 2  # the old conversation and its question
    left = store.unanswered_occurrences(Period(today - timedelta(days=100), today))
    assert [o.conversation for o in left] == ["recent"]
    counters = store.daily_counts(Period(today - timedelta(days=100), today), ["conversations"])
    assert sum(c.count for c in counters) == 2


def test_the_events_waiting_in_the_sql_broker_go_with_their_conversation(db, clock, tracker, tmp_path):
    """Rasa's SQL event broker holds raw events until the analytics consumer applies them:
    a purge or an erasure must not leave a conversation's messages waiting there."""
    from sqlalchemy import create_engine

    from bot.event_broker import PrivateSQLEventBroker

    broker_path = tmp_path / "rasa_events.db"
    broker = PrivateSQLEventBroker(dialect="sqlite", db=str(broker_path))
    now = clock()
    for sender, moment in (("old", now - timedelta(days=40)), ("today", now), ("erased", now)):
        add_events(tracker, sender, moment)
        broker.publish({"sender_id": sender, "event": "user", "text": "総武 花子です", "timestamp": moment.timestamp()})
    retention = Retention(db, tracker, RetentionPeriods(chat_days=30), clock=clock, broker_path=broker_path)
    waiting = create_engine(f"sqlite:///{broker_path}", future=True)
    retention.purge()
    assert senders(waiting) == {"today", "erased"}
    retention.forget_conversations(["erased"])
    assert senders(waiting) == {"today"}
    waiting.dispose()
