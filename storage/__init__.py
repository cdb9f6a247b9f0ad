"""Storage for request tickets, staff handoffs, staff accounts and the audit log.

Used by the action server (open and look up tickets, queue handoffs) and the staff console
(everything else). Stores return frozen dataclasses, never ORM rows, so callers cannot
accidentally hold a session open or write behind the store's back.

    db = Database.from_env()        # DATABASE_URL or sqlite:///<repo>/var/app.db; migrates to head
    tickets = TicketStore(db)       # due days from TICKET_DUE_DAYS (default 14)
"""
from .audit import AuditEntry, AuditLog
from .db import Database
from .errors import (
    AlreadyClaimed,
    HandoffClosed,
    InvalidTicket,
    InvalidTransition,
    NotFound,
    StorageError,
    StorageUnavailable,
    LastActiveAdmin,
    UserExists,
)
from .handoffs import Handoff, HandoffNote, HandoffQueue
from .staff import Role, StaffDirectory, StaffSession, StaffUser
from .tickets import (
    ALLOWED_TRANSITIONS,
    DeliveryMethod,
    RequesterKind,
    RequestType,
    StatusChange,
    Ticket,
    TicketDraft,
    TicketStatus,
    TicketStore,
    normalize_phone,
    normalize_ticket_number,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AlreadyClaimed",
    "AuditEntry",
    "AuditLog",
    "Database",
    "DeliveryMethod",
    "Handoff",
    "HandoffClosed",
    "HandoffNote",
    "HandoffQueue",
    "InvalidTicket",
    "InvalidTransition",
    "NotFound",
    "RequestType",
    "RequesterKind",
    "Role",
    "StaffDirectory",
    "StaffSession",
    "StaffUser",
    "StatusChange",
    "StorageError",
    "StorageUnavailable",
    "Ticket",
    "TicketDraft",
    "TicketStatus",
    "TicketStore",
    "LastActiveAdmin",
    "UserExists",
    "normalize_phone",
    "normalize_ticket_number",
]
