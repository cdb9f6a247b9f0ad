"""Builds the Sanic app: demo site + widget assets, staff console pages, JSON API.

One process on one port (127.0.0.1:8000). Static files are served from our own disk only:
the widget's socket.io client comes from bot/web/node_modules and the analytics page's
Chart.js from console/web/node_modules (both installed by ``npm ci``), never from a CDN.
"""
from __future__ import annotations

import json as jsonlib
import logging
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from sanic import Request, Sanic
from sanic.exceptions import MethodNotSupported, NotFound, PayloadTooLarge, SanicException
from sanic.response import HTTPResponse, empty, file, html, json

from .api import api_group
from .auth import client_address, load_session
from .context import ConsoleContext
from .errors import ApiError
from sobu_privacy.roles import Role
from storage.audit import CLIENT_ADDRESS

from .messages import t
from .pages import bp as pages_bp
from .services import ConsoleServices

logger = logging.getLogger(__name__)

CONSOLE_DIR = Path(__file__).resolve().parent
STATIC_DIR = CONSOLE_DIR / "static"

#: Widget assets: URL name -> path relative to bot/web. Nothing else under bot/web is served.
WIDGET_ASSETS = {
    "widget.js": "widget.js",
    "widget.css": "widget.css",
    "socket.io.min.js": "node_modules/socket.io-client/dist/socket.io.min.js",
}
CONSOLE_ASSETS = ("console.css", "console.js", "analytics.js")
#: The console's npm packages: URL name -> path relative to console/web.
CONSOLE_VENDOR_ASSETS = {"chart.umd.js": "node_modules/chart.js/dist/chart.umd.js"}


def _ws_origin(url: str) -> str:
    if url.startswith("https://"):
        return "wss://" + url[len("https://"):]
    if url.startswith("http://"):
        return "ws://" + url[len("http://"):]
    return url


def create_app(ctx: ConsoleContext, name: str = "sobu_console") -> Sanic:
    # Japanese stays readable in API answers (no \uXXXX escapes).
    app = Sanic(name, dumps=partial(jsonlib.dumps, ensure_ascii=False, separators=(",", ":")))
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "json"
    # Behind our own proxies (the scale path's HAProxy), the client is the address they saw.
    app.config.PROXIES_COUNT = ctx.settings.proxies
    app.config.FORWARDED_FOR_HEADER = "X-Forwarded-For"
    app.ctx.console = ctx
    app.ctx.services = ConsoleServices.build(ctx)
    app.ctx.jinja = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(CONSOLE_DIR / "templates")), FileSystemLoader(str(ctx.settings.web_dir))]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.ctx.jinja.globals.update(
        role_labels={role.value: role.label for role in Role}, poll_interval_ms=ctx.settings.poll_interval_ms
    )
    socket_origin = ctx.settings.socket_url
    csp_site = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {socket_origin} {_ws_origin(socket_origin)}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )
    csp_console = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )

    @app.get("/")
    async def demo_site(request: Request) -> HTTPResponse:
        template = app.ctx.jinja.get_template("index.html")
        return html(template.render(socket_url=ctx.settings.socket_url, socket_path=ctx.settings.socket_path))

    @app.get("/static/<name:str>")
    async def static(request: Request, name: str) -> HTTPResponse:
        if name in WIDGET_ASSETS:
            path = ctx.settings.web_dir / WIDGET_ASSETS[name]
        elif name in CONSOLE_ASSETS:
            path = STATIC_DIR / name
        elif name in CONSOLE_VENDOR_ASSETS:
            path = CONSOLE_DIR / "web" / CONSOLE_VENDOR_ASSETS[name]
        else:
            raise NotFound("not found")
        if not path.is_file():
            raise NotFound("not found")
        mime = "text/css" if name.endswith(".css") else "application/javascript"
        return await file(str(path), mime_type=f"{mime}; charset=utf-8", headers={"Cache-Control": "no-cache"})

    @app.get("/favicon.ico")
    async def favicon(request: Request) -> HTTPResponse:
        return empty(status=204)

    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        return json({"status": "ok"})

    app.blueprint(pages_bp)
    app.blueprint(api_group)

    @app.on_request
    async def remember_client_address(request: Request) -> None:
        # Every audit entry this request writes carries the client's address (storage.audit).
        CLIENT_ADDRESS.set(client_address(request) or None)

    @app.on_response
    async def security_headers(request: Request, response: HTTPResponse) -> None:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith(("/console", "/api", "/login", "/logout")):
            response.headers.setdefault("Cache-Control", "no-store")
        # The website may talk to the Rasa server; everything else (error pages and static
        # files included) only to this server.
        response.headers.setdefault("Content-Security-Policy", csp_site if request.path == "/" else csp_console)

    async def _render_error(request: Request, status: int, message: str) -> HTTPResponse:
        if request.path.startswith("/api/") or request.path == "/api":
            return json({"error": message}, status=status)
        session = await load_session(request) if status != 500 else None
        template = app.ctx.jinja.get_template("error.html")
        return html(template.render(status=status, message=message, session=session), status=status)

    @app.exception(ApiError)
    async def on_api_error(request: Request, error: ApiError) -> HTTPResponse:
        return await _render_error(request, error.status, error.message)

    @app.exception(NotFound, MethodNotSupported)
    async def on_not_found(request: Request, error: SanicException) -> HTTPResponse:
        # Probing unknown /api paths must not tell an outsider which routes exist.
        if request.path.startswith("/api") and await load_session(request) is None:
            return json({"error": t("unauthenticated")}, status=401)
        status = 405 if isinstance(error, MethodNotSupported) else 404
        return await _render_error(request, status, t("not_found"))

    @app.exception(PayloadTooLarge)
    async def on_too_large(request: Request, error: SanicException) -> HTTPResponse:
        return await _render_error(request, 400, t("body_too_large"))

    @app.exception(SanicException)
    async def on_sanic_error(request: Request, error: SanicException) -> HTTPResponse:
        status = int(getattr(error, "status_code", 500) or 500)
        if status >= 500:
            logger.exception("console error on %s", request.path)
            return await _render_error(request, status, t("internal_error"))
        return await _render_error(request, 400, t("bad_json") if "json" in str(error).lower() else t("not_found"))

    @app.exception(Exception)
    async def on_unexpected(request: Request, error: Exception) -> HTTPResponse:
        logger.exception("unexpected error on %s", request.path)
        return await _render_error(request, 500, t("internal_error"))

    @app.after_server_stop
    async def close_clients(app_: Sanic, _loop: Any) -> None:
        await ctx.rasa.close()

    return app
