"""Turns a Rasa tracker (GET /conversations/{id}/tracker) into what staff read.

The tracker store is the single record of a conversation (design notes), so the console
never keeps its own copy: it reads the events and keeps user and bot messages, staff
replies (marked), and the events that matter to a human taking over - pause/resume,
form start/end, slots filled, ticket numbers.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Optional

from .messages import t
from .rasa_client import STAFF_METADATA_KEY, is_staff_event, staff_reply_text

#: Slots Rasa or the forms use for bookkeeping; staff do not need to see them.
HIDDEN_SLOTS = frozenset({"requested_slot", "session_started_metadata", "handoff_summary", "fallback_count", "request_offered"})
#: Slots that carry a ticket number (whatever the bot's domain calls it).
TICKET_SLOTS = frozenset({"ticket_number", "last_ticket_number", "receipt_number"})

Item = Dict[str, Any]


def _iso(ts: Optional[float]) -> Optional[str]:
    if ts is None:
        return None
    try:
        return datetime.fromtimestamp(float(ts), tz=timezone.utc).isoformat()
    except (TypeError, ValueError, OverflowError):
        return None


def _button_titles(data: Dict[str, Any]) -> List[str]:
    buttons = data.get("buttons") or data.get("quick_replies") or []
    return [str(b.get("title", "")) for b in buttons if isinstance(b, dict)]


def _slot_value(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def build_transcript(events: Iterable[Dict[str, Any]]) -> List[Item]:
    """Ordered display items; every value is plain text (templates and JS escape it)."""
    items: List[Item] = []
    for event in events:
        kind = event.get("event")
        at = _iso(event.get("timestamp"))
        if kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            items.append({"kind": "user", "text": event.get("text") or "", "intent": intent, "at": at})
        elif kind == "bot":
            if is_staff_event(event):
                items.append(
                    {
                        "kind": "staff",
                        "text": staff_reply_text(event) or event.get("text") or "",
                        "staff": str((event.get("metadata") or {}).get(STAFF_METADATA_KEY)),
                        "at": at,
                    }
                )
                continue
            data = event.get("data") or {}
            text = event.get("text") or ""
            if not text and not _button_titles(data):
                continue  # custom payloads without text: nothing a human can read
            items.append({"kind": "bot", "text": text, "buttons": _button_titles(data), "at": at})
        elif kind == "pause":
            items.append({"kind": "event", "text": t("ev_pause"), "at": at})
        elif kind == "resume":
            items.append({"kind": "event", "text": t("ev_resume"), "at": at})
        elif kind == "active_loop":
            name = event.get("name")
            text = t("ev_form_start", name=name) if name else t("ev_form_end")
            items.append({"kind": "event", "text": text, "at": at})
        elif kind == "slot":
            name = str(event.get("name") or "")
            value = event.get("value")
            if name in HIDDEN_SLOTS or value in (None, "", []):
                continue
            if name in TICKET_SLOTS:
                items.append({"kind": "event", "text": t("ev_ticket", value=_slot_value(value)), "at": at})
            else:
                items.append({"kind": "slot", "text": t("ev_slot", name=name, value=_slot_value(value)), "at": at})
        elif kind == "restart":
            items.append({"kind": "event", "text": t("ev_restart"), "at": at})
    return items


def is_paused(events: Iterable[Dict[str, Any]]) -> bool:
    """True when the last pause/resume/restart event is a pause."""
    paused = False
    for event in events:
        kind = event.get("event")
        if kind == "pause":
            paused = True
        elif kind in ("resume", "restart"):
            paused = False
    return paused
