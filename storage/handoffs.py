"""Queue of conversations waiting for a person (live chat or a call-back).

Rasa pauses the conversation; this queue is what the staff console shows and what makes
sure only one staff member takes each customer. Claims are a single conditional UPDATE so
two staff clicking at once cannot both win, on SQLite or PostgreSQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional, Union

from sqlalchemy import exc, func, select, update
from sqlalchemy.orm import Session

from sobu_privacy.handoff import HandoffKind, HandoffSummary
from sobu_privacy.identifiers import normalize_ticket_number

from .db import Clock, Database, utcnow
from .errors import AlreadyClaimed, HandoffClosed, HandoffQueueFull, NotFound
from .models import HandoffNoteRow, HandoffRow, TicketRow


@dataclass(frozen=True)
class Handoff:
    id: int
    conversation_id: str
    kind: HandoffKind
    summary: HandoffSummary = field(repr=False)  # may hold what the customer typed
    created_at: datetime
    claimed_by: Optional[str]
    claimed_at: Optional[datetime]
    closed_by: Optional[str]
    closed_at: Optional[datetime]
    ticket_number: Optional[str]

    @property
    def status(self) -> str:
        """"waiting", "claimed" or "closed"."""
        if self.closed_at is not None:
            return "closed"
        return "claimed" if self.claimed_by else "waiting"

    def waiting_seconds(self, now: datetime) -> float:
        """How long the customer has waited (until claimed, or until ``now``)."""
        end = self.claimed_at or self.closed_at or now
        return max(0.0, (end - self.created_at).total_seconds())


@dataclass(frozen=True)
class HandoffNote:
    """Internal note by staff; never shown to the customer."""

    id: int
    handoff_id: int
    author: str
    text: str = field(repr=False)
    created_at: datetime


def _handoff(row: HandoffRow) -> Handoff:
    return Handoff(
        id=row.id,
        conversation_id=row.conversation_id,
        kind=HandoffKind(row.kind),
        summary=HandoffSummary.from_json(row.summary),
        created_at=row.created_at,
        claimed_by=row.claimed_by,
        claimed_at=row.claimed_at,
        closed_by=row.closed_by,
        closed_at=row.closed_at,
        ticket_number=row.ticket_number,
    )


def _open_row(session: Session, conversation_id: str) -> Optional[HandoffRow]:
    return session.execute(
        select(HandoffRow).where(HandoffRow.conversation_id == conversation_id, HandoffRow.closed_at.is_(None))
    ).scalar_one_or_none()


class HandoffQueue:
    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self._clock = clock

    def enqueue(
        self,
        conversation_id: str,
        summary: HandoffSummary,
        kind: Union[HandoffKind, str] = HandoffKind.LIVE,
        *,
        max_waiting: Optional[int] = None,
    ) -> Handoff:
        """Queue a conversation for staff; returns the already-open handoff if there is one.

        With ``max_waiting``, HandoffQueueFull when that many handoffs already wait unclaimed
        (counted in the same transaction as the insert).

        A partial unique index (one open handoff per conversation) settles simultaneous
        requests: the loser of the race gets the winner's handoff back.
        """
        kind = HandoffKind(kind)
        if not isinstance(summary, HandoffSummary):
            raise TypeError("summary must be a sobu_privacy.handoff.HandoffSummary")
        if not conversation_id:
            raise ValueError("conversation_id is required")
        for _attempt in range(3):
            try:
                with self.db.transaction() as session:
                    existing = _open_row(session, conversation_id)
                    if existing is not None:
                        return _handoff(existing)
                    if max_waiting is not None:
                        waiting = session.scalar(
                            select(func.count(HandoffRow.id)).where(
                                HandoffRow.claimed_by.is_(None), HandoffRow.closed_at.is_(None)
                            )
                        )
                        if waiting >= max_waiting:
                            raise HandoffQueueFull(f"{waiting} handoffs are waiting")
                    row = HandoffRow(
                        conversation_id=conversation_id, kind=kind.value, summary=summary.to_json(),
                        created_at=self._clock(),
                    )
                    session.add(row)
                    session.flush()
                    return _handoff(row)
            except exc.IntegrityError:
                continue  # someone else enqueued the same conversation just now; read theirs
        raise RuntimeError("could not enqueue the handoff")  # pragma: no cover

    def waiting(self) -> list[Handoff]:
        """Unclaimed open handoffs, oldest first (the longest-waiting customer on top)."""
        query = (
            select(HandoffRow)
            .where(HandoffRow.claimed_by.is_(None), HandoffRow.closed_at.is_(None))
            .order_by(HandoffRow.created_at, HandoffRow.id)
        )
        with self.db.transaction(readonly=True) as session:
            return [_handoff(r) for r in session.execute(query).scalars()]

    def open_handoffs(self) -> list[Handoff]:
        """All handoffs not yet handed back (waiting and claimed), oldest first."""
        query = select(HandoffRow).where(HandoffRow.closed_at.is_(None)).order_by(HandoffRow.created_at, HandoffRow.id)
        with self.db.transaction(readonly=True) as session:
            return [_handoff(r) for r in session.execute(query).scalars()]

    def get(self, handoff_id: int) -> Optional[Handoff]:
        with self.db.transaction(readonly=True) as session:
            row = session.get(HandoffRow, handoff_id)
            return _handoff(row) if row else None

    def open_for_conversation(self, conversation_id: str) -> Optional[Handoff]:
        with self.db.transaction(readonly=True) as session:
            row = _open_row(session, conversation_id)
            return _handoff(row) if row else None

    def claim(self, handoff_id: int, staff_username: str) -> Handoff:
        """Take the handoff. Atomic: ``UPDATE … WHERE claimed_by IS NULL``.

        Claiming one's own handoff again is a no-op; AlreadyClaimed if someone else has
        it, HandoffClosed if it was handed back, NotFound if there is no such handoff.
        """
        if not staff_username:
            raise ValueError("staff_username is required")
        with self.db.transaction() as session:
            result = session.execute(
                update(HandoffRow)
                .where(
                    HandoffRow.id == handoff_id,
                    HandoffRow.claimed_by.is_(None),
                    HandoffRow.closed_at.is_(None),
                )
                .values(claimed_by=staff_username, claimed_at=self._clock())
                .execution_options(synchronize_session=False)
            )
            row = session.get(HandoffRow, handoff_id, populate_existing=True)
            if row is None:
                raise NotFound(f"no handoff {handoff_id}")
            if result.rowcount == 1 or (row.claimed_by == staff_username and row.closed_at is None):
                return _handoff(row)
            if row.closed_at is not None:
                raise HandoffClosed(f"handoff {handoff_id} was already closed")
            raise AlreadyClaimed(f"handoff {handoff_id} is already taken by {row.claimed_by}")

    def release_claims_of(self, staff_username: str) -> list[Handoff]:
        """Put the open handoffs a staff member holds back in the queue (their account was disabled).

        The customers are still waiting in a paused chat; another staff member can now claim
        them. Their waiting time counts from the start again (from ``created_at``).
        """
        with self.db.transaction() as session:
            rows = session.execute(
                select(HandoffRow)
                .where(HandoffRow.claimed_by == staff_username, HandoffRow.closed_at.is_(None))
                .order_by(HandoffRow.created_at, HandoffRow.id)
                .with_for_update()
            ).scalars().all()
            for row in rows:
                row.claimed_by = None
                row.claimed_at = None
            session.flush()
            return [_handoff(row) for row in rows]

    def close(self, handoff_id: int, staff_username: str, *, force: bool = False) -> Handoff:
        """Hand the conversation back to the assistant.

        Only the staff member who claimed it (or anyone, if it was never claimed) may close
        it, unless ``force`` (an admin clearing the queue). Closing twice is a no-op.
        """
        if not staff_username:
            raise ValueError("staff_username is required")
        with self.db.transaction() as session:
            row = session.execute(
                select(HandoffRow).where(HandoffRow.id == handoff_id).with_for_update()
            ).scalar_one_or_none()
            if row is None:
                raise NotFound(f"no handoff {handoff_id}")
            if row.closed_at is not None:
                return _handoff(row)
            if row.claimed_by not in (None, staff_username) and not force:
                raise AlreadyClaimed(f"handoff {handoff_id} is held by {row.claimed_by}")
            row.closed_by = staff_username
            row.closed_at = self._clock()
            session.flush()
            return _handoff(row)

    def link_ticket(self, handoff_id: int, ticket_number: str) -> Handoff:
        """Remember the ticket staff opened or found during this handoff."""
        canonical = normalize_ticket_number(ticket_number)
        with self.db.transaction() as session:
            row = session.get(HandoffRow, handoff_id)
            if row is None:
                raise NotFound(f"no handoff {handoff_id}")
            exists = canonical and session.execute(select(TicketRow.id).where(TicketRow.number == canonical)).first()
            if not exists:
                raise NotFound("no such ticket")
            row.ticket_number = canonical
            session.flush()
            return _handoff(row)

    def add_note(self, handoff_id: int, author: str, text: str) -> HandoffNote:
        """Internal note for colleagues; stored apart from the transcript the customer sees."""
        if not author or not (text or "").strip():
            raise ValueError("a note needs an author and text")
        with self.db.transaction() as session:
            if session.get(HandoffRow, handoff_id) is None:
                raise NotFound(f"no handoff {handoff_id}")
            row = HandoffNoteRow(handoff_id=handoff_id, author=author, text=text.strip(), created_at=self._clock())
            session.add(row)
            session.flush()
            return HandoffNote(row.id, row.handoff_id, row.author, row.text, row.created_at)

    def notes(self, handoff_id: int) -> list[HandoffNote]:
        """Notes oldest first."""
        query = (
            select(HandoffNoteRow)
            .where(HandoffNoteRow.handoff_id == handoff_id)
            .order_by(HandoffNoteRow.created_at, HandoffNoteRow.id)
        )
        with self.db.transaction(readonly=True) as session:
            return [HandoffNote(r.id, r.handoff_id, r.author, r.text, r.created_at) for r in session.execute(query).scalars()]
