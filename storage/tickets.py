"""Request tickets (開示・訂正・利用停止 etc.) and their status history.

A ticket is the company's record that a person asked for something under APPI 第33–35条.
Every status change is kept (who, when, from, to, why) because the company must be able to
show what it did and, for a refusal, why (第36条). Customers find their ticket with the
受付番号 plus the phone number they gave, so numbers are random, not sequential.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Optional, Union

from sqlalchemy import case, exc, func, select
from sqlalchemy.orm import Session

from sobu_privacy.clock import japan_date
from sobu_privacy.identifiers import new_ticket_number, normalize_phone, normalize_postal_code, normalize_ticket_number
from sobu_privacy.requests import DeliveryMethod, RequesterKind, RequestType, UnknownValue
from sobu_privacy.settings import load_settings
from sobu_privacy.workflow import ALLOWED_TRANSITIONS, FINAL_STATUSES, TicketStatus, is_overdue

from .audit import record_in
from .db import Clock, Database, utcnow
from .errors import InvalidTicket, InvalidTransition, NotFound, StorageError, TicketLimitReached
from .models import TicketHistoryRow, TicketRow

_NUMBER_ATTEMPTS = 8


def _required(value: Optional[str], what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidTicket(f"{what} is required")
    return text


def _optional(value: Optional[str]) -> Optional[str]:
    text = (value or "").strip()
    return text or None


def _member(parse: Callable[[object], object], value: object, what: str):  # type: ignore[no-untyped-def]
    """The enum member named by ``value``; InvalidTicket naming the field (never the value)."""
    try:
        return parse(value)
    except UnknownValue:
        raise InvalidTicket(f"{what} is not one of the known values") from None


@dataclass(frozen=True)
class TicketDraft:
    """What the customer gave in the form; validated and normalised by ``validated()``.

    Personal data is left out of ``repr`` so logging a draft or ticket logs no PII.
    """

    request_type: Union[RequestType, str]
    name: str = field(repr=False)
    name_kana: str = field(repr=False)
    postal_code: str = field(repr=False)
    address: str = field(repr=False)
    phone: str = field(repr=False)
    details: str = field(repr=False)
    delivery_method: Union[DeliveryMethod, str]
    requester_kind: Union[RequesterKind, str] = RequesterKind.SELF
    agent_name: Optional[str] = field(default=None, repr=False)
    agent_relationship: Optional[str] = field(default=None, repr=False)
    email: Optional[str] = field(default=None, repr=False)
    customer_number: Optional[str] = field(default=None, repr=False)
    conversation_id: Optional[str] = None

    def validated(self) -> "TicketDraft":
        """A normalised copy, or InvalidTicket naming the first problem."""
        kind = _member(RequesterKind.parse, self.requester_kind, "requester_kind")
        phone = normalize_phone(self.phone)
        if phone is None:
            raise InvalidTicket("phone must be a Japanese phone number")
        postal_code = normalize_postal_code(self.postal_code)
        if postal_code is None:
            raise InvalidTicket("postal code must be 7 digits (NNN-NNNN)")
        email = _optional(self.email)
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
            raise InvalidTicket("email is not an address")
        return TicketDraft(
            request_type=_member(RequestType.parse, self.request_type, "request_type"),
            name=_required(self.name, "name"),
            name_kana=_required(self.name_kana, "name_kana"),
            postal_code=postal_code,
            address=_required(self.address, "address"),
            phone=phone,
            details=_required(self.details, "details"),
            delivery_method=_member(DeliveryMethod.parse, self.delivery_method, "delivery_method"),
            requester_kind=kind,
            agent_name=_required(self.agent_name, "agent_name") if kind is RequesterKind.AGENT else None,
            agent_relationship=(
                _required(self.agent_relationship, "agent_relationship") if kind is RequesterKind.AGENT else None
            ),
            email=email,
            customer_number=_optional(self.customer_number),
            conversation_id=_optional(self.conversation_id),
        )


@dataclass(frozen=True)
class Ticket:
    number: str
    request_type: RequestType
    requester_kind: RequesterKind
    agent_name: Optional[str] = field(repr=False)
    agent_relationship: Optional[str] = field(repr=False)
    name: str = field(repr=False)
    name_kana: str = field(repr=False)
    postal_code: str = field(repr=False)
    address: str = field(repr=False)
    phone: str = field(repr=False)
    email: Optional[str] = field(repr=False)
    customer_number: Optional[str] = field(repr=False)
    details: str = field(repr=False)
    delivery_method: DeliveryMethod
    conversation_id: Optional[str]
    status: TicketStatus
    refusal_reason: Optional[str]
    created_at: datetime
    updated_at: datetime
    due_date: date
    #: Set once the customer's details were erased (storage.retention); the fields above
    #: that hold them are then empty.
    erased_at: Optional[datetime] = None

    @property
    def is_final(self) -> bool:
        return self.status.is_final

    def is_overdue(self, today: date) -> bool:
        """Past its due date and still open (``today`` in Japan time)."""
        return is_overdue(self.status, self.due_date, today)


@dataclass(frozen=True)
class StatusChange:
    """One history row; ``from_status`` is None for the row written when the ticket opened."""

    ticket_number: str
    at: datetime
    actor: str
    from_status: Optional[TicketStatus]
    to_status: TicketStatus
    comment: str
    reason: Optional[str] = None


def _ticket(row: TicketRow) -> Ticket:
    return Ticket(
        number=row.number,
        request_type=RequestType(row.request_type),
        requester_kind=RequesterKind(row.requester_kind),
        agent_name=row.agent_name,
        agent_relationship=row.agent_relationship,
        name=row.name,
        name_kana=row.name_kana,
        postal_code=row.postal_code,
        address=row.address,
        phone=row.phone,
        email=row.email,
        customer_number=row.customer_number,
        details=row.details,
        delivery_method=DeliveryMethod(row.delivery_method),
        conversation_id=row.conversation_id,
        status=TicketStatus(row.status),
        refusal_reason=row.refusal_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        due_date=row.due_date,
        erased_at=row.erased_at,
    )


def _as_statuses(value: Union[TicketStatus, str, Iterable[Union[TicketStatus, str]]]) -> list[str]:
    items = [value] if isinstance(value, (TicketStatus, str)) else list(value)
    return [TicketStatus(item).value for item in items]


class TicketStore:
    """Open, look up, list and move tickets through the workflow."""

    def __init__(
        self,
        db: Database,
        due_days: Optional[int] = None,
        *,
        clock: Clock = utcnow,
        number_factory: Callable[[], str] = new_ticket_number,
    ) -> None:
        self.db = db
        self.due_days = load_settings().ticket_due_days if due_days is None else int(due_days)
        if self.due_days < 1:
            raise ValueError("due_days must be at least 1")
        self._clock = clock
        self._new_number = number_factory

    def today(self) -> date:
        """Today's date in Japan, which is what due dates are counted in."""
        return japan_date(self._clock())

    def open_ticket(
        self,
        draft: TicketDraft,
        *,
        actor: str = "customer",
        comment: str = "チャットで申請を受け付けました",
        max_per_conversation: Optional[int] = None,
    ) -> Ticket:
        """Store a new ticket and its first history row in one transaction.

        With ``max_per_conversation``, a conversation that already filed that many tickets
        gets TicketLimitReached (counted in the same transaction as the insert). Retries with a fresh number on the (very rare) unique-number collision; any other
        failure raises — StorageUnavailable when the database cannot be reached — so a
        filing is never silently lost.
        """
        clean = draft.validated()
        for _attempt in range(_NUMBER_ATTEMPTS):
            number = self._new_number()
            try:
                with self.db.transaction() as session:
                    if max_per_conversation is not None and clean.conversation_id:
                        filed = session.scalar(
                            select(func.count(TicketRow.id)).where(TicketRow.conversation_id == clean.conversation_id)
                        )
                        if filed >= max_per_conversation:
                            raise TicketLimitReached(f"conversation already filed {filed} tickets")
                    if session.execute(select(TicketRow.id).where(TicketRow.number == number)).first():
                        continue  # collision seen before inserting: cheap retry
                    row = self._insert(session, clean, number, actor, comment)
                    return _ticket(row)
            except exc.IntegrityError:
                # Another writer may have taken the same number between our check and insert;
                # any other integrity error is a bug and must not be retried away.
                if self._number_taken(number):
                    continue
                raise
        raise StorageError(f"could not find a free ticket number after {_NUMBER_ATTEMPTS} attempts")

    def _number_taken(self, number: str) -> bool:
        with self.db.transaction(readonly=True) as session:
            return session.execute(select(TicketRow.id).where(TicketRow.number == number)).first() is not None

    def _insert(self, session: Session, draft: TicketDraft, number: str, actor: str, comment: str) -> TicketRow:
        now = self._clock()
        row = TicketRow(
            number=number,
            request_type=RequestType(draft.request_type).value,
            requester_kind=RequesterKind(draft.requester_kind).value,
            agent_name=draft.agent_name,
            agent_relationship=draft.agent_relationship,
            name=draft.name,
            name_kana=draft.name_kana,
            postal_code=draft.postal_code,
            address=draft.address,
            phone=draft.phone,
            email=draft.email,
            customer_number=draft.customer_number,
            details=draft.details,
            delivery_method=DeliveryMethod(draft.delivery_method).value,
            conversation_id=draft.conversation_id,
            status=TicketStatus.PENDING_VERIFICATION.value,
            created_at=now,
            updated_at=now,
            due_date=japan_date(now) + timedelta(days=self.due_days),
        )
        session.add(row)
        session.flush()
        session.add(
            TicketHistoryRow(
                ticket_id=row.id,
                at=now,
                actor=actor,
                from_status=None,
                to_status=TicketStatus.PENDING_VERIFICATION.value,
                comment=comment,
            )
        )
        session.flush()
        return row

    def get(self, number: str) -> Optional[Ticket]:
        """Staff look-up by number (normalised); None when there is no such ticket."""
        canonical = normalize_ticket_number(number)
        if canonical is None:
            return None
        with self.db.transaction(readonly=True) as session:
            row = session.execute(select(TicketRow).where(TicketRow.number == canonical)).scalar_one_or_none()
            return _ticket(row) if row else None

    def find_for_customer(self, number: str, phone: str) -> Optional[Ticket]:
        """The ticket only if BOTH the number and the phone match; otherwise None.

        "No such number" and "wrong phone" look the same to the caller, and the phone is
        compared in constant time, so the answer reveals nothing about which part was wrong.
        """
        canonical = normalize_ticket_number(number)
        row_phone: Optional[str] = None
        ticket: Optional[Ticket] = None
        if canonical is not None:
            with self.db.transaction(readonly=True) as session:
                row = session.execute(select(TicketRow).where(TicketRow.number == canonical)).scalar_one_or_none()
                if row is not None:
                    ticket, row_phone = _ticket(row), row.phone
        expected = (row_phone or "0" * 11).encode()
        given = (normalize_phone(phone) or "").encode()
        matches = hmac.compare_digest(given, expected)
        return ticket if (ticket is not None and matches and row_phone is not None) else None

    def list(
        self,
        status: Union[TicketStatus, str, Iterable[Union[TicketStatus, str]], None] = None,
        request_type: Union[RequestType, str, None] = None,
        due_before: Optional[date] = None,
        *,
        limit: Optional[int] = None,
        offset: int = 0,
    ) -> list[Ticket]:
        """Tickets for the staff queue: overdue open ones first, then by due date.

        ``status`` may be one status or several; ``due_before`` keeps tickets whose due
        date is strictly before that day.
        """
        today = self.today()
        finals = [s.value for s in FINAL_STATUSES]
        overdue_first = case(
            ((TicketRow.due_date < today) & TicketRow.status.not_in(finals), 0), else_=1
        )
        query = select(TicketRow)
        if status is not None:
            query = query.where(TicketRow.status.in_(_as_statuses(status)))
        if request_type is not None:
            query = query.where(TicketRow.request_type == _member(RequestType.parse, request_type, "request_type").value)
        if due_before is not None:
            query = query.where(TicketRow.due_date < due_before)
        query = query.order_by(overdue_first, TicketRow.due_date, TicketRow.created_at, TicketRow.id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        with self.db.transaction(readonly=True) as session:
            return [_ticket(row) for row in session.execute(query).scalars()]

    def change_status(
        self,
        number: str,
        new_status: Union[TicketStatus, str],
        *,
        actor: str,
        comment: str,
        reason: Optional[str] = None,
    ) -> Ticket:
        """Move a ticket along the workflow, writing history and audit in the same transaction.

        Raises NotFound, InvalidTransition (not allowed from the current status), or
        InvalidTicket (no comment, no actor, or 対応不可 without a reason — 第36条 expects
        the business to explain a refusal, so the reason must exist to be told).
        """
        target = TicketStatus(new_status)
        actor = _required(actor, "actor")
        comment = _required(comment, "comment")
        reason = _optional(reason)
        if target is TicketStatus.REFUSED and reason is None:
            raise InvalidTicket("a reason is required to set 対応不可")
        canonical = normalize_ticket_number(number)
        if canonical is None:
            raise NotFound("no such ticket")
        with self.db.transaction() as session:
            row = session.execute(
                select(TicketRow).where(TicketRow.number == canonical).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise NotFound(f"no ticket {canonical}")
            current = TicketStatus(row.status)
            if target not in ALLOWED_TRANSITIONS[current]:
                raise InvalidTransition(f"{canonical}: {current.value} → {target.value} is not allowed")
            now = self._clock()
            row.status = target.value
            row.updated_at = now
            if target is TicketStatus.REFUSED:
                row.refusal_reason = reason
            session.add(
                TicketHistoryRow(
                    ticket_id=row.id,
                    at=now,
                    actor=actor,
                    from_status=current.value,
                    to_status=target.value,
                    comment=comment,
                    reason=reason,
                )
            )
            record_in(
                session,
                actor=actor,
                action="ticket.status_change",
                target=canonical,
                detail={"from": current.value, "to": target.value, "comment": comment, "reason": reason},
                at=now,
            )
            session.flush()
            return _ticket(row)

    def history(self, number: str) -> list[StatusChange]:
        """Every status change of the ticket, oldest first (the opening row included)."""
        canonical = normalize_ticket_number(number)
        if canonical is None:
            raise NotFound("no such ticket")
        with self.db.transaction(readonly=True) as session:
            ticket_id = session.execute(select(TicketRow.id).where(TicketRow.number == canonical)).scalar_one_or_none()
            if ticket_id is None:
                raise NotFound(f"no ticket {canonical}")
            rows = session.execute(
                select(TicketHistoryRow)
                .where(TicketHistoryRow.ticket_id == ticket_id)
                .order_by(TicketHistoryRow.at, TicketHistoryRow.id)
            ).scalars()
            return [
                StatusChange(
                    ticket_number=canonical,
                    at=r.at,
                    actor=r.actor,
                    from_status=TicketStatus(r.from_status) if r.from_status else None,
                    to_status=TicketStatus(r.to_status),
                    comment=r.comment,
                    reason=r.reason,
                )
                for r in rows
            ]
