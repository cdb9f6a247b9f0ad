"""What a conversation id and a customer message may be, for every part that receives them.

The website's socket.io channel, the REST channel and the staff console all check these
rules, so every conversation that reaches a handoff has an id staff can claim and hand back,
and no message is too big for the NLU to answer quickly.
"""
from __future__ import annotations

import hashlib
import hmac
import re

__all__ = ["CONVERSATION_ID_RE", "is_conversation_id", "session_secret", "secret_matches"]

#: Rasa's sender id: the widget's ids (uuid hex), integrations' ids, the console's URLs.
CONVERSATION_ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")


def is_conversation_id(value: object) -> bool:
    """True for a string the channels accept as a conversation id."""
    return isinstance(value, str) and CONVERSATION_ID_RE.match(value) is not None


def session_secret(key: bytes, conversation_id: str) -> str:
    """The secret that lets a browser continue its own conversation.

    A keyed hash of the id, not a stored random value: every Rasa server computes the same
    secret from the shared key, before and after a restart, with nothing to store or expire.
    """
    digest = hmac.new(key, b"website-session:" + conversation_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:40]


def secret_matches(key: bytes, conversation_id: str, presented: object) -> bool:
    """Constant-time check of a presented secret."""
    if not isinstance(presented, str):
        return False
    return hmac.compare_digest(presented.encode("utf-8", "replace"), session_secret(key, conversation_id).encode())
