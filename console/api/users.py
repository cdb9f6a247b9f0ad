"""/api/users and /api/me: admins manage accounts; everyone can see who they are."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from storage.staff import StaffSession

from ..auth import ADMIN_ROLES, STAFF_ROLES, ANALYTICS_ROLES, api, role_of
from ..validation import json_body

bp = Blueprint("api_users")

ALL_ROLES = tuple(sorted(set(STAFF_ROLES + ANALYTICS_ROLES + ADMIN_ROLES)))


@bp.get("/me")
@api(ALL_ROLES)
async def me(request: Request, session: StaffSession) -> HTTPResponse:
    """Who is logged in, and the CSRF token JSON clients send back in X-CSRF-Token."""
    return json(
        {
            "username": session.user.username,
            "role": role_of(session),
            "csrf_token": session.csrf_token,
            "expires_at": session.expires_at.isoformat(),
        }
    )


@bp.get("/users")
@api(ADMIN_ROLES)
async def list_users(request: Request, session: StaffSession) -> HTTPResponse:
    return json(await request.app.ctx.service.list_users())


@bp.post("/users")
@api(ADMIN_ROLES)
async def create_user(request: Request, session: StaffSession) -> HTTPResponse:
    return json(await request.app.ctx.service.create_user(session, json_body(request.body)), status=201)
