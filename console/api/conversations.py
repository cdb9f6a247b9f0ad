"""/api/conversations: the handoff queue, transcripts and the staff actions on them."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from sobu_privacy.roles import STAFF_ROLES
from storage.staff import StaffSession

from ..auth import api
from ..services import ConversationService
from ..validation import json_body

bp = Blueprint("api_conversations")


def _svc(request: Request) -> ConversationService:
    return request.app.ctx.services.conversations


@bp.get("/conversations")
@api(STAFF_ROLES)
async def list_conversations(request: Request, session: StaffSession) -> HTTPResponse:
    return json(await _svc(request).queue())


@bp.get("/conversations/<cid:str>")
@api(STAFF_ROLES)
async def get_conversation(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    data = await _svc(request).conversation(cid)
    # The transcript is personal data; the page polls this, so it is recorded once per window.
    await _svc(request).audit_read(session.user.username, "conversation.view", data["conversation_id"], {})
    return json(data)


@bp.post("/conversations/<cid:str>/claim")
@api(STAFF_ROLES)
async def claim(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    return json(await _svc(request).claim(session, cid))


@bp.post("/conversations/<cid:str>/reply")
@api(STAFF_ROLES)
async def reply(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    return json(await _svc(request).reply(session, cid, json_body(request.body)))


@bp.post("/conversations/<cid:str>/notes")
@api(STAFF_ROLES)
async def notes(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    return json(await _svc(request).add_note(session, cid, json_body(request.body)), status=201)


@bp.post("/conversations/<cid:str>/ticket")
@api(STAFF_ROLES)
async def link_ticket(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    return json(await _svc(request).link_ticket(session, cid, json_body(request.body)))


@bp.post("/conversations/<cid:str>/handback")
@api(STAFF_ROLES)
async def handback(request: Request, session: StaffSession, cid: str) -> HTTPResponse:
    return json(await _svc(request).hand_back(session, cid))
