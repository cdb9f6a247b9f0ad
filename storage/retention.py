"""Keeping the assistant's own data only as long as needed (policy: 利用目的の達成に必要な範囲).

``Retention.purge()`` removes what is due, in short batches so live chats are not held up:

- **conversations** in Rasa's SQL tracker store (every message and slot value) whose last
  event is older than ``chat_retention_days``, with their events still waiting in the SQL
  event broker for the analytics consumer;
- **handoffs** closed before that cutoff, with their notes (open ones wait for staff);
- **analytics facts** (per conversation and question; storage/analytics.py) of days more
  than ``analytics_days`` ago; the daily counters stay, as they count and name no one;
- **closed tickets** whose last change is older than ``ticket_retention_days``: the
  customer's details and free texts are erased, and the number, type, dates and statuses
  stay as the pseudonymised record of the request (``erased_at`` marks it).

Each run writes its counts to the audit log (``retention.purge``). ``python -m storage purge``
runs it once (``make purge``); ``--every`` repeats it, as ``make run`` does.
"""
from __future__ import annotations

import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable, Optional

from sqlalchemy import delete, func, inspect, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.future import create_engine
from sqlalchemy.sql import column, table

from sobu_privacy.clock import japan_date
from sobu_privacy.workflow import FINAL_STATUSES

from .analytics import AnalyticsStore
from .audit import record_in
from .db import Clock, Database, utcnow
from .models import HandoffNoteRow, HandoffRow, TicketHistoryRow, TicketRow

logger = logging.getLogger(__name__)

#: Rasa's SQL tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent).
EVENTS = table("events", column("id"), column("sender_id"), column("timestamp"))

#: The ticket columns that hold the customer's details or free text.
ERASED_TICKET_FIELDS = dict(
    name="", name_kana="", postal_code="", address="", phone="", details="",
    email=None, customer_number=None, agent_name=None, agent_relationship=None, refusal_reason=None,
)


@dataclass(frozen=True)
class RetentionPeriods:
    chat_days: int = 30
    ticket_days: int = 1095
    batch_size: int = 200
    analytics_days: int = 90


@dataclass(frozen=True)
class PurgeReport:
    conversations: int = 0
    events: int = 0
    handoffs: int = 0
    tickets_erased: int = 0
    analytics_facts: int = 0


def tracker_engine(url: Optional[str]) -> Optional[Engine]:
    """An engine on Rasa's tracker store database (TRACKER_DB_URL), or None when unset."""
    if not url:
        return None
    return create_engine(url, future=True, hide_parameters=True, pool_pre_ping=True)


def event_broker_path() -> Optional[Path]:
    """Where Rasa's SQL event broker writes (EVENT_BROKER_SQLITE_PATH), if set.

    Its rows are raw events (messages included) waiting for the analytics consumer, which
    deletes them once applied; while the consumer is stopped they wait there, so a purge or
    an erasure deletes a conversation's waiting rows with its tracker events. (On the scale
    path the stream is RabbitMQ: messages cannot be picked out of a queue, and the consumer
    applies them within seconds.)
    """
    path = os.environ.get("EVENT_BROKER_SQLITE_PATH")
    return Path(path) if path else None


class Retention:
    def __init__(
        self,
        db: Database,
        tracker_db: Optional[Engine],
        periods: RetentionPeriods = RetentionPeriods(),
        *,
        clock: Clock = utcnow,
        broker_path: Optional[Path] = None,
    ) -> None:
        self.db = db
        self.broker_path = broker_path
        self.tracker_db = tracker_db
        self.periods = periods
        self.clock = clock

    def purge(self) -> PurgeReport:
        now = self.clock()
        chat_cutoff = now - timedelta(days=self.periods.chat_days)
        conversations, events = self._purge_conversations(chat_cutoff)
        report = PurgeReport(
            conversations=conversations,
            events=events,
            handoffs=self._purge_handoffs(chat_cutoff),
            tickets_erased=self._erase_closed_tickets(now - timedelta(days=self.periods.ticket_days), now),
            analytics_facts=AnalyticsStore(self.db).purge(
                japan_date(now) - timedelta(days=self.periods.analytics_days), self.periods.batch_size
            ),
        )
        with self.db.transaction() as session:
            record_in(session, actor="retention", action="retention.purge", target="", detail=asdict(report), at=now)
        logger.info("retention purge %s", asdict(report))
        return report

    # --- conversations in Rasa's tracker store ---------------------------------------------

    def _has_tracker_events(self) -> bool:
        """A tracker store database is configured and Rasa has created its table."""
        return self.tracker_db is not None and inspect(self.tracker_db).has_table("events")

    def _purge_conversations(self, cutoff: datetime) -> tuple[int, int]:
        if not self._has_tracker_events():
            return 0, 0
        conversations = events = 0
        last_seen = func.max(EVENTS.c.timestamp)
        while True:
            with self.tracker_db.begin() as connection:
                senders = list(
                    connection.execute(
                        select(EVENTS.c.sender_id)
                        .group_by(EVENTS.c.sender_id)
                        .having(last_seen < cutoff.timestamp())
                        .limit(self.periods.batch_size)
                    ).scalars()
                )
                if not senders:
                    return conversations, events
                events += connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))).rowcount
            self._forget_in_broker(senders)
            conversations += len(senders)

    def forget_conversations(self, conversation_ids: Iterable[str]) -> int:
        """Delete these conversations' tracker events now (an erasure request)."""
        ids = list(conversation_ids)
        self._forget_in_broker(ids)
        if not ids or not self._has_tracker_events():
            return 0
        with self.tracker_db.begin() as connection:
            return connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(ids))).rowcount

    def _forget_in_broker(self, conversation_ids: list[str]) -> None:
        """Delete these conversations' events still waiting in the SQL event broker."""
        if not conversation_ids or self.broker_path is None or not self.broker_path.exists():
            return  # no SQL broker (yet): Rasa creates the file when it starts
        engine = create_engine(f"sqlite:///{self.broker_path.resolve()}", future=True, hide_parameters=True)
        try:
            if inspect(engine).has_table("events"):
                with engine.begin() as connection:
                    connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(conversation_ids)))
        finally:
            engine.dispose()

    # --- handoffs and notes ----------------------------------------------------------------

    def _purge_handoffs(self, cutoff: datetime) -> int:
        closed = select(HandoffRow.id).where(HandoffRow.closed_at.is_not(None), HandoffRow.closed_at < cutoff)
        return self._in_batches(closed, delete_handoffs)

    # --- tickets ---------------------------------------------------------------------------

    def _erase_closed_tickets(self, cutoff: datetime, now: datetime) -> int:
        final = [status.value for status in FINAL_STATUSES]
        due = select(TicketRow.id).where(
            TicketRow.status.in_(final), TicketRow.updated_at < cutoff, TicketRow.erased_at.is_(None)
        )
        return self._in_batches(due, lambda session, ids: erase_tickets(session, ids, now))

    def _in_batches(self, ids_query, act) -> int:  # type: ignore[no-untyped-def]
        """Run ``act(session, ids)`` on the rows ``ids_query`` selects, a batch per short
        transaction (so live chats are not held up), until none is left; returns the count."""
        done = 0
        while True:
            with self.db.transaction() as session:
                ids = list(session.scalars(ids_query.limit(self.periods.batch_size)))
                if not ids:
                    return done
                act(session, ids)
            done += len(ids)


def delete_handoffs(session, handoff_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    """Delete these handoffs and their notes inside the caller's transaction."""
    session.execute(delete(HandoffNoteRow).where(HandoffNoteRow.handoff_id.in_(handoff_ids)))
    session.execute(delete(HandoffRow).where(HandoffRow.id.in_(handoff_ids)))


def erase_tickets(session, ticket_ids: list[int], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Erase the customer's details of these tickets inside the caller's transaction."""
    session.execute(update(TicketRow).where(TicketRow.id.in_(ticket_ids)).values(**ERASED_TICKET_FIELDS, erased_at=now))
    session.execute(
        update(TicketHistoryRow).where(TicketHistoryRow.ticket_id.in_(ticket_ids)).values(comment="", reason=None)
    )
