"""JSON API under /api/ (documented in console/API.md).

Every route is wrapped by ``auth.api(roles)``; unknown /api paths also answer 401 without a
session (see app.py's error handler), so probing reveals nothing.
"""
from __future__ import annotations

from sanic import Blueprint

from .analytics import bp as analytics_bp
from .conversations import bp as conversations_bp
from .tickets import bp as tickets_bp
from .users import bp as users_bp

api_group = Blueprint.group(conversations_bp, tickets_bp, analytics_bp, users_bp, url_prefix="/api")
