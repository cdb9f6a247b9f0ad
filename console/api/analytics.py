"""/api/analytics/summary: aggregated, masked numbers for analysts and admins."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from sobu_privacy.roles import ANALYTICS_ROLES
from storage.staff import StaffSession

from ..auth import api
from ..validation import int_param

bp = Blueprint("api_analytics")


@bp.get("/analytics/summary")
@api(ANALYTICS_ROLES)
async def summary(request: Request, session: StaffSession) -> HTTPResponse:
    days = int_param(request.args.get("days"), 30, 1, 365, "bad_days")
    return json(await request.app.ctx.services.analytics.summary(days))
