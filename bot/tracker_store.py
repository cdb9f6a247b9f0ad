"""Rasa's SQL tracker store, without customer text in its error messages.

Rasa creates the tracker store's engine without ``hide_parameters``, so a database error
(a lock time-out, a server that went away) is logged with the bound parameters: the event
JSON with the customer's message and every slot value. This subclass is the same store
with the parameters hidden. Set in bot/endpoints.yml (``type: bot.tracker_store.PrivateSQLTrackerStore``).

On SQLite (the embedded default) it also uses WAL: a turn's commit syncs one file instead of
the rollback journal's two, and the purge or an erasure reading the same file never blocks a
turn (or the other way round). Every commit is still synced: a conversation is a record.

With an event stream configured (the analytics), Rasa's ``stream_events`` reads the whole
conversation back before every save (``retrieve``: every event row, parsed and replayed into a
tracker) only to count how many events are stored already; the cost of a turn then grew with
the conversation. This store counts them with one SQL ``count`` instead — the same number
(the same query ``retrieve`` and ``save`` use: the events since the session started), so the
same events are streamed.

Reading a conversation (every turn) is Rasa's ``_retrieve`` with two costs removed, both of
which grew with the conversation (profiled at turns 61–100: 30 % of the server's time was
reading the tracker): only the event column is selected (no ORM object per row), and each
event's class is looked up in a table built once, where Rasa's ``Event.resolve_by_type`` walks
every subclass of ``Event`` again for every event of every turn.

The conversations it loads (the current session) and creates are :class:`ConversationTracker`s
sharing one :class:`PastStatesCache` (``bot/past_states.py``): the policies' view of the
conversation is then carried on from the last turn instead of worked out again from its first
event at every prediction.

And it keeps the conversations it saved last (``bot/recent.py``: 256, none idle for more than
ten minutes): the next turn gets the tracker it saved instead of every row parsed and replayed
again, after one small query shows that the stored session is still exactly what was saved (as
many events, the same last row and time): another server's turn, a conversation erased or
replaced, a turn that failed before saving, a new model or a new session all read the database
again. A kept tracker is given out once and kept again when saved.

A save counts the stored session once (Rasa counted it twice, the checks around it twice more)
and works out what is stored after it from that count and the rows it wrote; the next read's
check compares that with the database, so a wrong guess only means reading the conversation.
"""
from __future__ import annotations

import itertools
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterator, List, Optional, Text, Type

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.shared.utils.common import all_subclasses

from .past_states import ConversationTracker, PastStatesCache
from .recent import RecentlyUsed
from .sqlite_engine import make_store_private

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _event_classes() -> Dict[Text, Type[Event]]:
    """Event classes by ``type_name``; the first subclass found wins, as in ``resolve_by_type``."""
    classes: Dict[Text, Type[Event]] = {}
    for cls in all_subclasses(Event):
        classes.setdefault(cls.type_name, cls)
    return classes


def deserialise_events(serialised: List[Dict[Text, Any]]) -> List[Event]:
    """``rasa.shared.core.events.deserialise_events`` with the class looked up in a table; an
    event type the table does not know goes through Rasa's own lookup (same result, same errors)."""
    classes = _event_classes()
    events: List[Event] = []
    for parameters in serialised:
        name = parameters.get("event")
        if name is None:
            continue
        cls = classes.get(name)
        event = cls._from_parameters(parameters) if cls is not None else Event.from_parameters(parameters)
        if event:
            events.append(event)
    return events


@dataclass(frozen=True)
class StoredSession:
    """How a conversation's current session looks in the database, in one row of aggregates."""

    events: int
    last_id: Optional[int]
    last_timestamp: Optional[float]


@lru_cache(maxsize=None)
def _session_aggregates(events: sa.Table) -> sa.sql.Select:
    """Number of events, last id and last time of a conversation's session (``:sender_id``)."""
    sender = sa.bindparam("sender_id")
    session_start = (sa.select(sa.func.max(events.c.timestamp))
                     .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                     .scalar_subquery())
    return (sa.select(sa.func.count(events.c.id), sa.func.max(events.c.id), sa.func.max(events.c.timestamp))
            .where(events.c.sender_id == sender,
                   sa.or_(events.c.timestamp >= session_start, session_start.is_(None))))


@dataclass(frozen=True)
class _Kept:
    """A tracker as it was saved: still the stored session if nothing here or there changed."""

    tracker: ConversationTracker
    stored: StoredSession


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQL errors never print the bound values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        make_store_private(self)  # every commit stays synced: a conversation is a record
        self.states_cache = PastStatesCache()
        self.kept: RecentlyUsed[Text, _Kept] = RecentlyUsed()

    def init_tracker(self, sender_id: Text) -> DialogueStateTracker:
        """A new conversation's tracker (Rasa's, with the shared past-states cache)."""
        return self._live(ConversationTracker(sender_id, self.domain.slots, max_event_history=self.max_event_history))

    def _live(self, tracker: ConversationTracker) -> ConversationTracker:
        tracker.states_cache = self.states_cache
        tracker.built_for = self.domain  # the model whose slots it has: kept only while that model serves
        return tracker

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishes the tracker's events that are not stored yet, counted without reading them."""
        if self.event_broker is None:
            return None
        stored = self._ask_stored_session(tracker.sender_id).events
        new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)

    async def _stream_new_events(self, event_broker: Any, new_events: List[Event], sender_id: Text) -> None:
        """Rasa's: each new event published with the sender; all in one go when the broker can."""
        bodies = [{"sender_id": sender_id, **event.as_dict()} for event in new_events]
        publish_many = getattr(event_broker, "publish_many", None)
        if publish_many is not None:
            publish_many(bodies)
            return
        for body in bodies:
            event_broker.publish(body)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        """Rasa's: the tracker's events after the stored session's; counted with one aggregate."""
        stored = self._stored_session(session, tracker.sender_id).events
        return itertools.islice(tracker.events, stored, len(tracker.events))

    def _stored_session(self, session: Any, sender_id: Text) -> StoredSession:
        """Rasa's ``_event_query`` (the events since the latest session start) as one row of
        aggregates. Rasa counts with ``Query.count()``, which selects every column of every row
        (the event JSON too) in a subquery: 3.7 ms at 600 events on SQLite against 0.7 ms."""
        events, last_id, last_timestamp = session.execute(_session_aggregates(self.SQLEvent.__table__),
                                                          {"sender_id": sender_id}).one()
        return StoredSession(events, last_id, last_timestamp)

    def _ask_stored_session(self, sender_id: Text) -> StoredSession:
        """``_stored_session`` in a session of its own."""
        with self.session_scope() as session:
            return self._stored_session(session, sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (the events after those already stored: streamed, then written and
        committed), with the stored session counted once instead of four times, and not at all
        when the conversation was erased while the turn ran.

        Rasa counts the stored session in ``stream_events`` and again in ``_additional_events``;
        the check below and keeping the tracker counted it twice more: one aggregate query each
        (0.7 ms on SQLite at 600 events, a round trip each on PostgreSQL). Here one count serves
        all; what is stored after the commit is worked out from it and the rows written, and the
        next read checks that against the database as before (a wrong guess only means reading
        the conversation again). Trackers that are not live conversations get Rasa's save.

        Rasa stores the events after the number already stored: had staff erased the
        conversation (or the retention purge removed it) since this turn read it, that number is
        0 and the whole erased conversation would be written back, and streamed to analytics
        again. A conversation with fewer stored events than when it was read is not written."""
        if not isinstance(tracker, ConversationTracker):
            await super().save(tracker)
            return
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            now = self._stored_session(session, sender_id)
            if tracker.stored_when_read is not None and now.events < tracker.stored_when_read.events:
                logger.warning("tracker_store.erased_during_turn: a conversation was erased while one of its "
                               "turns ran; the turn was not stored")
                self.states_cache.forget(sender_id)
                return
            new_events = list(itertools.islice(tracker.events, now.events, len(tracker.events)))
            if self.event_broker is not None:  # streamed before they are written, as Rasa does
                await self._stream_new_events(self.event_broker, new_events, sender_id)
            rows = [self._event_row(sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()  # the rows' ids, for the stored session below
            last_id = max(row.id for row in rows) if rows else now.last_id
            session.commit()
        if not tracker.events:
            return
        stored = self._stored_after(now, new_events, last_id, sender_id)
        tracker.stored_when_read = stored
        # Not when the tracker is more than the stored session (a conversation's first save holds
        # action_session_start, outside it; a turn that started a new session holds the old one):
        # such a copy could never be given out, and it is customer data.
        if stored.events == len(tracker.events):
            self.kept.put(sender_id, _Kept(tracker, stored))

    def _event_row(self, sender_id: Text, event: Event) -> Any:
        """The row Rasa's ``SQLTrackerStore.save`` writes for ``event``."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _stored_after(self, before: StoredSession, written: List[Event], last_id: Optional[int],
                      sender_id: Text) -> StoredSession:
        """The aggregate query's answer after ``written`` were added to ``before``, worked out.

        The session's rows are those timed at or after its latest session start, and that row
        is itself in it, so ``before.last_timestamp`` is at or after the start: events timed at
        or after it are in the session. Anything else (a session start among them, an event
        timed earlier) is asked of the database."""
        if not written:
            return before
        if any(isinstance(event, SessionStarted) for event in written):
            return self._ask_stored_session(sender_id)
        times = [event.timestamp for event in written]
        if before.events == 0:  # no session start stored: every row of the conversation counts
            return StoredSession(len(written), last_id, max(times))
        if before.last_timestamp is not None and all(t >= before.last_timestamp for t in times):
            return StoredSession(before.events + len(written), last_id, max(before.last_timestamp, *times))
        return self._ask_stored_session(sender_id)

    def _kept_tracker(self, session: Any, sender_id: Text) -> Optional[ConversationTracker]:
        """The tracker saved last for ``sender_id`` if it is still what the database holds.

        Given out once: it is kept again when saved. A second read before that (Rasa's HTTP API
        reads a conversation twice to run an action) gets its own tracker from the database,
        as with Rasa's store, and no two callers ever share one tracker object."""
        kept = self.kept.get(sender_id)
        if kept is None:
            return None
        self.kept.forget(sender_id)
        tracker = kept.tracker
        # As many events as stored: not a turn that failed after adding some.
        if (tracker.built_for is self.domain and len(tracker.events) == kept.stored.events
                and self._stored_session(session, sender_id) == kept.stored):
            tracker.stored_when_read = kept.stored
            return tracker
        self.states_cache.forget(sender_id)  # changed elsewhere (erased, perhaps): forget it all
        return None

    async def _retrieve(self, sender_id: Text, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            if not fetch_events_from_all_sessions:
                kept = self._kept_tracker(session, sender_id)
                if kept is not None:
                    return kept
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=fetch_events_from_all_sessions)
            rows = query.with_entities(self.SQLEvent.data).all()
        if not self.domain or not rows:
            return None
        events = deserialise_events([json.loads(data) for (data,) in rows])
        if fetch_events_from_all_sessions:  # the whole record (the HTTP API), not a turn's
            return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)
        tracker = self._live(ConversationTracker.from_events(sender_id, events, self.domain.slots))
        tracker.stored_when_read = StoredSession(len(rows), None, None)
        return tracker
