"""Rasa's SQL event broker (the embedded default's event stream), made fit for this product.

Rasa's ``SQLEventBroker`` creates its engine without ``hide_parameters`` (a database error
would log the event JSON, with the customer's message) and commits each event with SQLite's
default rollback journal, an fsync per event. This subclass hides the parameters and uses WAL
without a sync per commit, so the analytics consumer (analytics/sources.py) can read and
delete rows while Rasa writes, and a turn does not wait for the disk once per event. The rows are
deleted as soon as the consumer has applied them: the stream is a queue, not a second copy
of every chat. Set in bot/endpoints.yml (``type: bot.event_broker.PrivateSQLEventBroker``).

Rasa publishes a turn's events one by one, each in its own session and commit: the first turn
of a conversation and the last of a request form (a session start or a ticket, and every form
slot reset) wrote some twenty transactions, 17 % of the Rasa server's time in request forms.
``publish_many`` writes a turn's events in one transaction, in the same order, as the same rows;
the tracker store uses it (``bot/tracker_store.py``).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Text

from rasa.core.brokers.sql import SQLEventBroker

from .sqlite_engine import make_store_private


class PrivateSQLEventBroker(SQLEventBroker):
    """SQLEventBroker whose SQL errors never print the bound values; WAL on SQLite."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Rasa commits every event on its own: in WAL mode NORMAL skips the fsync per commit
        # (only checkpoints sync). A power cut may lose the last events of the stream —
        # analytics counts, never a conversation (the tracker store keeps it).
        make_store_private(self, extra_pragmas=("synchronous = NORMAL",))

    def publish_many(self, events: List[Dict[Text, Any]]) -> None:
        """``publish`` for each event, in one transaction: the same rows in the same order."""
        if not events:
            return
        with self.session_scope() as session:
            session.add_all([self.SQLBrokerEvent(sender_id=event.get("sender_id"), data=json.dumps(event))
                             for event in events])
            session.commit()
