"""What every console service shares: the context, storage errors as HTTP answers, the audit log."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Iterator

from storage.errors import StorageUnavailable
from storage.handoffs import Handoff

from ..context import ConsoleContext
from ..errors import ApiError
from ..messages import t


@contextmanager
def storage_errors() -> Iterator[None]:
    """A database that cannot be reached becomes 503 with a Japanese message, here only."""
    try:
        yield
    except StorageUnavailable:
        raise ApiError(503, t("storage_unavailable")) from None


class Service:
    """Base of the feature services: each action checks, acts, and writes the audit log."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx

    async def audit(self, actor: str, action: str, target: str, detail: Dict[str, Any]) -> None:
        with storage_errors():
            await self.ctx.run(self.ctx.audit.record, actor, action, target, detail)

    async def audit_read(self, actor: str, action: str, target: str, detail: Dict[str, Any]) -> None:
        """Record a read of personal data, once per user, action and target in
        ``read_audit_minutes`` (the conversation page polls every few seconds)."""
        window = timedelta(minutes=self.ctx.settings.product.read_audit_minutes)
        since = datetime.now(timezone.utc) - window

        def record() -> None:
            if not self.ctx.audit.entries(limit=1, actor=actor, action=action, target=target, since=since):
                self.ctx.audit.record(actor, action, target, detail)

        with storage_errors():
            await self.ctx.run(record)

    async def open_handoff(self, cid: str) -> Handoff:
        """The conversation's open handoff, or 404."""
        with storage_errors():
            handoff = await self.ctx.run(self.ctx.handoffs.open_for_conversation, cid)
        if handoff is None:
            raise ApiError(404, t("conversation_not_found"))
        return handoff
