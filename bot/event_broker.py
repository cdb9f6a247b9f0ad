"""Rasa's SQL event broker (the embedded default's event stream), made fit for this product.

Rasa's ``SQLEventBroker`` creates its engine without ``hide_parameters`` (a database error
would log the event JSON, with the customer's message) and commits each event with SQLite's
default rollback journal, an fsync per event. This subclass hides the parameters and uses WAL
without a sync per commit, so the analytics consumer (analytics/sources.py) can read and
delete rows while Rasa writes, and a turn does not wait for the disk once per event. The rows are
deleted as soon as the consumer has applied them: the stream is a queue, not a second copy
of every chat. Set in bot/endpoints.yml (``type: bot.event_broker.PrivateSQLEventBroker``).
"""
from __future__ import annotations

from typing import Any

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
