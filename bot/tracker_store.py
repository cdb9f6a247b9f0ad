"""Rasa's SQL tracker store, without customer text in its error messages.

Rasa creates the tracker store's engine without ``hide_parameters``, so a database error
(a lock time-out, a server that went away) is logged with the bound parameters: the event
JSON with the customer's message and every slot value. This subclass is the same store
with the parameters hidden. Set in bot/endpoints.yml (``type: bot.tracker_store.PrivateSQLTrackerStore``).
"""
from __future__ import annotations

from typing import Any

from rasa.core.tracker_store import SQLTrackerStore


class PrivateSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose SQL errors never print the bound values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SQLAlchemy reads this flag when it wraps a driver error (Connection._handle_dbapi_exception).
        self.engine.hide_parameters = True
