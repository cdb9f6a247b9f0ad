"""The analytics tables: what the event consumer writes and what reports read.

Only de-identified facts live here (see storage/models.py): conversations by their analytics
pseudonym, questions by intent and policy section, the masked text of unanswered questions,
and counters per day. The consumer (analytics/consumer.py) writes a batch of events as one
``AnalyticsBatch`` in one transaction, together with how far it has read its source, so a
crash never counts an event twice or loses one. Reports read counters, never raw events, so
30 days cost the same whatever the traffic was.
"""
from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from statistics import median
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sobu_privacy.clock import JST, now_in_japan
from sobu_privacy.workflow import FINAL_STATUSES

from .db import Database
from .models import (
    AnalyticsConversationRow,
    AnalyticsCursorRow,
    AnalyticsDailyRow,
    AnalyticsQuestionRow,
    TicketHistoryRow,
    TicketRow,
)

__all__ = [
    "AnalyticsBatch",
    "AnalyticsStore",
    "DailyCount",
    "Period",
    "QuestionRef",
    "TicketFigures",
    "UnansweredOccurrence",
    "forget_conversations",
]


@dataclass(frozen=True)
class Period:
    """Days in Japan time, both ends included."""

    first: date
    last: date

    @classmethod
    def last_days(cls, days: int, today: Optional[date] = None) -> "Period":
        end = today or now_in_japan().date()
        return cls(end - timedelta(days=days - 1), end)

    @classmethod
    def chosen(
        cls, days: int, first: Optional[date] = None, last: Optional[date] = None,
        today: Optional[date] = None, max_days: Optional[int] = None,
    ) -> "Period":
        """What a reader asked for: the last ``days`` days, or ``first``..``last`` (a missing
        end: up to today, or the other end's day). ValueError if backwards or too long."""
        today = today or now_in_japan().date()
        if first is None and last is None:
            return cls.last_days(days, today)
        last = last or today
        first = first or last
        if first > last:
            raise ValueError("the first day is after the last")
        if max_days is not None and (last - first).days >= max_days:
            raise ValueError(f"longer than {max_days} days")
        return cls(first, last)

    @property
    def days(self) -> List[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class DailyCount:
    day: date
    metric: str
    key: str
    count: int


@dataclass(frozen=True)
class QuestionRef:
    """What the consumer needs to know about a question it already wrote."""

    id: int
    day: date
    intent: Optional[str]
    unanswered: bool


@dataclass(frozen=True)
class UnansweredOccurrence:
    """One masked text as one conversation sent it (``messages`` times, classified ``intent``).

    The conversation is its analytics pseudonym; reports use it only to count *different*
    conversations behind a text or a cluster of texts, and never show it.
    """

    text: str
    conversation: str
    intent: Optional[str]
    messages: int


@dataclass(frozen=True)
class TicketFigures:
    """Counted by the database; no ticket row (no personal data) is loaded."""

    by_type: Dict[str, int]
    by_status: Dict[str, int]
    opened: int
    closed: int
    overdue: int
    median_days_to_close: Optional[float]


class AnalyticsBatch:
    """The consumer's writes for one batch of events, inside one transaction.

    Counters are summed in memory and written once per key at the end (``flush``), so a
    batch of 500 events costs a handful of statements, not one per event.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._counts: Counter[Tuple[date, str, str]] = Counter()
        # The rows this batch has read or added, by key: a conversation's events come one
        # after another, and asking the session again would flush and query each time.
        self._conversations: Dict[str, Optional[AnalyticsConversationRow]] = {}
        self._questions: Dict[int, AnalyticsQuestionRow] = {}

    # --- conversations ------------------------------------------------------------------
    def conversation(self, pseudonym: str) -> Optional[AnalyticsConversationRow]:
        if pseudonym not in self._conversations:
            self._conversations[pseudonym] = self._session.get(AnalyticsConversationRow, pseudonym)
        return self._conversations[pseudonym]

    def start_conversation(self, pseudonym: str, started_at: datetime, day: date) -> AnalyticsConversationRow:
        row = AnalyticsConversationRow(
            pseudonym=pseudonym, day=day, started_at=started_at, last_event_ts=0.0,
            handoff=False, ticket=False, in_form=False,
        )
        self._session.add(row)
        self._conversations[pseudonym] = row
        return row

    # --- counters -----------------------------------------------------------------------
    def count(self, day: date, metric: str, key: str = "", n: int = 1) -> None:
        self._counts[(day, metric, key[:64])] += n

    # --- questions ----------------------------------------------------------------------
    def add_question(
        self, conversation: str, day: date, intent: Optional[str], confidence: Optional[float],
        unanswered: bool, text: Optional[str],
    ) -> int:
        row = AnalyticsQuestionRow(
            conversation=conversation, day=day, intent=intent, confidence=confidence,
            unanswered=unanswered, handoff_after=False, text=text,
        )
        self._session.add(row)
        self._session.flush()  # for its id
        self._questions[row.id] = row
        return row.id

    def _question_row(self, question_id: int) -> Optional[AnalyticsQuestionRow]:
        row = self._questions.get(question_id)
        if row is None:
            row = self._session.get(AnalyticsQuestionRow, question_id)
            if row is not None:
                self._questions[question_id] = row
        return row

    def question(self, question_id: Optional[int]) -> Optional[QuestionRef]:
        if question_id is None:
            return None
        row = self._question_row(question_id)
        return None if row is None else QuestionRef(row.id, row.day, row.intent, row.unanswered)

    def update_question(self, question_id: int, **values: object) -> None:
        row = self._question_row(question_id)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)

    def stored_texts(self, conversation: str) -> List[Tuple[int, str]]:
        """The masked texts kept for one conversation (to mask again when it gives a new value)."""
        rows = self._session.execute(
            select(AnalyticsQuestionRow.id, AnalyticsQuestionRow.text).where(
                AnalyticsQuestionRow.conversation == conversation, AnalyticsQuestionRow.text.is_not(None)
            )
        ).all()
        return [(row.id, row.text) for row in rows]

    # --- where the consumer is ------------------------------------------------------------
    def cursor(self, source: str) -> int:
        row = self._session.get(AnalyticsCursorRow, source)
        return row.position if row else 0

    def set_cursor(self, source: str, position: int) -> None:
        row = self._session.get(AnalyticsCursorRow, source)
        if row is None:
            self._session.add(AnalyticsCursorRow(source=source, position=position))
        else:
            row.position = position

    def flush(self) -> None:
        """Write the summed counters: one upsert statement, executed for every key at once."""
        if not self._counts:
            return
        self._session.flush()
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = AnalyticsDailyRow.__table__
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.day, table.c.metric, table.c.key],
            set_={"count": table.c.count + statement.excluded.count},
        )
        rows = [dict(day=day, metric=metric, key=key, count=n) for (day, metric, key), n in sorted(self._counts.items())]
        self._session.execute(statement, rows)
        self._counts.clear()


class AnalyticsStore:
    """Writes (for the consumer) and aggregate reads (for the console and ``make report``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- writing ------------------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[AnalyticsBatch]:
        """One transaction of consumer writes; the counters are written just before it commits."""
        with self.db.transaction() as session:
            batch = AnalyticsBatch(session)
            yield batch
            batch.flush()

    def cursor(self, source: str) -> int:
        with self.db.transaction(readonly=True) as session:
            return AnalyticsBatch(session).cursor(source)

    # --- reading ------------------------------------------------------------------------
    def daily_counts(self, period: Period, metrics: Optional[Sequence[str]] = None) -> List[DailyCount]:
        query = select(AnalyticsDailyRow).where(
            AnalyticsDailyRow.day >= period.first, AnalyticsDailyRow.day <= period.last
        )
        if metrics:
            query = query.where(AnalyticsDailyRow.metric.in_(list(metrics)))
        with self.db.transaction(readonly=True) as session:
            rows = session.execute(query).scalars().all()
            return [DailyCount(r.day, r.metric, r.key, r.count) for r in rows]

    def unanswered_occurrences(self, period: Period) -> List[UnansweredOccurrence]:
        """Each (masked text, conversation, intent) of the period's unanswered questions once."""
        q = AnalyticsQuestionRow
        query = (
            select(q.text, q.conversation, q.intent, func.count())
            .where(q.unanswered.is_(True), q.text.is_not(None), q.day >= period.first, q.day <= period.last)
            .group_by(q.text, q.conversation, q.intent)
        )
        with self.db.transaction(readonly=True) as session:
            rows = session.execute(query).all()
        return [UnansweredOccurrence(text, conversation, intent, int(n)) for text, conversation, intent, n in rows]

    def ticket_figures(self, period: Period, today: Optional[date] = None) -> TicketFigures:
        """Requests opened in the period by type and status, closings, the open overdue ones."""
        today = today or now_in_japan().date()
        finals = [s.value for s in FINAL_STATUSES]
        start, end = _utc_bounds(period)
        in_period = (TicketRow.created_at >= start) & (TicketRow.created_at < end)
        closed_at = (
            select(TicketHistoryRow.ticket_id, func.max(TicketHistoryRow.at).label("closed_at"))
            .where(TicketHistoryRow.to_status.in_(finals))
            .group_by(TicketHistoryRow.ticket_id)
            .subquery()
        )
        with self.db.transaction(readonly=True) as session:
            by_type = dict(session.execute(
                select(TicketRow.request_type, func.count()).where(in_period).group_by(TicketRow.request_type)
            ).all())
            by_status = dict(session.execute(
                select(TicketRow.status, func.count()).where(in_period).group_by(TicketRow.status)
            ).all())
            overdue = session.execute(
                select(func.count()).select_from(TicketRow).where(
                    TicketRow.status.not_in(finals), TicketRow.due_date < today
                )
            ).scalar_one()
            durations = session.execute(
                select(TicketRow.created_at, closed_at.c.closed_at)
                .join(closed_at, closed_at.c.ticket_id == TicketRow.id)
                .where(closed_at.c.closed_at >= start, closed_at.c.closed_at < end)
            ).all()
        days = [(_aware(closed) - _aware(created)).total_seconds() / 86400 for created, closed in durations]
        return TicketFigures(
            by_type={str(k): int(v) for k, v in by_type.items()},
            by_status={str(k): int(v) for k, v in by_status.items()},
            opened=sum(by_type.values()),
            closed=len(days),
            overdue=int(overdue),
            median_days_to_close=round(median(days), 1) if days else None,
        )

    # --- keeping it only as long as needed ------------------------------------------------
    def forget_conversation(self, pseudonym: str) -> int:
        """Erase one conversation's facts (an erasure request); its counters stay, being counts."""
        with self.db.transaction() as session:
            return forget_conversations(session, [pseudonym])

    def purge(self, before: date, batch_size: int = 500) -> int:
        """Delete per-conversation facts of days before ``before``; counters stay (no one is in them)."""
        total = 0
        for table, day_column, key in (
            (AnalyticsQuestionRow, AnalyticsQuestionRow.day, AnalyticsQuestionRow.id),
            (AnalyticsConversationRow, AnalyticsConversationRow.day, AnalyticsConversationRow.pseudonym),
        ):
            while True:
                with self.db.transaction() as session:
                    keys = session.execute(select(key).where(day_column < before).limit(batch_size)).scalars().all()
                    if not keys:
                        break
                    session.execute(delete(table).where(key.in_(keys)))
                    total += len(keys)
        return total


def forget_conversations(session: Session, pseudonyms: Sequence[str]) -> int:
    """Delete these conversations' facts inside the caller's transaction; returns the questions
    deleted. Used by an erasure (storage/erasure.py), in the same transaction as the rest."""
    if not pseudonyms:
        return 0
    deleted = session.execute(
        delete(AnalyticsQuestionRow).where(AnalyticsQuestionRow.conversation.in_(list(pseudonyms)))
    ).rowcount
    session.execute(delete(AnalyticsConversationRow).where(AnalyticsConversationRow.pseudonym.in_(list(pseudonyms))))
    return int(deleted or 0)


def _utc_bounds(period: Period) -> Tuple[datetime, datetime]:
    start = datetime.combine(period.first, datetime.min.time(), tzinfo=JST)
    end = datetime.combine(period.last + timedelta(days=1), datetime.min.time(), tzinfo=JST)
    return start, end


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)

