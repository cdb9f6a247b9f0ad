"""Staff actions, shared by the JSON API and the HTML forms.

Each action checks the workflow (who holds the handoff), talks to storage and Rasa, and
writes the audit log, so the two front doors cannot drift apart. Storage exceptions become
ApiError with a Japanese message here and nowhere else.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Any, Dict, Iterator, List, Optional

from storage.errors import (
    AlreadyClaimed,
    HandoffClosed,
    InvalidTicket,
    InvalidTransition,
    LastActiveAdmin,
    NotFound,
    StorageUnavailable,
    UserExists,
)
from storage.handoffs import Handoff, HandoffNote
from storage.staff import MIN_PASSWORD_LENGTH, StaffSession, StaffUser
from storage.tickets import JST, DeliveryMethod, RequesterKind, RequestType, Ticket, TicketDraft, TicketStatus, normalize_ticket_number

from . import analytics
from .context import ConsoleContext
from .errors import ApiError
from .messages import t
from .rasa_client import RasaNotFound, RasaUnavailable
from .transcript import build_transcript, is_paused
from .validation import (
    COMMENT_MAX,
    NOTE_MAX,
    REPLY_MAX,
    bool_field,
    choice_field,
    conversation_id as check_conversation_id,
    ensure_json_dumpable,
    existing_username,
    password_field,
    text_field,
    username as check_username,
)

logger = logging.getLogger(__name__)

STATUS_VALUES = [s.value for s in TicketStatus]
REQUEST_TYPE_VALUES = [r.value for r in RequestType]
ROLE_VALUES = ["staff", "analyst", "admin"]


@contextmanager
def storage_errors() -> Iterator[None]:
    """Map storage's exceptions to HTTP answers in one place."""
    try:
        yield
    except StorageUnavailable:
        raise ApiError(503, t("storage_unavailable")) from None


def _iso(value: Optional[datetime]) -> Optional[str]:
    return value.isoformat() if value else None


def handoff_json(h: Handoff, now: Optional[datetime] = None) -> Dict[str, Any]:
    now = now or datetime.now(timezone.utc)
    return {
        "id": h.id,
        "conversation_id": h.conversation_id,
        "kind": h.kind,
        "status": h.status,
        "summary": ensure_json_dumpable(h.summary),
        "question": summary_question(h.summary),
        "created_at": _iso(h.created_at),
        "waiting_seconds": int(h.waiting_seconds(now)),
        "claimed_by": h.claimed_by,
        "claimed_at": _iso(h.claimed_at),
        "closed_at": _iso(h.closed_at),
        "ticket_number": h.ticket_number,
    }


def summary_question(summary: Dict[str, Any]) -> str:
    """The customer's question for the queue: ``question``, else the first of ``questions``."""
    if not isinstance(summary, dict):
        return ""
    question = summary.get("question")
    if isinstance(question, str):
        return question
    questions = summary.get("questions")
    if isinstance(questions, list) and questions:
        return str(questions[0])
    return ""


def note_json(n: HandoffNote) -> Dict[str, Any]:
    return {"id": n.id, "author": n.author, "text": n.text, "created_at": _iso(n.created_at)}


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
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "due_date": ticket.due_date.isoformat(),
        "overdue": ticket.is_overdue(today),
        "allowed_next": [s.value for s in _allowed_next(ticket.status)],
    }


def user_json(u: StaffUser) -> Dict[str, Any]:
    return {"username": u.username, "role": u.role.value, "active": u.active, "created_at": _iso(u.created_at)}


def _allowed_next(status: TicketStatus) -> List[TicketStatus]:
    from storage.tickets import ALLOWED_TRANSITIONS

    return sorted(ALLOWED_TRANSITIONS[status], key=lambda s: STATUS_VALUES.index(s.value))


class ConsoleService:
    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx

    # --- helpers ----------------------------------------------------------------------

    async def audit(self, actor: str, action: str, target: str, detail: Dict[str, Any]) -> None:
        with storage_errors():
            await self.ctx.run(self.ctx.audit.record, actor, action, target, detail)

    async def _open_handoff(self, cid: str) -> Handoff:
        with storage_errors():
            handoff = await self.ctx.run(self.ctx.handoffs.open_for_conversation, cid)
        if handoff is None:
            raise ApiError(404, t("conversation_not_found"))
        return handoff

    @staticmethod
    def _require_holder(handoff: Handoff, session: StaffSession) -> None:
        """Only the staff member who claimed the conversation speaks for the company in it."""
        if handoff.claimed_by != session.user.username:
            raise ApiError(409, t("not_claimed_by_you"))

    # --- conversations ----------------------------------------------------------------

    async def list_conversations(self) -> Dict[str, Any]:
        with storage_errors():
            open_ = await self.ctx.run(self.ctx.handoffs.open_handoffs)
        now = datetime.now(timezone.utc)
        return {
            "waiting": [handoff_json(h, now) for h in open_ if h.status == "waiting"],
            "claimed": [handoff_json(h, now) for h in open_ if h.status == "claimed"],
        }

    async def conversation(self, cid: str, *, with_transcript: bool = True) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        with storage_errors():
            handoff = await self.ctx.run(self.ctx.handoffs.open_for_conversation, cid)
            notes = await self.ctx.run(self.ctx.handoffs.notes, handoff.id) if handoff else []
        result: Dict[str, Any] = {
            "conversation_id": cid,
            "handoff": handoff_json(handoff) if handoff else None,
            "summary": ensure_json_dumpable(handoff.summary) if handoff else None,
            "notes": [note_json(n) for n in notes],
            "transcript": [],
            "paused": None,
            "transcript_error": None,
        }
        if with_transcript:
            try:
                tracker = await self.ctx.rasa.tracker(cid)
                events = tracker.get("events") or []
                result["transcript"] = build_transcript(events)
                result["paused"] = is_paused(events)
            except RasaNotFound:
                result["transcript_error"] = t("not_found")
            except RasaUnavailable:
                result["transcript_error"] = t("rasa_unavailable")
        return result

    async def claim(self, session: StaffSession, cid: str) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        handoff = await self._open_handoff(cid)
        user = session.user.username
        try:
            with storage_errors():
                claimed = await self.ctx.run(self.ctx.handoffs.claim, handoff.id, user)
        except AlreadyClaimed:
            current = await self.ctx.run(self.ctx.handoffs.get, handoff.id)
            holder = current.claimed_by if current else None
            raise ApiError(409, t("already_claimed", user=holder) if holder else t("already_claimed_anon")) from None
        except HandoffClosed:
            raise ApiError(409, t("handoff_closed")) from None
        await self.audit(user, "handoff.claim", cid, {"handoff_id": handoff.id})
        return handoff_json(claimed)

    async def reply(self, session: StaffSession, cid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        text = text_field(body, "text", "返信", max_len=REPLY_MAX)
        handoff = await self._open_handoff(cid)
        self._require_holder(handoff, session)
        user = session.user.username
        try:
            await self.ctx.rasa.send_staff_reply(cid, text or "", staff_name=user, username=user)
        except RasaUnavailable:
            raise ApiError(502, t("rasa_unavailable")) from None
        # The reply text is in the tracker already; the audit log keeps only its length.
        await self.audit(user, "handoff.reply", cid, {"handoff_id": handoff.id, "length": len(text or "")})
        return {"ok": True}

    async def add_note(self, session: StaffSession, cid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        text = text_field(body, "text", "メモ", max_len=NOTE_MAX)
        handoff = await self._open_handoff(cid)
        user = session.user.username
        with storage_errors():
            note = await self.ctx.run(self.ctx.handoffs.add_note, handoff.id, user, text)
        await self.audit(user, "handoff.note", cid, {"handoff_id": handoff.id, "note_id": note.id})
        return note_json(note)

    async def hand_back(self, session: StaffSession, cid: str) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        handoff = await self._open_handoff(cid)
        # An admin may clear a conversation someone else holds or nobody took (a colleague
        # went home); everyone else only hands back their own.
        force = session.user.role.value == "admin"
        if not force:
            self._require_holder(handoff, session)
        user = session.user.username
        try:
            await self.ctx.rasa.hand_back(cid, t("handback_message"), user)
        except RasaUnavailable:
            raise ApiError(502, t("rasa_unavailable")) from None
        try:
            with storage_errors():
                closed = await self.ctx.run(lambda: self.ctx.handoffs.close(handoff.id, user, force=force))
        except AlreadyClaimed:
            raise ApiError(409, t("not_claimed_by_you")) from None
        await self.audit(user, "handoff.handback", cid, {"handoff_id": handoff.id, "forced": force and handoff.claimed_by != user})
        return handoff_json(closed)

    # --- tickets ----------------------------------------------------------------------

    async def list_tickets(self, status: Optional[str], request_type: Optional[str], due_before: Optional[date]) -> Dict[str, Any]:
        if status is not None and status not in STATUS_VALUES:
            raise ApiError(400, t("field_choice", field="status"))
        if request_type is not None and request_type not in REQUEST_TYPE_VALUES:
            raise ApiError(400, t("field_choice", field="type"))
        with storage_errors():
            tickets = await self.ctx.run(self.ctx.tickets.list, status, request_type, due_before)
        today = self.ctx.tickets.today()
        return {"tickets": [ticket_json(x, today) for x in tickets]}

    async def ticket(self, number: str) -> Dict[str, Any]:
        canonical = normalize_ticket_number(number or "")
        if canonical is None:
            raise ApiError(400, t("bad_ticket_number"))
        with storage_errors():
            ticket = await self.ctx.run(self.ctx.tickets.get, canonical)
            if ticket is None:
                raise ApiError(404, t("ticket_not_found"))
            history = await self.ctx.run(self.ctx.tickets.history, canonical)
        return {
            "ticket": ticket_json(ticket, self.ctx.tickets.today()),
            "history": [
                {
                    "at": _iso(h.at),
                    "actor": h.actor,
                    "from_status": h.from_status.value if h.from_status else None,
                    "to_status": h.to_status.value,
                    "comment": h.comment,
                    "reason": h.reason,
                }
                for h in history
            ],
        }

    async def change_ticket_status(self, session: StaffSession, number: str, body: Dict[str, Any]) -> Dict[str, Any]:
        canonical = normalize_ticket_number(number or "")
        if canonical is None:
            raise ApiError(400, t("bad_ticket_number"))
        status = choice_field(body, "status", "ステータス", STATUS_VALUES)
        comment = text_field(body, "comment", "コメント", max_len=COMMENT_MAX)
        reason = text_field(body, "reason", "理由", required=False, max_len=COMMENT_MAX)
        if status == TicketStatus.REFUSED.value and not reason:
            raise ApiError(400, t("reason_required"))
        user = session.user.username
        with storage_errors():
            current = await self.ctx.run(self.ctx.tickets.get, canonical)
            if current is None:
                raise ApiError(404, t("ticket_not_found"))
            try:
                # storage writes the history row and the audit entry in the same transaction
                await self.ctx.run(
                    self.ctx.tickets.change_status, canonical, status, actor=user, comment=comment, reason=reason
                )
            except InvalidTransition:
                raise ApiError(409, t("invalid_transition", from_status=current.status.value, to_status=status)) from None
            except InvalidTicket as error:
                raise ApiError(400, t("invalid_ticket", detail=str(error))) from None
            except NotFound:
                raise ApiError(404, t("ticket_not_found")) from None
        return await self.ticket(canonical)

    async def create_ticket(self, session: StaffSession, body: Dict[str, Any]) -> Dict[str, Any]:
        """Open a ticket from a conversation: fields in the body win over the handoff summary."""
        cid = check_conversation_id(body.get("conversation_id")) if body.get("conversation_id") is not None else None
        handoff = await self._open_handoff(cid) if cid else None
        collected = _collected_details(handoff.summary) if handoff else {}
        merged = {**collected, **{k: v for k, v in body.items() if v not in (None, "")}}
        fields = {
            "request_type": choice_field(merged, "request_type", "請求の種類", REQUEST_TYPE_VALUES + list(_REQUEST_LABEL_TO_VALUE)),
            "name": text_field(merged, "name", "氏名"),
            "name_kana": text_field(merged, "name_kana", "氏名（カナ）"),
            "postal_code": text_field(merged, "postal_code", "郵便番号", max_len=16),
            "address": text_field(merged, "address", "住所", max_len=500),
            "phone": text_field(merged, "phone", "電話番号", max_len=20),
            "details": text_field(merged, "details", "請求の内容", max_len=4000),
            "delivery_method": text_field(merged, "delivery_method", "回答方法", max_len=32),
            "requester_kind": text_field(merged, "requester_kind", "請求者", required=False, max_len=16) or "self",
            "agent_name": text_field(merged, "agent_name", "代理人氏名", required=False),
            "agent_relationship": text_field(merged, "agent_relationship", "代理人との関係", required=False, max_len=100),
            "email": text_field(merged, "email", "メールアドレス", required=False, max_len=254),
            "customer_number": text_field(merged, "customer_number", "お客さま番号", required=False, max_len=64),
        }
        user = session.user.username
        try:
            draft = TicketDraft(conversation_id=cid, **fields)  # type: ignore[arg-type]
            with storage_errors():
                ticket = await self.ctx.run(
                    lambda: self.ctx.tickets.open_ticket(draft, actor=user, comment="担当者がコンソールで起票しました")
                )
                if handoff is not None:
                    await self.ctx.run(self.ctx.handoffs.link_ticket, handoff.id, ticket.number)
        except InvalidTicket as error:
            raise ApiError(400, t("invalid_ticket", detail=str(error))) from None
        await self.audit(user, "ticket.create", ticket.number, {"conversation_id": cid, "request_type": ticket.request_type.value})
        return ticket_json(ticket, self.ctx.tickets.today())

    async def link_ticket(self, session: StaffSession, cid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        number = text_field(body, "ticket_number", "受付番号", max_len=20)
        canonical = normalize_ticket_number(number or "")
        if canonical is None:
            raise ApiError(400, t("bad_ticket_number"))
        handoff = await self._open_handoff(cid)
        try:
            with storage_errors():
                linked = await self.ctx.run(self.ctx.handoffs.link_ticket, handoff.id, canonical)
        except NotFound:
            raise ApiError(404, t("ticket_not_found")) from None
        await self.audit(session.user.username, "handoff.link_ticket", cid, {"handoff_id": handoff.id, "ticket": canonical})
        return handoff_json(linked)

    # --- users ------------------------------------------------------------------------

    async def list_users(self) -> Dict[str, Any]:
        with storage_errors():
            users = await self.ctx.run(self.ctx.staff.list_users)
        return {"users": [user_json(u) for u in users]}

    async def create_user(self, session: StaffSession, body: Dict[str, Any]) -> Dict[str, Any]:
        name = check_username(body.get("username"))
        password = password_field(body, "password", t("label_password"))
        role = choice_field(body, "role", "権限", ROLE_VALUES)
        try:
            with storage_errors():
                user = await self.ctx.run(self.ctx.staff.create_user, name, password, role)
        except UserExists:
            raise ApiError(409, t("user_exists")) from None
        except ValueError:
            raise ApiError(400, t("password_too_short", min=MIN_PASSWORD_LENGTH)) from None
        await self.audit(session.user.username, "user.create", name, {"role": role})
        return {"username": user.username, "role": user.role.value, "active": user.active}

    async def _existing_user(self, name: str) -> StaffUser:
        with storage_errors():
            user = await self.ctx.run(self.ctx.staff.get_user, name)
        if user is None:
            raise ApiError(404, t("user_not_found"))
        return user

    async def _store_password(self, name: str, password: str) -> None:
        """storage.set_password: checks the password rule (``_check_password``, the only one),
        stores the new hash and ends every session of that user."""
        try:
            with storage_errors():
                await self.ctx.run(self.ctx.staff.set_password, name, password)
        except NotFound:
            raise ApiError(404, t("user_not_found")) from None
        except ValueError:
            raise ApiError(400, t("password_too_short", min=MIN_PASSWORD_LENGTH)) from None

    async def set_user_active(self, session: StaffSession, username: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Admin: disable or re-enable an account. Disabling ends its sessions at once (storage);
        an admin cannot disable themself, so the console always keeps an active admin."""
        name = existing_username(username)
        active = bool_field(body, "active", t("label_active"))
        if not active and name == session.user.username:
            raise ApiError(400, t("cannot_deactivate_self"))
        before = await self._existing_user(name)
        try:
            with storage_errors():
                await self.ctx.run(self.ctx.staff.set_active, name, active)
        except NotFound:
            raise ApiError(404, t("user_not_found")) from None
        except LastActiveAdmin:  # only in a race: two admins disabling each other at once
            raise ApiError(409, t("last_active_admin")) from None
        await self.audit(
            session.user.username, "user.activate" if active else "user.deactivate", name, {"was_active": before.active}
        )
        if not active:  # the chats they held go back to the queue, so no customer waits on nobody
            for handoff in await self.ctx.run(self.ctx.handoffs.release_claims_of, name):
                await self.audit(session.user.username, "handoff.release", handoff.conversation_id,
                                 {"handoff_id": handoff.id, "released_from": name})
        return user_json(await self._existing_user(name))

    async def reset_password(self, session: StaffSession, username: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Admin: give another user a new password; all of that user's sessions end."""
        name = existing_username(username)
        if name == session.user.username:
            raise ApiError(400, t("reset_own_password"))
        password = password_field(body, "password", t("label_password"))
        if "password_confirm" in body:
            confirm = password_field(body, "password_confirm", t("label_password_confirm"))
            if confirm != password:
                raise ApiError(400, t("password_mismatch"))
        await self._existing_user(name)
        await self._store_password(name, password)
        await self.audit(session.user.username, "user.password_reset", name, {"sessions_revoked": True})
        return user_json(await self._existing_user(name))

    async def change_own_password(self, session: StaffSession, body: Dict[str, Any]) -> tuple[str, str]:
        """Any role: change one's own password, proving the current one.

        storage ends every session of the user, so a fresh session is started for the caller:
        returns (session token for the cookie, its CSRF token). Other browsers are logged out.
        """
        user = session.user.username
        current = password_field(body, "current_password", t("label_current_password"))
        new = password_field(body, "new_password", t("label_new_password"))
        confirm = password_field(body, "new_password_confirm", t("label_new_password_confirm"))
        if new != confirm:
            raise ApiError(400, t("password_mismatch"))
        with storage_errors():
            verified = await self.ctx.run(self.ctx.staff.authenticate, user, current)
        if verified is None:
            await self.audit(user, "user.password_change_failed", user, {"reason": "current_password_wrong"})
            raise ApiError(400, t("current_password_wrong"))
        await self._store_password(user, new)
        try:
            with storage_errors():
                token, csrf = await self.ctx.run(self.ctx.staff.create_session, user)
        except (NotFound, ValueError):  # removed or disabled by an admin in the meantime
            raise ApiError(401, t("unauthenticated")) from None
        await self.audit(user, "user.password_change", user, {"sessions_revoked": True})
        return token, csrf

    # --- analytics --------------------------------------------------------------------

    async def analytics_summary(self, days: int) -> Dict[str, Any]:
        since = datetime.now(timezone.utc) - timedelta(days=days)
        stats = await self.ctx.run(analytics.tracker_stats, self.ctx.tracker_engine, since)
        with storage_errors():
            tickets = await self.ctx.run(self.ctx.tickets.list)
            open_ = await self.ctx.run(self.ctx.handoffs.open_handoffs)
        today = datetime.now(JST).date()
        return {
            "days": days,
            "tracker_available": stats.available,
            "intents": stats.intents,
            "unanswered": stats.unanswered,
            "per_day": stats.per_day,
            "handoffs": {
                "requested": stats.pauses,
                "waiting": sum(1 for h in open_ if h.status == "waiting"),
                "claimed": sum(1 for h in open_ if h.status == "claimed"),
            },
            "tickets": analytics.ticket_counts(tickets, today),
        }


_REQUEST_LABEL_TO_VALUE = {r.label: r.value for r in RequestType}

def _collected_details(summary: Dict[str, Any]) -> Dict[str, Any]:
    """Ticket fields the bot already collected, for pre-filling the ticket form.

    The bot's handoff summary carries them under ``ticket_fields`` as TicketDraft field
    names with canonical values (actions/handoff.py), so nothing here maps labels back.
    """
    if not isinstance(summary, dict) or not isinstance(summary.get("ticket_fields"), dict):
        return {}
    return {
        field: value.strip()
        for field, value in summary["ticket_fields"].items()
        if isinstance(field, str) and isinstance(value, str) and value.strip()
    }
