"""The JSON shapes of the console's API (console/API.md), built from storage's dataclasses.

One function per kind of object, shared by the API handlers and the pages, so a page and
the API never show the same thing two ways.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Dict, Optional

from sobu_privacy.handoff import HandoffSummary
from sobu_privacy.identifiers import format_phone
from sobu_privacy.workflow import allowed_next
from storage.handoffs import Handoff, HandoffNote
from storage.staff import StaffUser
from storage.tickets import StatusChange, Ticket


def iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def summary_json(summary: HandoffSummary) -> Dict[str, Any]:
    """The summary as the bot wrote it (``HandoffSummary.to_json``) plus what staff read."""
    data = summary.to_json()
    data["reason_label"] = summary.reason.label if summary.reason else None
    if summary.callback is not None:
        data["callback"]["phone_display"] = format_phone(summary.callback.phone)
    return data


def handoff_json(h: Handoff, now: Optional[datetime] = None) -> Dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    return {
        "id": h.id,
        "conversation_id": h.conversation_id,
        "kind": h.kind.value,
        "kind_label": h.kind.label,
        "status": h.status,
        "summary": summary_json(h.summary),
        "question": h.summary.first_question,
        "reason": h.summary.reason.value if h.summary.reason else None,
        "created_at": iso(h.created_at),
        "waiting_seconds": int(h.waiting_seconds(now)),
        "claimed_by": h.claimed_by,
        "claimed_at": iso(h.claimed_at),
        "closed_at": iso(h.closed_at),
        "ticket_number": h.ticket_number,
    }


def note_json(n: HandoffNote) -> Dict[str, Any]:
    return {"id": n.id, "author": n.author, "text": n.text, "created_at": iso(n.created_at)}


def ticket_json(ticket: Ticket, today: date) -> Dict[str, Any]:
    return {
        "number": ticket.number,
        "request_type": ticket.request_type.value,
        "request_type_label": ticket.request_type.label,
        "requester_kind": ticket.requester_kind.value,
        "agent_name": ticket.agent_name,
        "agent_relationship": ticket.agent_relationship,
        "name": ticket.name,
        "name_kana": ticket.name_kana,
        "postal_code": ticket.postal_code,
        "address": ticket.address,
        "phone": ticket.phone,
        "email": ticket.email,
        "customer_number": ticket.customer_number,
        "details": ticket.details,
        "delivery_method": ticket.delivery_method.value,
        "delivery_method_label": ticket.delivery_method.label,
        "conversation_id": ticket.conversation_id,
        "status": ticket.status.value,
        "refusal_reason": ticket.refusal_reason,
        "created_at": iso(ticket.created_at),
        "updated_at": iso(ticket.updated_at),
        "due_date": ticket.due_date.isoformat(),
        "overdue": ticket.is_overdue(today),
        "allowed_next": [s.value for s in allowed_next(ticket.status)],
        "erased_at": iso(ticket.erased_at) if ticket.erased_at else None,
    }


def history_json(change: StatusChange) -> Dict[str, Any]:
    return {
        "at": iso(change.at),
        "actor": change.actor,
        "from_status": change.from_status.value if change.from_status else None,
        "to_status": change.to_status.value,
        "comment": change.comment,
        "reason": change.reason,
    }


def user_json(u: StaffUser) -> Dict[str, Any]:
    return {"username": u.username, "role": u.role.value, "active": u.active, "created_at": iso(u.created_at)}
