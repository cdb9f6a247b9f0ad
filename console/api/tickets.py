"""/api/tickets: list with filters, create from a conversation, detail and status changes."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from sobu_privacy.roles import STAFF_ROLES
from storage.staff import StaffSession

from ..auth import api
from ..services import TicketService
from ..validation import date_param, json_body

bp = Blueprint("api_tickets")


def _svc(request: Request) -> TicketService:
    return request.app.ctx.services.tickets


@bp.get("/tickets")
@api(STAFF_ROLES)
async def list_tickets(request: Request, session: StaffSession) -> HTTPResponse:
    args = request.args
    filters = {"status": args.get("status") or None, "type": args.get("type") or None,
               "due_before": args.get("due_before") or None}
    data = await _svc(request).list(filters["status"], filters["type"], date_param(filters["due_before"]))
    await _svc(request).audit_read(session.user.username, "ticket.list", "", {**filters, "count": len(data["tickets"])})
    return json(data)


@bp.post("/tickets")
@api(STAFF_ROLES)
async def create_ticket(request: Request, session: StaffSession) -> HTTPResponse:
    return json(await _svc(request).create(session, json_body(request.body)), status=201)


@bp.get("/tickets/<number:str>")
@api(STAFF_ROLES)
async def get_ticket(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    data = await _svc(request).get(number)
    await _svc(request).audit_read(session.user.username, "ticket.view", data["ticket"]["number"], {})
    return json(data)


@bp.post("/tickets/<number:str>/status")
@api(STAFF_ROLES)
async def change_status(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    return json(await _svc(request).change_status(session, number, json_body(request.body)))


@bp.post("/tickets/<number:str>")
@api(STAFF_ROLES)
async def change_status_short(request: Request, session: StaffSession, number: str) -> HTTPResponse:
    """POST /api/tickets/{number} is the same as .../status (the issue names both forms)."""
    return json(await _svc(request).change_status(session, number, json_body(request.body)))
