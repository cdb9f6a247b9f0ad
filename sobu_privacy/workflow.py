"""The statuses a request ticket goes through, and which moves between them are allowed.

The company must be able to show what it did with a request and, for a refusal, why
(APPI 第36条), so the workflow is fixed here and storage enforces it on every change.
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Dict, FrozenSet, List

__all__ = ["TicketStatus", "FINAL_STATUSES", "ALLOWED_TRANSITIONS", "allowed_next", "is_overdue"]


class TicketStatus(str, Enum):
    """Workflow status; the value is the Japanese label staff and customers see."""

    PENDING_VERIFICATION = "本人確認待ち"
    ACCEPTED = "受付済"
    IN_PROGRESS = "対応中"
    ANSWERED = "回答済"
    WITHDRAWN = "取下げ"
    REFUSED = "対応不可"

    @property
    def label(self) -> str:
        return self.value

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


#: Statuses a ticket never leaves; a refusal carries its reason (第36条).
FINAL_STATUSES: FrozenSet[TicketStatus] = frozenset(
    {TicketStatus.ANSWERED, TicketStatus.WITHDRAWN, TicketStatus.REFUSED}
)
ALLOWED_TRANSITIONS: Dict[TicketStatus, FrozenSet[TicketStatus]] = {
    TicketStatus.PENDING_VERIFICATION: frozenset(
        {TicketStatus.ACCEPTED, TicketStatus.WITHDRAWN, TicketStatus.REFUSED}
    ),
    TicketStatus.ACCEPTED: frozenset({TicketStatus.IN_PROGRESS, TicketStatus.WITHDRAWN, TicketStatus.REFUSED}),
    TicketStatus.IN_PROGRESS: frozenset({TicketStatus.ANSWERED, TicketStatus.WITHDRAWN, TicketStatus.REFUSED}),
    TicketStatus.ANSWERED: frozenset(),
    TicketStatus.WITHDRAWN: frozenset(),
    TicketStatus.REFUSED: frozenset(),
}


def allowed_next(status: TicketStatus) -> List[TicketStatus]:
    """The statuses a ticket may move to, in workflow order (for buttons and the API)."""
    order = list(TicketStatus)
    return sorted(ALLOWED_TRANSITIONS[status], key=order.index)


def is_overdue(status: TicketStatus, due_date: date, today: date) -> bool:
    """Past its due date and still open. Due today is not overdue (``today`` in Japan time)."""
    return not status.is_final and due_date < today
