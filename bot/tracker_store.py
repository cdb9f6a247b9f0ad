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
"""
from __future__ import annotations

import itertools
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from .sqlite_engine import make_store_private


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQL errors never print the bound values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        make_store_private(self)  # every commit stays synced: a conversation is a record

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """Publishes the tracker's events that are not stored yet, counted without reading them."""
        if self.event_broker is None:
            return None
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
        new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
        await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
