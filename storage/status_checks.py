"""The status check's guard: how many wrong 受付番号 + phone pairs, per number and in total.

A customer checks a request with the 受付番号 and the phone number they gave. Whoever knows a
number could otherwise try phone numbers until one matches (a 旭市 landline is a search of
10^4–10^6), so misses are counted where no conversation can reset them: per canonical
受付番号, shared by every conversation and every Rasa server, and in total per minute.

- After ``max_misses`` misses on one number within ``lock_minutes``, that number is locked for
  ``lock_minutes`` for everyone (the right pair too; the customer is told to call 総務部).
- After ``misses_per_minute`` misses from everyone within a minute, checks pause until the
  minute ends.

Each change is one transaction that reads the counter rows under a write lock (SQLite's
BEGIN IMMEDIATE, PostgreSQL's FOR UPDATE), so parallel misses are all counted.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sobu_privacy.identifiers import normalize_ticket_number

from .audit import record_in
from .db import Clock, Database, utcnow
from .models import StatusCheckCounterRow

#: The key of the counter of all misses together.
TOTAL = "*"
_MINUTE = timedelta(minutes=1)
#: Counters idle this long are deleted on the way (the table stays small).
_FORGET_AFTER = timedelta(days=1)


class Admission(enum.Enum):
    """Whether a status check may look the pair up now."""

    ALLOWED = "allowed"
    #: This 受付番号 had too many misses; checks on it pause for everyone.
    NUMBER_LOCKED = "number_locked"
    #: Too many misses from everyone this minute; every check pauses until it ends.
    BUSY = "busy"


@dataclass(frozen=True)
class StatusCheckLimits:
    max_misses: int = 3
    lock_minutes: int = 30
    misses_per_minute: int = 30

    def __post_init__(self) -> None:
        if min(self.max_misses, self.lock_minutes, self.misses_per_minute) < 1:
            raise ValueError("status-check limits must be positive")


class StatusCheckGuard:
    """Counts misses of the status check in the application database."""

    def __init__(self, db: Database, limits: StatusCheckLimits = StatusCheckLimits(), *, clock: Clock = utcnow) -> None:
        self.db = db
        self.limits = limits
        self.clock = clock

    @staticmethod
    def key_of(ticket_number: str) -> str:
        """The canonical 受付番号 (any spelling of one number counts as that number)."""
        return normalize_ticket_number(ticket_number) or (ticket_number or "").strip().upper()[:20]

    def admit(self, ticket_number: str) -> Admission:
        """May this number be looked up now? Reads only; a look-up itself is not a miss."""
        now, key = self.clock(), self.key_of(ticket_number)
        with self.db.transaction(readonly=True) as session:
            rows = {
                row.key: row
                for row in session.scalars(select(StatusCheckCounterRow).where(StatusCheckCounterRow.key.in_((key, TOTAL))))
            }
        number = rows.get(key)
        if number is not None and number.locked_until is not None and now < number.locked_until:
            return Admission.NUMBER_LOCKED
        total = rows.get(TOTAL)
        if (
            total is not None
            and now < total.window_started_at + _MINUTE
            and total.misses >= self.limits.misses_per_minute
        ):
            return Admission.BUSY
        return Admission.ALLOWED

    def record_miss(self, ticket_number: str) -> Admission:
        """Counts one wrong pair; NUMBER_LOCKED when this miss locked the number."""
        now = self.clock()
        key = self.key_of(ticket_number)
        lock_window = timedelta(minutes=self.limits.lock_minutes)
        with self.db.transaction() as session:
            number = self._counter(session, key, now)
            total = self._counter(session, TOTAL, now)
            self._count(number, now, lock_window)
            self._count(total, now, _MINUTE)
            locked = number.misses >= self.limits.max_misses
            if locked:
                number.locked_until = now + lock_window
                number.misses = 0
                number.window_started_at = now
                # Staff see the lock in the audit log: a customer who calls can be told why.
                record_in(
                    session, actor="assistant", action="status_check.locked", target=key,
                    detail={"minutes": self.limits.lock_minutes}, at=now,
                )
            session.execute(
                delete(StatusCheckCounterRow).where(
                    and_(
                        StatusCheckCounterRow.window_started_at < now - _FORGET_AFTER,
                        or_(StatusCheckCounterRow.locked_until.is_(None), StatusCheckCounterRow.locked_until < now),
                    )
                )
            )
        return Admission.NUMBER_LOCKED if locked else Admission.ALLOWED

    def record_success(self, ticket_number: str) -> None:
        """The right pair: the number's earlier misses are forgotten (its lock is not).

        A lock has ended at ``locked_until`` itself (as ``admit`` and ``locked_until`` see it),
        so a right pair at that instant forgets the misses too.
        """
        key = self.key_of(ticket_number)
        with self.db.transaction() as session:
            session.execute(
                delete(StatusCheckCounterRow).where(
                    StatusCheckCounterRow.key == key,
                    or_(StatusCheckCounterRow.locked_until.is_(None), StatusCheckCounterRow.locked_until <= self.clock()),
                )
            )

    def locked_until(self, ticket_number: str) -> Optional[datetime]:
        """When the number's lock ends (None when it is not locked); for staff and tests."""
        with self.db.transaction(readonly=True) as session:
            row = session.get(StatusCheckCounterRow, self.key_of(ticket_number))
        if row is None or row.locked_until is None or row.locked_until <= self.clock():
            return None
        return row.locked_until

    # --- helpers ---------------------------------------------------------------------------

    def _counter(self, session: Session, key: str, now: datetime) -> StatusCheckCounterRow:
        """The counter row, created if missing, locked for this transaction."""
        insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
        session.execute(
            insert(StatusCheckCounterRow)
            .values(key=key, window_started_at=now, misses=0, locked_until=None)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        return session.scalars(
            select(StatusCheckCounterRow).where(StatusCheckCounterRow.key == key).with_for_update()
        ).one()

    @staticmethod
    def _count(row: StatusCheckCounterRow, now: datetime, window: timedelta) -> None:
        if now >= row.window_started_at + window:
            row.window_started_at = now
            row.misses = 0
        row.misses += 1
