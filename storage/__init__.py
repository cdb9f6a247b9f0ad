"""Storage for request tickets, staff handoffs, staff accounts and the audit log.

Used by the action server (open and look up tickets, queue handoffs) and the staff console
(everything else). Stores return frozen dataclasses, never ORM rows, so callers cannot
accidentally hold a session open or write behind the store's back.

    db = Database.from_env()        # DATABASE_URL or sqlite:///<repo>/var/app.db; migrates to head
    tickets = TicketStore(db)       # due days from the product settings (TICKET_DUE_DAYS, default 14)

The words stored here (request types, statuses, roles, handoff summaries) are the
product's vocabulary and are imported from ``sobu_privacy``, not from storage.
"""
from .audit import AuditEntry, AuditLog
from .db import Database
from .errors import (
    AlreadyClaimed,
    HandoffClosed,
    HandoffQueueFull,
    InvalidTicket,
    InvalidTransition,
    NotFound,
    StorageError,
    StorageUnavailable,
    TicketLimitReached,
    LastActiveAdmin,
    NoInitialAdminPassword,
    UserExists,
)
from .handoffs import Handoff, HandoffNote, HandoffQueue
from .status_checks import Admission, StatusCheckGuard, StatusCheckLimits
from .staff import StaffDirectory, StaffSession, StaffUser
from .tickets import StatusChange, Ticket, TicketDraft, TicketStore

__all__ = [
    "AlreadyClaimed",
    "AuditEntry",
    "AuditLog",
    "Database",
    "Handoff",
    "HandoffClosed",
    "HandoffQueueFull",
    "HandoffNote",
    "HandoffQueue",
    "InvalidTicket",
    "InvalidTransition",
    "NotFound",
    "Admission",
    "StaffDirectory",
    "StatusCheckGuard",
    "StatusCheckLimits",
    "StaffSession",
    "StaffUser",
    "StatusChange",
    "StorageError",
    "StorageUnavailable",
    "Ticket",
    "TicketDraft",
    "TicketLimitReached",
    "TicketStore",
    "LastActiveAdmin",
    "NoInitialAdminPassword",
    "UserExists",
]
