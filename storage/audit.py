"""Audit log of staff actions on tickets and conversations.

Staff see personal data and change what the company owes a customer; the log answers
"who did what, when" afterwards. It is append-only through this API.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import Clock, Database, utcnow
from .models import AuditRow


#: The client address of the request being served (the console sets it per request); every
#: entry written while it is set carries it as ``detail["address"]``. A context variable,
#: so it follows the request into the worker thread that writes the entry.
CLIENT_ADDRESS: ContextVar[Optional[str]] = ContextVar("audit_client_address", default=None)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(id=row.id, at=row.at, actor=row.actor, action=row.action, target=row.target, detail=dict(row.detail))


def record_in(
    session: Session, *, actor: str, action: str, target: str, detail: Optional[Mapping[str, Any]], at: datetime
) -> AuditRow:
    """Add an entry inside a caller's transaction, so the action and its record commit together."""
    if not actor or not action:
        raise ValueError("audit entries need an actor and an action")
    detail = dict(detail or {})
    address = CLIENT_ADDRESS.get()
    if address and "address" not in detail:
        detail["address"] = address
    row = AuditRow(at=at, actor=actor, action=action, target=str(target or ""), detail=detail)
    session.add(row)
    return row


class AuditLog:
    """Append and read audit entries. Detail must be JSON-serialisable."""

    def __init__(self, db: Database, *, clock: Clock = utcnow) -> None:
        self.db = db
        self._clock = clock

    def record(
        self, actor: str, action: str, target: str, detail: Optional[Mapping[str, Any]] = None
    ) -> AuditEntry:
        """Write one entry, e.g. ``record("tanaka", "handoff.claim", "conv-123", {"handoff_id": 7})``."""
        with self.db.transaction() as session:
            row = record_in(session, actor=actor, action=action, target=target, detail=detail, at=self._clock())
            session.flush()
            return _entry(row)

    def entries(
        self,
        limit: int = 100,
        *,
        actor: Optional[str] = None,
        action: Optional[str] = None,
        target: Optional[str] = None,
        since: Optional[datetime] = None,
        before_id: Optional[int] = None,
        address: Optional[str] = None,
    ) -> list[AuditEntry]:
        """Newest first. ``before_id`` pages further back (pass the last id seen); ``address``
        keeps the entries written for that client address (``detail["address"]``)."""
        query = select(AuditRow)
        if address is not None:
            # Filtered in SQL, before the limit: a flood from other addresses cannot push this
            # address's entries out of a limited read (the login throttle counts them).
            query = query.where(AuditRow.detail["address"].as_string() == address)
        if actor is not None:
            query = query.where(AuditRow.actor == actor)
        if action is not None:
            query = query.where(AuditRow.action == action)
        if target is not None:
            query = query.where(AuditRow.target == target)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if before_id is not None:
            query = query.where(AuditRow.id < before_id)
        query = query.order_by(AuditRow.id.desc()).limit(max(1, int(limit)))
        with self.db.transaction(readonly=True) as session:
            return [_entry(row) for row in session.execute(query).scalars()]
