"""bot.tracker_store keeps the conversations it saved: the next turn gets the saved tracker back
without reading every row again, and reads the database whenever the stored session is no longer
exactly what it saved (real SQLite files; a second store on the same file plays another server)."""
from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered

from bot.tracker_store import PrivateSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "bot" / "domain.yml"))


class CountingStore(PrivateSQLTrackerStore):
    """Counts the reads that parse the conversation's rows."""

    full_reads = 0

    async def _retrieve(self, sender_id, fetch_events_from_all_sessions):
        kept = self.kept.get(sender_id)
        tracker = await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        if tracker is not None and (kept is None or tracker is not kept.tracker):
            self.full_reads += 1
        return tracker


def store_at(path: Path, domain: Domain) -> CountingStore:
    return CountingStore(domain, dialect="sqlite", db=str(path))


def turn_events(text: str) -> List[Event]:
    return [ActionExecuted("action_listen"), UserUttered(text, {"name": "faq_security", "confidence": 0.9}),
            ActionExecuted("action_answer_faq"), BotUttered("お答えします"), SlotSet("last_faq", "security")]


def play_turn(store: PrivateSQLTrackerStore, sender: str, text: str):
    """As Rasa's processor does: get or create the conversation, add the turn's events, save."""
    async def turn():
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in turn_events(text):
            tracker.update(event)
        tracker.past_states(store.domain)  # as the policies do
        await store.save(tracker)
        return tracker
    return asyncio.run(turn())


def turn_with(store: PrivateSQLTrackerStore, sender: str, events: List[Event], meanwhile=lambda: None):
    """A turn that reads the conversation, lets ``meanwhile`` happen, adds ``events`` and saves."""
    async def turn():
        tracker = await store.retrieve(sender)
        meanwhile()
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        return tracker
    return asyncio.run(turn())


def as_stored(tracker) -> list:
    return [event.as_dict() for event in tracker.events], tracker.current_slot_values()


def fresh_read(path: Path, domain: Domain, sender: str):
    return asyncio.run(store_at(path, domain).retrieve(sender))


def test_the_next_turn_gets_the_saved_conversation_without_reading_it_again(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    for n in range(5):
        saved = play_turn(store, "c1", f"質問{n}")
    reads = store.full_reads
    again = asyncio.run(store.retrieve("c1"))
    assert again is saved and store.full_reads == reads
    assert as_stored(again) == as_stored(fresh_read(db, domain, "c1"))  # what the database holds
    assert asyncio.run(store.retrieve("c2")) is None  # other conversations are their own


def test_a_second_read_before_saving_gets_its_own_tracker(tmp_path, domain):
    """Rasa's HTTP API reads a conversation twice to run an action and answers with the first
    read: two callers never share one tracker object, as with Rasa's own store."""
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    saved = play_turn(store, "c1", "一つ目")
    first, second = asyncio.run(store.retrieve("c1")), asyncio.run(store.retrieve("c1"))
    assert first is saved and second is not first and as_stored(second) == as_stored(first)


def test_another_servers_turn_is_read_from_the_database(tmp_path, domain):
    db = tmp_path / "tracker.db"
    here, there = store_at(db, domain), store_at(db, domain)
    play_turn(here, "c1", "一つ目")
    play_turn(there, "c1", "二つ目")  # the next turn went to the other server
    tracker = asyncio.run(here.retrieve("c1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["一つ目", "二つ目"]
    assert as_stored(tracker) == as_stored(fresh_read(db, domain, "c1"))


def test_an_erased_conversation_is_gone_at_once(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    play_turn(store, "c1", "消してください")
    with sqlite3.connect(db) as connection:  # the console's erasure, from another process
        connection.execute("DELETE FROM events WHERE sender_id = 'c1'")
    assert len(store.states_cache) == 1
    assert asyncio.run(store.retrieve("c1")) is None
    assert len(store.states_cache) == 0  # the policies' view of it is gone too
    # A new conversation under the same id, as long as the erased one, is not taken for it.
    play_turn(store_at(db, domain), "c1", "はじめまして")
    tracker = asyncio.run(store.retrieve("c1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["はじめまして"]


class RecordingBroker:
    """The event stream, as the analytics consumer would read it."""

    def __init__(self) -> None:
        self.published: list = []

    def publish(self, event) -> None:
        self.published.append(event)


@pytest.mark.parametrize("read_from", ["kept", "database"])
def test_a_conversation_erased_while_its_turn_runs_is_not_written_back(tmp_path, domain, read_from):
    """Rasa stores the events after those already stored: 0 after an erasure, so the turn would
    write the whole erased conversation back (and stream it to analytics again)."""
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    play_turn(store, "c1", "一つ目")
    play_turn(store, "c1", "二つ目")
    if read_from == "database":
        store = store_at(db, domain)  # another server, or this one after a restart
    store.event_broker = RecordingBroker()

    def erase() -> None:  # the console's erasure, from another process, mid-turn
        with sqlite3.connect(db) as connection:
            connection.execute("DELETE FROM events WHERE sender_id = 'c1'")
    turn_with(store, "c1", turn_events("三つ目"), meanwhile=erase)
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT count(*) FROM events WHERE sender_id = 'c1'").fetchone()[0] == 0
    assert store.event_broker.published == [] and len(store.kept) == 0
    # The customer writes again: a new conversation, without the erased one.
    play_turn(store, "c1", "はじめまして")
    tracker = asyncio.run(store.retrieve("c1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["はじめまして"]


def test_a_turn_that_failed_before_saving_is_not_kept(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    play_turn(store, "c1", "一つ目")

    async def failed_turn():
        tracker = await store.retrieve("c1")
        tracker.update(ActionExecuted("action_listen"))
        tracker.update(UserUttered("保存されない"))  # the turn fails here: nothing is saved
    asyncio.run(failed_turn())
    tracker = asyncio.run(store.retrieve("c1"))
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["一つ目"]


def test_a_new_model_reads_the_conversation_again(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    saved = play_turn(store, "c1", "一つ目")
    store.domain = Domain.load(str(ROOT / "bot" / "domain.yml"))  # Rasa sets the new model's domain
    again = asyncio.run(store.retrieve("c1"))
    assert again is not saved and as_stored(again) == as_stored(saved)


def test_a_tracker_built_for_the_old_model_is_not_kept_for_the_new_one(tmp_path, domain):
    """The model changed during a turn: the tracker saved has the old model's slots."""
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    play_turn(store, "c1", "一つ目")

    def new_model() -> None:
        store.domain = Domain.load(str(ROOT / "bot" / "domain.yml"))
    saved = turn_with(store, "c1", turn_events("二つ目"), meanwhile=new_model)
    assert asyncio.run(store.retrieve("c1")) is not saved


def test_a_turn_that_started_a_new_session_reads_the_new_session(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    play_turn(store, "c1", "前のセッション")

    live = turn_with(store, "c1", [ActionExecuted("action_session_start"), SessionStarted(),
                                   *turn_events("新しいセッション")])
    assert len(store.kept) == 0  # a copy that could never be given out is not kept
    with store.session_scope() as session:  # a later save compares with the session as it is now
        assert live.stored_when_read == store._stored_session(session, "c1")
    tracker = asyncio.run(store.retrieve("c1"))
    assert tracker is not live
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["新しいセッション"]
    assert as_stored(tracker) == as_stored(fresh_read(db, domain, "c1"))


PG_ADMIN_DSN = os.environ.get("STORAGE_TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")


@pytest.fixture
def postgres_store(domain) -> Iterator[PrivateSQLTrackerStore]:
    """The store on the local PostgreSQL (the scale path), in a database of its own."""
    import psycopg2

    name = f"tracker_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN_DSN, connect_timeout=3)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    store = PrivateSQLTrackerStore(domain, dialect="postgresql", host="127.0.0.1", port=5432,
                                   username="postgres", db=name)
    yield store
    store.engine.dispose()
    with admin.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE "{name}"')
    admin.close()


def sessions_of_conversations(store: PrivateSQLTrackerStore) -> None:
    """Conversations with no session start, one, and several."""
    async def save(sender: str, events: List[Event]) -> None:
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in events:
            tracker.update(event)
        await store.save(tracker)

    new_session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    asyncio.run(save("none", turn_events("一") + turn_events("二")))
    asyncio.run(save("one", new_session + turn_events("一")))
    asyncio.run(save("many", new_session + turn_events("一")))
    asyncio.run(save("many", turn_events("二") + new_session))
    asyncio.run(save("many", turn_events("三")))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_stored_session_is_counted_as_rasas_query_counts_it(backend, request, tmp_path, domain):
    store = (store_at(tmp_path / "tracker.db", domain) if backend == "sqlite"
             else request.getfixturevalue("postgres_store"))
    sessions_of_conversations(store)
    for sender in ["none", "one", "many", "nobody"]:
        with store.session_scope() as session:
            rows = store._event_query(session, sender, fetch_events_from_all_sessions=False).all()
            stored = store._stored_session(session, sender)
        assert stored.events == len(rows)
        assert stored.last_id == max((row.id for row in rows), default=None)
        assert stored.last_timestamp == max((row.timestamp for row in rows), default=None)
    with store.session_scope() as session:
        every_session = store._event_query(session, "many", fetch_events_from_all_sessions=True).count()
        assert store._stored_session(session, "many").events < every_session  # only the latest session


@pytest.mark.postgres
def test_kept_conversations_on_postgresql(postgres_store, domain):
    for n in range(3):
        saved = play_turn(postgres_store, "c1", f"質問{n}")
    assert asyncio.run(postgres_store.retrieve("c1")) is saved
    with postgres_store.session_scope() as session:
        session.execute(sa.text("DELETE FROM events WHERE sender_id = 'c1'"))
        session.commit()
    assert asyncio.run(postgres_store.retrieve("c1")) is None


def test_the_whole_record_is_always_read_from_the_database(tmp_path, domain):
    db = tmp_path / "tracker.db"
    store = store_at(db, domain)
    saved = play_turn(store, "c1", "一つ目")
    full = asyncio.run(store.retrieve_full_tracker("c1"))
    assert full is not saved and as_stored(full) == as_stored(saved)


def saves_of_every_shape(store: PrivateSQLTrackerStore):
    """Saves after which the store works out the stored session: a first save with the session
    start, turns, an empty save, a new session, an event timed before the last stored one, a
    conversation without a session start. Yields after each save."""
    async def save(sender: str, events: List[Event]):
        tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
        for event in events:
            tracker.update(event)
        await store.save(tracker)
        return tracker

    new_session = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    steps = [("a", new_session + turn_events("一")), ("a", turn_events("二")), ("a", []),
             ("a", turn_events("三") + new_session), ("a", turn_events("四")),
             ("a", [UserUttered("遅れて届いた", {"name": "faq_fee"}, timestamp=1.0)]),  # timed long ago
             ("a", turn_events("五")), ("b", turn_events("一") + turn_events("二")), ("b", turn_events("三"))]
    for sender, events in steps:
        yield sender, asyncio.run(save(sender, events))


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_stored_session_worked_out_after_a_save_is_the_databases(backend, request, tmp_path, domain):
    store = (store_at(tmp_path / "tracker.db", domain) if backend == "sqlite"
             else request.getfixturevalue("postgres_store"))
    for sender, tracker in saves_of_every_shape(store):
        with store.session_scope() as session:
            assert tracker.stored_when_read == store._stored_session(session, sender), sender


def test_a_save_counts_the_stored_session_once(tmp_path, domain):
    store = store_at(tmp_path / "tracker.db", domain)
    play_turn(store, "c1", "最初")
    counted = []
    sa.event.listen(store.engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *rest: counted.append(statement)
                    if "count(" in statement.lower() else None)
    tracker = asyncio.run(store.retrieve("c1"))  # the kept tracker: one check
    assert len(counted) == 1
    for event in turn_events("次"):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert len(counted) == 2  # Rasa's save and the checks around it counted four times
    assert as_stored(asyncio.run(store.retrieve("c1"))) == as_stored(fresh_read(tmp_path / "tracker.db", domain, "c1"))
