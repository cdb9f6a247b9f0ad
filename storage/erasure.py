"""Erasure on request: a customer's chat data goes when they ask for 削除・消去・利用停止.

From a ticket of one of those types, staff erase every conversation linked to it (Rasa's
tracker events, handoffs and their notes, and the conversation's analytics facts) and the customer's details in any of their other
tickets that staff choose. What stays is the pseudonymised record of each request (number,
type, dates, statuses) and an audit entry ``privacy.erasure`` with the counts. The request
ticket itself keeps its details: 総務部 still has to answer it, and its own retention period
applies (storage.retention).

Idempotent: erasing twice removes nothing more, so a run interrupted half-way (the tracker
database was down) is simply repeated. Rasa keeps no copy of a conversation in memory
between turns (the SQL tracker store is read on every message), so nothing brings it back
on any server.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable, Optional

from sqlalchemy import or_, select

from sobu_privacy.identifiers import normalize_ticket_number
from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from sobu_privacy.requests import RequestType

from .analytics import forget_conversations
from .audit import record_in
from .db import Clock, Database, utcnow
from .errors import NotFound, StorageError
from .models import HandoffRow, TicketRow
from .retention import Retention, delete_handoffs, erase_tickets, event_broker_path, tracker_engine
from .tickets import Ticket, _ticket

#: The request types whose answer is to erase or stop using the customer's data.
ERASABLE_TYPES = frozenset({RequestType.DELETION, RequestType.ERASURE, RequestType.STOP_USE})


class ErasureNotAllowed(StorageError):
    """The ticket is not a request to erase (削除・消去・利用停止), or a chosen ticket is not
    one of the customer's."""


@dataclass(frozen=True)
class ErasurePlan:
    """What an erasure from ``ticket`` would remove; shown to staff before they confirm."""

    ticket: Ticket
    #: Conversations linked to the request: the one it was filed in and any handed-off chat
    #: linked to it.
    conversation_ids: tuple[str, ...]
    #: The customer's other tickets not yet erased (same phone number or same katakana name),
    #: from which staff choose.
    other_tickets: tuple[Ticket, ...]


@dataclass(frozen=True)
class ErasureReport:
    conversations: int
    events: int
    handoffs: int
    tickets_erased: int
    analytics_facts: int = 0


class Erasure:
    def __init__(self, db: Database, retention: Retention, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.retention = retention
        self.clock = clock

    def plan(self, number: str) -> ErasurePlan:
        """What an erasure from this ticket would remove; only for 削除・消去・利用停止."""
        plan = self.customer_records(number)
        if plan.ticket.request_type not in ERASABLE_TYPES:
            raise ErasureNotAllowed("only a request to erase or stop use can erase chat data")
        return plan

    def customer_records(self, number: str) -> ErasurePlan:
        """The ticket, its linked conversations and the customer's other tickets (any type:
        a disclosure document lists the same)."""
        canonical = normalize_ticket_number(number) or ""
        with self.db.transaction(readonly=True) as session:
            row = session.scalars(select(TicketRow).where(TicketRow.number == canonical)).one_or_none()
            if row is None:
                raise NotFound(f"ticket {canonical or '?'} not found")
            linked = set(
                session.scalars(select(HandoffRow.conversation_id).where(HandoffRow.ticket_number == row.number))
            )
            if row.conversation_id:
                linked.add(row.conversation_id)
            same_customer = [TicketRow.phone == row.phone]
            if row.name_kana:
                same_customer.append(TicketRow.name_kana == row.name_kana)
            others = session.scalars(
                select(TicketRow)
                .where(TicketRow.id != row.id, TicketRow.erased_at.is_(None), or_(*same_customer))
                .order_by(TicketRow.created_at)
            ).all()
            return ErasurePlan(_ticket(row), tuple(sorted(linked)), tuple(_ticket(o) for o in others))

    def erase(self, number: str, *, actor: str, other_ticket_numbers: Iterable[str] = ()) -> ErasureReport:
        plan = self.plan(number)
        candidates = {t.number: t for t in plan.other_tickets}
        chosen = [normalize_ticket_number(n) or n for n in other_ticket_numbers]
        if any(n not in candidates for n in chosen):
            raise ErasureNotAllowed("a chosen ticket is not one of this customer's")
        conversations = set(plan.conversation_ids)
        conversations.update(c for n in chosen if (c := candidates[n].conversation_id))
        now = self.clock()
        # The tracker store first (another database; its own transaction): if the rest fails,
        # running the erasure again finishes it.
        events = self.retention.forget_conversations(sorted(conversations))
        with self.db.transaction() as session:
            handoff_ids = list(
                session.scalars(select(HandoffRow.id).where(HandoffRow.conversation_id.in_(conversations)))
            )
            if handoff_ids:
                delete_handoffs(session, handoff_ids)
            ticket_ids = list(session.scalars(select(TicketRow.id).where(TicketRow.number.in_(chosen))))
            if ticket_ids:
                erase_tickets(session, ticket_ids, now)
            analytics_facts = forget_conversations(
                session, [pseudonym(c, purpose=ANALYTICS) for c in sorted(conversations)]
            )
            report = ErasureReport(
                conversations=len(conversations), events=events, handoffs=len(handoff_ids), tickets_erased=len(ticket_ids),
                analytics_facts=analytics_facts,
            )
            record_in(
                session, actor=actor, action="privacy.erasure", target=plan.ticket.number,
                detail={**asdict(report), "tickets": sorted(chosen)}, at=now,
            )
        return report


def erasure_for(db: Database, tracker_db_url: Optional[str]) -> Erasure:
    """An Erasure on the app database, the tracker store's database (TRACKER_DB_URL) and
    Rasa's SQL event broker (EVENT_BROKER_SQLITE_PATH, when it is used)."""
    return Erasure(db, Retention(db, tracker_engine(tracker_db_url), broker_path=event_broker_path()))
