"""The SQL stores Rasa writes on the embedded default: the event stream and the tracker store."""
from __future__ import annotations

from sqlalchemy import text

from bot.event_broker import PrivateSQLEventBroker


def test_the_stream_is_written_in_wal_without_a_sync_per_event_and_hides_values(tmp_path):
    broker = PrivateSQLEventBroker(dialect="sqlite", db=str(tmp_path / "events.db"))
    broker.publish({"sender_id": "c1", "event": "user", "text": "総武 花子です"})
    with broker.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == 1
    assert broker.engine.hide_parameters is True


def test_the_sqlite_tracker_store_uses_wal_and_still_syncs_every_commit(tmp_path):
    from rasa.shared.core.domain import Domain

    from bot.tracker_store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL: a record
    assert store.engine.hide_parameters is True


def test_turns_reuse_open_connections_instead_of_opening_the_file_each_time(tmp_path):
    """SQLAlchemy 1.4 gives a SQLite file no pool: every session opened the file and closing
    the last one checkpointed and synced the WAL (a third of a turn, profiled)."""
    import asyncio

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import event

    from bot.tracker_store import PrivateSQLTrackerStore

    store = PrivateSQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    broker = PrivateSQLEventBroker(dialect="sqlite", db=str(tmp_path / "events.db"))
    opened = []
    for engine in (store.engine, broker.engine):
        event.listen(engine, "connect", lambda *_: opened.append(1))

    async def turns() -> None:
        for n in range(5):
            tracker = await store.retrieve("c1") or DialogueStateTracker("c1", [])
            tracker.update(UserUttered(f"質問{n}"))
            await store.save(tracker)
            broker.publish({"sender_id": "c1", "event": "user", "text": f"質問{n}"})

    asyncio.run(turns())
    assert len(opened) <= 2  # one per engine, kept open
    assert [e.text for e in asyncio.run(store.retrieve("c1")).events if isinstance(e, UserUttered)] == [
        f"質問{n}" for n in range(5)]
    with store.engine.connect() as connection:  # pooled connections keep the private settings
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2


def test_saving_streams_exactly_the_new_events_without_reading_the_conversation_back(tmp_path):
    """Rasa's stream_events retrieved (parsed and replayed) the whole conversation on every save
    to find the new events; the store counts the stored rows instead. Same events streamed, in
    order, once each, also across a new session; the conversation is not read back to save."""
    import asyncio

    from rasa.core.brokers.broker import EventBroker
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import PrivateSQLTrackerStore

    class Recorder(EventBroker):
        def __init__(self) -> None:
            self.published = []

        def publish(self, event) -> None:
            self.published.append(event)

    class CountingReads(PrivateSQLTrackerStore):
        reads = 0

        async def retrieve(self, sender_id):
            CountingReads.reads += 1
            return await super().retrieve(sender_id)

    broker = Recorder()
    store = CountingReads(Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"), event_broker=broker)

    async def turn(*events) -> None:
        """As Rasa's processor does: read the conversation, add the turn's events, save."""
        tracker = await store.retrieve("c1") or DialogueStateTracker("c1", [])
        for e in events:
            tracker.update(e)
        reads_before = CountingReads.reads
        await store.save(tracker)
        assert CountingReads.reads == reads_before  # saving read nothing back

    asyncio.run(turn(ActionExecuted("action_listen"), UserUttered("一つ目")))
    asyncio.run(turn(ActionExecuted("utter_greet")))
    asyncio.run(turn(UserUttered("二つ目"), ActionExecuted("action_listen")))
    assert [(e["event"], e.get("text") or e.get("name")) for e in broker.published] == [
        ("action", "action_listen"), ("user", "一つ目"), ("action", "utter_greet"),
        ("user", "二つ目"), ("action", "action_listen")]
    assert all(e["sender_id"] == "c1" for e in broker.published)
    # A new session starts (Rasa appends its events to the conversation read back), then a turn
    # in it: the count restarts at the session's start, as retrieve's does.
    broker.published.clear()
    asyncio.run(turn(ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")))
    asyncio.run(turn(UserUttered("三つ目")))
    assert [e["event"] for e in broker.published] == ["action", "session_started", "action", "user"]
    stored = asyncio.run(store.retrieve("c1"))
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["三つ目"]


def test_a_conversation_reads_back_exactly_as_rasas_store_reads_it(tmp_path):
    """The store selects only the event column and looks event classes up in a table built once;
    the tracker it reads is the one Rasa's own SQLTrackerStore reads from the same file."""
    import asyncio

    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import (
        ActionExecuted, ActionExecutionRejected, ActiveLoop, BotUttered, FollowupAction, LoopInterrupted,
        Restarted, SessionStarted, SlotSet, UserUttered, UserUtteranceReverted)
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import PrivateSQLTrackerStore

    domain = Domain.load("bot/domain.yml")
    db = str(tmp_path / "tracker.db")
    ours = PrivateSQLTrackerStore(domain, dialect="sqlite", db=db)
    tracker = DialogueStateTracker("c1", domain.slots)
    for event in [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
                  UserUttered("開示したい", {"name": "start_request", "confidence": 0.9},
                              [{"entity": "request_type", "value": "disclosure"}]),
                  ActionExecuted("request_form"), ActiveLoop("request_form"), SlotSet("requested_slot", "customer_name"),
                  BotUttered("お名前を教えてください。", {"buttons": None}), ActionExecuted("action_listen"),
                  UserUttered("やめる", {"name": "cancel", "confidence": 0.8}), ActionExecutionRejected("request_form"),
                  LoopInterrupted(True), ActionExecuted("action_cancel_request"), ActiveLoop(None),
                  SlotSet("customer_name", None), FollowupAction("action_listen"), UserUtteranceReverted(),
                  ActionExecuted("action_listen")]:
        tracker.update(event)
    asyncio.run(ours.save(tracker))
    rasas = SQLTrackerStore(domain, dialect="sqlite", db=db)
    for read in (lambda s: s.retrieve("c1"), lambda s: s.retrieve_full_tracker("c1")):
        mine, theirs = asyncio.run(read(ours)), asyncio.run(read(rasas))
        assert mine.events == theirs.events and len(mine.events) >= 17  # 18 with action_session_start
        assert mine.current_state() == theirs.current_state()
    assert asyncio.run(ours.retrieve("nobody")) is None
    tracker.update(Restarted())  # an unusual event type still reads back
    asyncio.run(ours.save(tracker))
    assert asyncio.run(ours.retrieve("c1")).events[-1] == Restarted()


def test_the_event_table_gives_the_class_rasas_lookup_gives():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    from bot.tracker_store import _event_classes

    table = _event_classes()
    assert {cls.type_name for cls in all_subclasses(Event)} == set(table)
    for name, cls in table.items():
        assert Event.resolve_by_type(name) is cls


def test_a_turn_is_streamed_in_one_transaction_as_the_same_rows_rasa_writes(tmp_path):
    """Rasa's store publishes event by event (a transaction each); this store hands the SQL
    broker a turn's events at once: one commit, the same rows, in the same order."""
    import asyncio
    import json

    from rasa.core.brokers.sql import SQLEventBroker
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from sqlalchemy import event as sa_event

    from bot.event_broker import PrivateSQLEventBroker
    from bot.tracker_store import PrivateSQLTrackerStore

    domain = Domain.load("bot/domain.yml")
    turn = [ActionExecuted("action_listen"), UserUttered("開示したい", {"name": "start_request", "confidence": 0.9}),
            ActionExecuted("action_start_request"), BotUttered("お伺いします"),
            *[SlotSet(slot, None) for slot in ("customer_name", "phone", "address", "email")]]

    def streamed(store_class, broker_class, name):
        broker = broker_class(dialect="sqlite", db=str(tmp_path / f"{name}-events.db"))
        store = store_class(domain, dialect="sqlite", db=str(tmp_path / f"{name}-tracker.db"), event_broker=broker)
        commits = []
        sa_event.listen(broker.engine, "commit", lambda connection: commits.append(1))
        tracker = DialogueStateTracker("c1", domain.slots)
        for e in turn:
            tracker.update(e)
        asyncio.run(store.save(tracker))
        with broker.engine.connect() as connection:
            rows = connection.execute(text("SELECT sender_id, data FROM events ORDER BY id")).all()
        return [(sender, json.loads(data)) for sender, data in rows], len(commits)

    ours, our_commits = streamed(PrivateSQLTrackerStore, PrivateSQLEventBroker, "ours")
    rasas, rasa_commits = streamed(SQLTrackerStore, SQLEventBroker, "rasa")
    assert ours == rasas and len(ours) == len(turn)
    assert (our_commits, rasa_commits) == (1, len(turn))
