"""Staff actions, shared by the JSON API and the HTML pages, one service per feature.

Each action checks the input and the workflow (who holds the handoff), talks to storage
and Rasa, and writes the audit log, so the two front doors cannot drift apart. Storage
exceptions become ApiError with a Japanese message here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..context import ConsoleContext
from .analytics import AnalyticsService
from .base import storage_errors
from .conversations import ConversationService
from .tickets import TicketService
from .users import LoggedIn, LoginRefused, UserService

__all__ = [
    "AnalyticsService",
    "ConsoleServices",
    "ConversationService",
    "LoggedIn",
    "LoginRefused",
    "TicketService",
    "UserService",
    "storage_errors",
]


@dataclass(frozen=True)
class ConsoleServices:
    conversations: ConversationService
    tickets: TicketService
    users: UserService
    analytics: AnalyticsService

    @classmethod
    def build(cls, ctx: ConsoleContext) -> "ConsoleServices":
        return cls(
            conversations=ConversationService(ctx),
            tickets=TicketService(ctx),
            users=UserService(ctx),
            analytics=AnalyticsService(ctx),
        )
