"""ORM tables. Only the stores use these; callers get frozen dataclasses instead.

The migrations in storage/migrations create exactly this schema (a test compares them).
Enumerated values are plain strings with CHECK constraints rather than database enum types,
so adding a status later is an ordinary migration on both SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.orm import Mapped, registry

from sobu_privacy.handoff import HandoffKind
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType
from sobu_privacy.roles import Role
from sobu_privacy.workflow import TicketStatus

# Stable constraint names so migrations can refer to them on both dialects.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)
mapper_registry = registry(metadata=metadata)
Base = mapper_registry.generate_base()

# The values the CHECK constraints allow, from the vocabulary (a new member needs a migration;
# tests/storage compares the migrated schema with these models).
REQUEST_TYPES = tuple(member.value for member in RequestType)
REQUESTER_KINDS = tuple(member.value for member in RequesterKind)
DELIVERY_METHODS = tuple(member.value for member in DeliveryMethod)
TICKET_STATUSES = tuple(member.value for member in TicketStatus)
ROLES = tuple(member.value for member in Role)
HANDOFF_KINDS = tuple(member.value for member in HandoffKind)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC in the column.

    SQLite has no time zones; storing naive UTC everywhere keeps both dialects identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        return None if value is None else value.replace(tzinfo=timezone.utc)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        CheckConstraint(_in("request_type", REQUEST_TYPES), name="request_type"),
        CheckConstraint(_in("requester_kind", REQUESTER_KINDS), name="requester_kind"),
        CheckConstraint(_in("delivery_method", DELIVERY_METHODS), name="delivery_method"),
        CheckConstraint(_in("status", TICKET_STATUSES), name="status"),
        Index("ix_tickets_status_due_date", "status", "due_date"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    number: Mapped[str] = Column(String(12), nullable=False, unique=True)
    request_type: Mapped[str] = Column(String(16), nullable=False)
    requester_kind: Mapped[str] = Column(String(8), nullable=False)
    agent_name: Mapped[Optional[str]] = Column(String(200))
    agent_relationship: Mapped[Optional[str]] = Column(String(100))
    name: Mapped[str] = Column(String(200), nullable=False)
    name_kana: Mapped[str] = Column(String(200), nullable=False)
    postal_code: Mapped[str] = Column(String(8), nullable=False)
    address: Mapped[str] = Column(String(500), nullable=False)
    phone: Mapped[str] = Column(String(15), nullable=False)
    email: Mapped[Optional[str]] = Column(String(254))
    customer_number: Mapped[Optional[str]] = Column(String(64))
    details: Mapped[str] = Column(Text, nullable=False)
    delivery_method: Mapped[str] = Column(String(16), nullable=False)
    conversation_id: Mapped[Optional[str]] = Column(String(255), index=True)
    status: Mapped[str] = Column(String(16), nullable=False)
    refusal_reason: Mapped[Optional[str]] = Column(Text)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    due_date: Mapped[date] = Column(Date, nullable=False)
    #: When the customer's details were erased (retention or an erasure request); the
    #: number, type, dates and statuses stay as the record of the request.
    erased_at: Mapped[Optional[datetime]] = Column(UTCDateTime)


class TicketHistoryRow(Base):
    __tablename__ = "ticket_history"

    id: Mapped[int] = Column(Integer, primary_key=True)
    ticket_id: Mapped[int] = Column(
        Integer, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    actor: Mapped[str] = Column(String(100), nullable=False)
    from_status: Mapped[Optional[str]] = Column(String(16))
    to_status: Mapped[str] = Column(String(16), nullable=False)
    comment: Mapped[str] = Column(Text, nullable=False)
    reason: Mapped[Optional[str]] = Column(Text)


class HandoffRow(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(_in("kind", HANDOFF_KINDS), name="kind"),
        # At most one open handoff per conversation, enforced by the database so two
        # simultaneous "talk to a person" requests cannot both enqueue.
        Index(
            "uq_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_handoffs_created_at", "created_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation_id: Mapped[str] = Column(String(255), nullable=False)
    kind: Mapped[str] = Column(String(16), nullable=False)
    summary: Mapped[dict] = Column(JSON, nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    claimed_by: Mapped[Optional[str]] = Column(String(100))
    claimed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    closed_by: Mapped[Optional[str]] = Column(String(100))
    closed_at: Mapped[Optional[datetime]] = Column(UTCDateTime)
    ticket_number: Mapped[Optional[str]] = Column(String(12), ForeignKey("tickets.number"))


class HandoffNoteRow(Base):
    __tablename__ = "handoff_notes"

    id: Mapped[int] = Column(Integer, primary_key=True)
    handoff_id: Mapped[int] = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author: Mapped[str] = Column(String(100), nullable=False)
    text: Mapped[str] = Column(Text, nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)


class StaffUserRow(Base):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    username: Mapped[str] = Column(String(100), nullable=False, unique=True)
    role: Mapped[str] = Column(String(16), nullable=False)
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    active: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=True)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    id: Mapped[int] = Column(Integer, primary_key=True)
    token_hash: Mapped[str] = Column(String(64), nullable=False, unique=True)
    user_id: Mapped[int] = Column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)


class AuditRow(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_target", "target"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    actor: Mapped[str] = Column(String(100), nullable=False)
    action: Mapped[str] = Column(String(100), nullable=False)
    target: Mapped[str] = Column(String(255), nullable=False)
    detail: Mapped[dict] = Column(JSON, nullable=False)


class StatusCheckCounterRow(Base):
    """Wrong 受付番号 + phone pairs, per canonical 受付番号 and in total ("*").

    Kept in the application database, not in the conversation, so that a new sender id,
    ``/restart`` or another Rasa server does not reset the count (storage/status_checks.py).
    """

    __tablename__ = "status_check_counters"

    key: Mapped[str] = Column(String(20), primary_key=True)
    window_started_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    misses: Mapped[int] = Column(Integer, nullable=False, default=0)
    locked_until: Mapped[Optional[datetime]] = Column(UTCDateTime)


# --- analytics (written by analytics/consumer.py, read by storage/analytics.py) -------------
# De-identified facts only: a conversation appears as its analytics pseudonym, a question as
# its masked text, and only unanswered questions keep even that.


class AnalyticsConversationRow(Base):
    """One conversation as analytics knows it, plus the consumer's state for its next event."""

    __tablename__ = "analytics_conversations"
    __table_args__ = (Index("ix_analytics_conversations_day", "day"),)

    pseudonym: Mapped[str] = Column(String(32), primary_key=True)
    day: Mapped[date] = Column(Date, nullable=False)  # the day (Japan time) it started
    started_at: Mapped[datetime] = Column(UTCDateTime, nullable=False)
    last_event_ts: Mapped[float] = Column(Float, nullable=False)  # redelivered events are skipped
    handoff: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=False)
    ticket: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=False)
    in_form: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=False)
    open_question_id: Mapped[Optional[int]] = Column(Integer)  # the last question asked
    topic_question_id: Mapped[Optional[int]] = Column(Integer)  # the last one not asking for a person


class AnalyticsQuestionRow(Base):
    """One customer question (never a form answer): its intent, answer and outcome."""

    __tablename__ = "analytics_questions"
    __table_args__ = (
        Index("ix_analytics_questions_day", "day"),
        Index("ix_analytics_questions_conversation", "conversation"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    conversation: Mapped[str] = Column(String(32), nullable=False)
    day: Mapped[date] = Column(Date, nullable=False)
    intent: Mapped[Optional[str]] = Column(String(64))
    confidence: Mapped[Optional[float]] = Column(Float)
    section: Mapped[Optional[str]] = Column(String(64))  # the policy section answered
    unanswered: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=False)
    handoff_after: Mapped[bool] = Column(Boolean(create_constraint=False), nullable=False, default=False)
    text: Mapped[Optional[str]] = Column(Text)  # masked; kept only while unanswered


class AnalyticsDailyRow(Base):
    """Counters per day (Japan time), kept by the consumer so a report never rescans facts."""

    __tablename__ = "analytics_daily"

    day: Mapped[date] = Column(Date, primary_key=True)
    metric: Mapped[str] = Column(String(32), primary_key=True)
    key: Mapped[str] = Column(String(64), primary_key=True, default="")
    count: Mapped[int] = Column(Integer, nullable=False, default=0)


class AnalyticsCursorRow(Base):
    """How far the consumer has read an event source, committed with the facts it produced."""

    __tablename__ = "analytics_cursors"

    source: Mapped[str] = Column(String(64), primary_key=True)
    position: Mapped[int] = Column(Integer, nullable=False, default=0)
