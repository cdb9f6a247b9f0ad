"""/api/users and /api/me: admins manage accounts; everyone can see who they are and change
their own password."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from sobu_privacy.roles import ADMIN_ROLES, ALL_ROLES
from storage.staff import StaffSession

from ..auth import api, role_of, set_session_cookie
from ..validation import json_body

bp = Blueprint("api_users")


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
    return json(await request.app.ctx.services.users.list())


@bp.post("/users")
@api(ADMIN_ROLES)
async def create_user(request: Request, session: StaffSession) -> HTTPResponse:
    return json(await request.app.ctx.services.users.create(session, json_body(request.body)), status=201)


@bp.post("/me/password")
@api(ALL_ROLES)
async def change_own_password(request: Request, session: StaffSession) -> HTTPResponse:
    """Any role: change one's own password. Every session of the user ends; the caller gets a
    new one (cookie) and its CSRF token in the body."""
    token, csrf = await request.app.ctx.services.users.change_own_password(session, json_body(request.body))
    response = json({"username": session.user.username, "csrf_token": csrf})
    set_session_cookie(response, token, request.app.ctx.console.settings.cookie_secure)
    return response


# {username} is percent-encoded (storage may hold names with any character); the service decodes it.
@bp.post("/users/<username:str>/active")
@api(ADMIN_ROLES)
async def set_active(request: Request, session: StaffSession, username: str) -> HTTPResponse:
    return json(await request.app.ctx.services.users.set_active(session, username, json_body(request.body)))


@bp.post("/users/<username:str>/password")
@api(ADMIN_ROLES)
async def reset_password(request: Request, session: StaffSession, username: str) -> HTTPResponse:
    return json(await request.app.ctx.services.users.reset_password(session, username, json_body(request.body)))
