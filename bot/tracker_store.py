"""Rasa's SQL tracker store, without customer text in its error messages.

Rasa creates the tracker store's engine without ``hide_parameters``, so a database error
(a lock time-out, a server that went away) is logged with the bound parameters: the event
JSON with the customer's message and every slot value. This subclass is the same store
with the parameters hidden. Set in bot/endpoints.yml (``type: bot.tracker_store.PrivateSQLTrackerStore``).

On SQLite (the embedded default) it also uses WAL: a turn's commit syncs one file instead of
the rollback journal's two, and the purge or an erasure reading the same file never blocks a
turn (or the other way round). Every commit is still synced: a conversation is a record.
"""
from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore

from .sqlite_engine import make_store_private


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQL errors never print the bound values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        make_store_private(self)  # every commit stays synced: a conversation is a record
