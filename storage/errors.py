"""Exceptions raised by the storage package.

They are separate from SQLAlchemy's so callers (action server, console) never need to import
SQLAlchemy to react to a storage problem.
"""
from __future__ import annotations


class StorageError(Exception):
    """Base class of every error the storage package raises on purpose."""


class StorageUnavailable(StorageError):
    """The database cannot be reached or stayed locked past the busy timeout.

    Raised instead of dropping a write: the caller should tell the customer the request could
    not be saved right now and keep the details so it can be retried.
    """


class NotFound(StorageError, LookupError):
    """The ticket, handoff or user named does not exist."""


class InvalidTicket(StorageError, ValueError):
    """A ticket draft or status change lacks something the workflow requires."""


class InvalidTransition(StorageError):
    """The requested status change is not allowed from the ticket's current status."""


class AlreadyClaimed(StorageError):
    """Another staff member has already taken this handoff."""


class HandoffClosed(StorageError):
    """The handoff was already handed back and cannot be claimed or changed."""


class LastActiveAdmin(StorageError):
    """Disabling this account would leave the console without an active admin.

    Nobody could then manage users any more (the initial admin is only created on an empty
    user table), so the storage refuses it, inside the same transaction as the change.
    """


class UserExists(StorageError, ValueError):
    """A staff user with that name already exists."""


class NoInitialAdminPassword(StorageError, ValueError):
    """No staff users exist and no password was given for the first admin.

    There is no built-in password, so a fresh deployment refuses to start instead of coming
    up with a guessable admin account.
    """


class TicketLimitReached(StorageError):
    """This conversation has already filed as many requests as one conversation may.

    A bound on what one client can create; the customer is asked to call 総務部 for more.
    """


class HandoffQueueFull(StorageError):
    """As many customers are already waiting for a person as the queue takes.

    A bound on what scripted conversations can queue; the customer is asked to call.
    """
