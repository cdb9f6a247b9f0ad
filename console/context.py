"""Everything a request handler needs, built once per app.

Storage is synchronous SQLAlchemy; handlers call it through ``run`` (a worker thread) so a
SQLite busy wait never blocks the event loop that also serves the widget page and polls.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar

from storage.audit import AuditLog
from storage.db import Database
from storage.erasure import Erasure, erasure_for
from storage.handoffs import HandoffQueue
from storage.staff import StaffDirectory
from storage.tickets import TicketStore

from .config import Settings
from .rasa_client import RasaClient

T = TypeVar("T")


@dataclass
class ConsoleContext:
    settings: Settings
    db: Database
    tickets: TicketStore
    handoffs: HandoffQueue
    staff: StaffDirectory
    audit: AuditLog
    rasa: RasaClient
    erasure: Erasure

    @classmethod
    def build(cls, settings: Settings, db: Database, rasa: Optional[RasaClient] = None) -> "ConsoleContext":
        return cls(
            settings=settings,
            db=db,
            tickets=TicketStore(db, due_days=settings.product.ticket_due_days),
            handoffs=HandoffQueue(db),
            staff=StaffDirectory(db, session_minutes=settings.product.staff_session_minutes),
            audit=AuditLog(db),
            rasa=rasa or RasaClient(settings.rasa_url, settings.bot_token),
            erasure=erasure_for(db, settings.tracker_db_url),
        )

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(fn, *args, **kwargs)
