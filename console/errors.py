"""The one exception handlers raise to answer with an error the user can read."""
from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An expected failure: HTTP status plus a Japanese message (from messages.py)."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def body(self) -> dict:
        return {"error": self.message, **self.extra}
