"""/api/analytics/summary: the analysts' figures (analytics/figures.py) for analysts and admins."""
from __future__ import annotations

from sanic import Blueprint, Request
from sanic.response import HTTPResponse, json

from sobu_privacy.roles import ANALYTICS_ROLES
from storage.staff import StaffSession

from ..auth import api
from ..validation import date_param, int_param

bp = Blueprint("api_analytics")


@bp.get("/analytics/summary")
@api(ANALYTICS_ROLES)
async def summary(request: Request, session: StaffSession) -> HTTPResponse:
    service = request.app.ctx.services.analytics
    period = service.period(
        int_param(request.args.get("days"), 30, 1, 366, "bad_days"),
        date_param(request.args.get("from")),
        date_param(request.args.get("to")),
    )
    return json(await service.summary(period))
