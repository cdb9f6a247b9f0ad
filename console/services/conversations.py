"""Chats handed to staff: the queue, a transcript, claiming, replying, notes and handing back."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict

from sobu_privacy.identifiers import normalize_ticket_number
from sobu_privacy.roles import Role
from storage.errors import AlreadyClaimed, HandoffClosed, NotFound
from storage.handoffs import Handoff
from storage.staff import StaffSession

from ..errors import ApiError
from ..messages import t
from ..rasa_client import RasaNotFound, RasaUnavailable
from ..serializers import handoff_json, note_json, summary_json
from ..transcript import build_transcript, is_paused
from ..validation import NOTE_MAX, REPLY_MAX, conversation_id as check_conversation_id, text_field
from .base import Service, storage_errors


def _require_holder(handoff: Handoff, session: StaffSession) -> None:
    """Only the staff member who claimed the conversation speaks for the company in it."""
    if handoff.claimed_by != session.user.username:
        raise ApiError(409, t("not_claimed_by_you"))


class ConversationService(Service):
    async def queue(self) -> Dict[str, Any]:
        """Open handoffs: waiting ones and claimed ones, each oldest first."""
        with storage_errors():
            open_ = await self.ctx.run(self.ctx.handoffs.open_handoffs)
        now = datetime.now(timezone.utc)
        return {
            "waiting": [handoff_json(h, now) for h in open_ if h.status == "waiting"],
            "claimed": [handoff_json(h, now) for h in open_ if h.status == "claimed"],
        }

    async def conversation(self, cid: str, *, with_transcript: bool = True) -> Dict[str, Any]:
        """The handoff, its summary and notes, and the transcript read from Rasa."""
        cid = check_conversation_id(cid)
        with storage_errors():
            handoff = await self.ctx.run(self.ctx.handoffs.open_for_conversation, cid)
            notes = await self.ctx.run(self.ctx.handoffs.notes, handoff.id) if handoff else []
        result: Dict[str, Any] = {
            "conversation_id": cid,
            "handoff": handoff_json(handoff) if handoff else None,
            "summary": summary_json(handoff.summary) if handoff else None,
            "ticket_prefill": handoff.summary.ticket_prefill() if handoff else {},
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
        handoff = await self.open_handoff(cid)
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
        handoff = await self.open_handoff(cid)
        _require_holder(handoff, session)
        user = session.user.username
        try:
            # The customer sees the display name; the login name stays in the tracker's metadata.
            display = self.ctx.settings.product.staff_display_name
            await self.ctx.rasa.send_staff_reply(cid, text or "", staff_name=display, username=user)
        except RasaUnavailable:
            raise ApiError(502, t("rasa_unavailable")) from None
        # The reply text is in the tracker already; the audit log keeps only its length.
        await self.audit(user, "handoff.reply", cid, {"handoff_id": handoff.id, "length": len(text or "")})
        return {"ok": True}

    async def add_note(self, session: StaffSession, cid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        text = text_field(body, "text", "メモ", max_len=NOTE_MAX)
        handoff = await self.open_handoff(cid)
        if session.user.role is not Role.ADMIN:  # notes only by the holder (or an admin)
            _require_holder(handoff, session)
        user = session.user.username
        with storage_errors():
            note = await self.ctx.run(self.ctx.handoffs.add_note, handoff.id, user, text)
        await self.audit(user, "handoff.note", cid, {"handoff_id": handoff.id, "note_id": note.id})
        return note_json(note)

    async def link_ticket(self, session: StaffSession, cid: str, body: Dict[str, Any]) -> Dict[str, Any]:
        """Remember an existing ticket on the handoff (staff found it during the chat)."""
        cid = check_conversation_id(cid)
        number = text_field(body, "ticket_number", "受付番号", max_len=20)
        canonical = normalize_ticket_number(number or "")
        if canonical is None:
            raise ApiError(400, t("bad_ticket_number"))
        handoff = await self.open_handoff(cid)
        if session.user.role is not Role.ADMIN:  # links only by the holder (or an admin)
            _require_holder(handoff, session)
        try:
            with storage_errors():
                linked = await self.ctx.run(self.ctx.handoffs.link_ticket, handoff.id, canonical)
        except NotFound:
            raise ApiError(404, t("ticket_not_found")) from None
        await self.audit(session.user.username, "handoff.link_ticket", cid, {"handoff_id": handoff.id, "ticket": canonical})
        return handoff_json(linked)

    async def hand_back(self, session: StaffSession, cid: str) -> Dict[str, Any]:
        cid = check_conversation_id(cid)
        handoff = await self.open_handoff(cid)
        # An admin may clear a conversation someone else holds or nobody took (a colleague
        # went home); everyone else only hands back their own.
        force = session.user.role is Role.ADMIN
        if not force:
            _require_holder(handoff, session)
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
