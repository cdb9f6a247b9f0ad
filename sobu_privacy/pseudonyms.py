"""Stable pseudonyms for conversation ids: in logs and analytics, never the id itself.

A conversation id is a bearer credential (whoever presents it on the website's channel
could read the conversation), and it links every message of one customer. So logs and
analytics carry a keyed hash instead: the same conversation gets the same pseudonym in
every service (staff can follow one chat through the logs when the key is shared), but
nobody can compute it, or turn it back into the id, without ``PSEUDONYM_KEY``.

Each purpose derives its own pseudonym, so a log line cannot be joined with the analytics
tables by comparing values.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional

from .settings import load_settings

__all__ = ["pseudonym", "log_ref", "LOG", "ANALYTICS"]

#: Purposes: a pseudonym made for one never equals one made for another.
LOG = "log"
ANALYTICS = "analytics"


def pseudonym(value: str, *, purpose: str, key: Optional[bytes] = None, length: int = 16) -> str:
    """Hex HMAC-SHA256 of ``value`` under ``key`` (default: the settings' PSEUDONYM_KEY) for ``purpose``."""
    secret = key if key is not None else load_settings().pseudonym_key
    digest = hmac.new(secret, f"{purpose}\x00{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
    return digest.hexdigest()[:length]


def log_ref(conversation_id: Optional[str]) -> str:
    """How a log line names a conversation: ``c-`` and 12 hex digits (``c-none`` without one)."""
    if not conversation_id:
        return "c-none"
    return "c-" + pseudonym(conversation_id, purpose=LOG, length=12)
