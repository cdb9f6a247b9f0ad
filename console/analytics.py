"""Numbers for the analytics page, from the Rasa tracker store (read-only) plus storage.

The tracker store is read with its own read-only engine: analytics must never be able to
change a conversation. Customer text only leaves this module masked (masking.py), because
analysts see trends, not people.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from sobu_privacy.clock import JST
from sobu_privacy.intents import UNANSWERED_INTENTS as UNANSWERED

from .masking import mask_personal_data

UNANSWERED_INTENTS = tuple(sorted(UNANSWERED))
#: The assistant's "not understood" actions (low NLU confidence; no rule fits, e.g. a stray
#: name or number outside a form): the message before one was not answered, whatever intent.
NOT_UNDERSTOOD_ACTIONS = ("action_handle_fallback", "action_default_fallback")
TOP_QUESTIONS = 10


def readonly_engine(url: str) -> Optional[Engine]:
    """An engine that cannot write; None when a SQLite file does not exist (yet).

    SQLite is opened with ``mode=ro`` (the URI form) so even a bug here cannot write or
    create the file; other databases get a read-only transaction per query.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or not Path(path).exists():
            return None
        return create_engine(f"sqlite:///file:{Path(path).resolve()}?mode=ro&uri=true", future=True, hide_parameters=True)
    return create_engine(url, future=True, pool_pre_ping=True, hide_parameters=True)


@dataclass
class TrackerStats:
    intents: Dict[str, int]
    unanswered: List[Dict[str, Any]]
    per_day: List[Dict[str, Any]]
    pauses: int
    available: bool


def _jst_day(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    return datetime.fromtimestamp(float(ts), tz=JST).date().isoformat()


def _unanswered_messages(conn: Any, since_ts: float) -> List[Optional[str]]:
    """The `data` of each user message the assistant could not answer, each message once."""
    rows = conn.execute(
        text(
            "SELECT sender_id, type_name, intent_name, data FROM events WHERE timestamp >= :since "
            "AND (type_name = 'user' OR (type_name = 'action' AND action_name IN (:handle, :default))) "
            "ORDER BY sender_id, id"
        ),
        {"since": since_ts, "handle": NOT_UNDERSTOOD_ACTIONS[0], "default": NOT_UNDERSTOOD_ACTIONS[1]},
    ).all()
    found: List[Optional[str]] = []
    not_yet_counted: Dict[str, Optional[str]] = {}  # sender -> its last message, if not counted
    for sender_id, type_name, intent_name, data in rows:
        if type_name == "user" and intent_name in UNANSWERED_INTENTS:
            found.append(data)
            not_yet_counted.pop(sender_id, None)
        elif type_name == "user":
            not_yet_counted[sender_id] = data
        elif sender_id in not_yet_counted:  # a not-understood action after that message
            found.append(not_yet_counted.pop(sender_id))
    return found


def tracker_stats(engine: Optional[Engine], since: datetime) -> TrackerStats:
    """Intent counts, masked unanswered questions, per-day conversations/messages, pauses."""
    if engine is None:
        return TrackerStats({}, [], [], 0, available=False)
    since_ts = since.timestamp()
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("SET TRANSACTION READ ONLY"))
            intent_rows = conn.execute(
                text(
                    "SELECT intent_name, COUNT(*) FROM events WHERE type_name = 'user' "
                    "AND timestamp >= :since AND intent_name IS NOT NULL GROUP BY intent_name"
                ),
                {"since": since_ts},
            ).all()
            unanswered_rows = _unanswered_messages(conn, since_ts)
            day_rows = conn.execute(
                text(
                    "SELECT sender_id, timestamp FROM events WHERE type_name = 'user' AND timestamp >= :since"
                ),
                {"since": since_ts},
            ).all()
            pauses = conn.execute(
                text("SELECT COUNT(*) FROM events WHERE type_name = 'pause' AND timestamp >= :since"),
                {"since": since_ts},
            ).scalar_one()
    except SQLAlchemyError:
        # No events table yet (Rasa never ran) or the database is down: say so, do not fail.
        return TrackerStats({}, [], [], 0, available=False)

    intents = {str(name): int(count) for name, count in sorted(intent_rows, key=lambda r: (-r[1], r[0]))}
    questions: Counter[str] = Counter()
    for raw in unanswered_rows:
        try:
            message = json.loads(raw or "{}").get("text") or ""
        except (ValueError, AttributeError):
            continue
        masked = mask_personal_data(str(message)).strip()
        if masked:
            questions[masked[:200]] += 1
    unanswered = [{"text": q, "count": c} for q, c in questions.most_common(TOP_QUESTIONS)]

    messages: Counter[str] = Counter()
    conversations: Dict[str, set] = {}
    for sender_id, ts in day_rows:
        day = _jst_day(ts)
        if day is None:
            continue
        messages[day] += 1
        conversations.setdefault(day, set()).add(sender_id)
    per_day = [
        {"date": day, "messages": messages[day], "conversations": len(conversations[day])}
        for day in sorted(messages)
    ]
    return TrackerStats(intents, unanswered, per_day, int(pauses or 0), available=True)


def ticket_counts(tickets: Iterable[Any], today: date) -> Dict[str, Any]:
    """Tickets by request type (Japanese label) and by status, plus how many are overdue."""
    by_type: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    overdue = 0
    total = 0
    for ticket in tickets:
        total += 1
        by_type[getattr(ticket.request_type, "label", str(ticket.request_type))] += 1
        by_status[getattr(ticket.status, "value", str(ticket.status))] += 1
        if ticket.is_overdue(today):
            overdue += 1
    return {"total": total, "by_type": dict(by_type), "by_status": dict(by_status), "overdue": overdue}
