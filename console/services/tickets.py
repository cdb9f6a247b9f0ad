"""Request tickets: the staff list, one ticket with its history, status changes, and opening
a ticket from a chat."""
from __future__ import annotations

from datetime import date, datetime
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any, Dict, Iterator, List, Optional

from sobu_privacy.clock import JST
from sobu_privacy.identifiers import normalize_ticket_number
from sobu_privacy.requests import RequestType
from sobu_privacy.workflow import TicketStatus
from storage.erasure import ErasureNotAllowed
from storage.errors import InvalidTicket, InvalidTransition, NotFound
from storage.staff import StaffSession
from storage.tickets import TicketDraft

from ..errors import ApiError
from ..messages import t
from ..rasa_client import RasaNotFound, RasaUnavailable
from ..serializers import history_json, ticket_json
from ..transcript import build_transcript
from ..validation import COMMENT_MAX, choice_field, conversation_id as check_conversation_id, text_field
from .base import Service, storage_errors

STATUS_VALUES = [s.value for s in TicketStatus]
#: Who said it, as the disclosure document names them (the customer reads it).
_SPEAKERS = {"user": "お客さま", "bot": "アシスタント", "staff": "担当者"}
REQUEST_TYPE_VALUES = [r.value for r in RequestType]
#: What a ticket form may send for the request type: the code or its Japanese label.
REQUEST_TYPE_CHOICES = REQUEST_TYPE_VALUES + [r.label for r in RequestType]


def _canonical_or_400(number: Optional[str]) -> str:
    canonical = normalize_ticket_number(number or "")
    if canonical is None:
        raise ApiError(400, t("bad_ticket_number"))
    return canonical


def _japan_time(moment: Optional[str]) -> Optional[str]:
    """An ISO UTC time as the customer reads it: Japan time, to the minute."""
    if not moment:
        return None
    return datetime.fromisoformat(moment).astimezone(JST).strftime("%Y-%m-%d %H:%M")


@contextmanager
def _record_errors() -> Iterator[None]:
    """Storage errors of the customer-record pages (erasure, disclosure) as the console's
    answers (404, 409, 503)."""
    with storage_errors():
        try:
            yield
        except NotFound:
            raise ApiError(404, t("ticket_not_found")) from None
        except ErasureNotAllowed:
            raise ApiError(409, t("erasure_not_allowed")) from None


class TicketService(Service):
    async def list(self, status: Optional[str], request_type: Optional[str], due_before: Optional[date]) -> Dict[str, Any]:
        if status is not None and status not in STATUS_VALUES:
            raise ApiError(400, t("field_choice", field="status"))
        if request_type is not None and request_type not in REQUEST_TYPE_VALUES:
            raise ApiError(400, t("field_choice", field="type"))
        with storage_errors():
            tickets = await self.ctx.run(self.ctx.tickets.list, status, request_type, due_before)
        today = self.ctx.tickets.today()
        return {"tickets": [ticket_json(x, today) for x in tickets]}

    async def get(self, number: str) -> Dict[str, Any]:
        canonical = _canonical_or_400(number)
        with storage_errors():
            ticket = await self.ctx.run(self.ctx.tickets.get, canonical)
            if ticket is None:
                raise ApiError(404, t("ticket_not_found"))
            history = await self.ctx.run(self.ctx.tickets.history, canonical)
        return {
            "ticket": ticket_json(ticket, self.ctx.tickets.today()),
            "history": [history_json(h) for h in history],
        }

    async def erasure_plan(self, number: str) -> Dict[str, Any]:
        """What erasing from this request would remove (shown before staff confirm)."""
        canonical = _canonical_or_400(number)
        with _record_errors():
            plan = await self.ctx.run(self.ctx.erasure.plan, canonical)
        today = self.ctx.tickets.today()
        return {
            "ticket": ticket_json(plan.ticket, today),
            "conversation_ids": list(plan.conversation_ids),
            "other_tickets": [ticket_json(other, today) for other in plan.other_tickets],
        }

    async def erase(self, session: StaffSession, number: str, confirm: Any, others: List[str]) -> Dict[str, Any]:
        """The second step: staff typed the 受付番号 again and chose the other tickets."""
        canonical = _canonical_or_400(number)
        if normalize_ticket_number(confirm if isinstance(confirm, str) else "") != canonical:
            raise ApiError(400, t("erasure_confirm_mismatch"))
        with _record_errors():
            report = await self.ctx.run(
                lambda: self.ctx.erasure.erase(canonical, actor=session.user.username, other_ticket_numbers=others)
            )
        return {"number": canonical, **asdict(report)}

    async def disclosure(self, number: str) -> Dict[str, Any]:
        """One customer's ticket data and chat transcripts for the written answer to a 開示
        request: the customer's words, the assistant's and staff's replies (no internal codes,
        no staff login names)."""
        canonical = _canonical_or_400(number)
        with _record_errors():
            records = await self.ctx.run(self.ctx.erasure.customer_records, canonical)
        if records.ticket.request_type is not RequestType.DISCLOSURE:
            raise ApiError(409, t("disclosure_not_allowed"))
        conversations = []
        for cid in records.conversation_ids:
            try:
                events = (await self.ctx.rasa.tracker(cid)).get("events") or []
                items = [
                    {"who": _SPEAKERS[item["kind"]], "text": item.get("text") or "", "at": _japan_time(item.get("at"))}
                    for item in build_transcript(events)
                    if item.get("kind") in _SPEAKERS
                ]
                conversations.append({"messages": items, "error": None})
            except RasaNotFound:
                conversations.append({"messages": [], "error": t("not_found")})
            except RasaUnavailable:
                raise ApiError(503, t("rasa_unavailable")) from None
        today = self.ctx.tickets.today()
        return {
            "ticket": ticket_json(records.ticket, today),
            "other_tickets": [ticket_json(other, today) for other in records.other_tickets],
            "conversations": conversations,
            "generated_on": today.isoformat(),
        }

    async def change_status(self, session: StaffSession, number: str, body: Dict[str, Any]) -> Dict[str, Any]:
        canonical = _canonical_or_400(number)
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
        return await self.get(canonical)

    async def create(self, session: StaffSession, body: Dict[str, Any]) -> Dict[str, Any]:
        """Open a ticket, usually from a chat: fields in the body win over what the assistant
        collected (the handoff summary's ticket fields), and the ticket is linked to the handoff."""
        cid = check_conversation_id(body.get("conversation_id")) if body.get("conversation_id") is not None else None
        handoff = await self.open_handoff(cid) if cid else None
        collected = handoff.summary.ticket_prefill() if handoff else {}
        merged = {**collected, **{k: v for k, v in body.items() if v not in (None, "")}}
        fields = {
            "request_type": choice_field(merged, "request_type", "請求の種類", REQUEST_TYPE_CHOICES),
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
