"""The action server, serving only Rasa: ``python -m actions.server``.

rasa_sdk's own server (``rasa run actions``) answers anyone who reaches its port, listens on
0.0.0.0 unless told otherwise, and on an exception returns the whole posted tracker (every
message and slot of the conversation), which Rasa then logs. This entry point keeps
rasa_sdk's app and its action executor and adds what a privacy product needs:

- loopback by default (``--host`` to change it deliberately);
- a shared secret: Rasa sends ``Authorization: Bearer <ACTION_SERVER_TOKEN>`` from
  ``action_endpoint.headers`` in bot/endpoints.yml; any other call gets 401 and an empty
  body. Without a token the server does not start (fail closed);
- an action that raises answers 500 with a generic body; the log names the exception class
  and the conversation's pseudonym, never the tracker.
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Optional, Sequence

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from sobu_privacy.logsafe import install
from sobu_privacy.pseudonyms import log_ref

logger = logging.getLogger("actions.server")

#: The only path that answers without the token: it says "ok" and nothing else, so a
#: supervisor or load balancer can check the server without holding the secret.
OPEN_PATHS = frozenset({"/health"})
MIN_TOKEN_LENGTH = 16


class MissingToken(RuntimeError):
    """ACTION_SERVER_TOKEN is unset or too short to be a secret."""


def _token_from_env() -> str:
    token = (os.environ.get("ACTION_SERVER_TOKEN") or "").strip()
    if len(token) < MIN_TOKEN_LENGTH:
        raise MissingToken(
            f"ACTION_SERVER_TOKEN must be set to at least {MIN_TOKEN_LENGTH} random characters "
            "(scripts/env.sh makes one); the action server does not start without it"
        )
    return token


def _sender_of(request: Request) -> str:
    """The conversation's pseudonym for a log line; never the id itself."""
    try:
        sender = (request.json or {}).get("sender_id") or ""
    except Exception:  # an unreadable body: nothing to name
        return "-"
    return log_ref(str(sender)) if sender else "-"


def create_app(token: Optional[str] = None, action_package: str = "actions") -> Sanic:
    """rasa_sdk's app with the token check and a tracker-free error handler."""
    from rasa_sdk.endpoint import create_app as create_sdk_app

    expected = f"Bearer {token or _token_from_env()}".encode()
    app = create_sdk_app(action_package, cors_origins="")

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS:
            return None
        given = (request.headers.get("Authorization") or "").encode()
        if not hmac.compare_digest(given, expected):
            return response.empty(status=401)
        return None

    async def fail_closed(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):  # 404, 405, a body too large: no detail
            return response.json({"error": "request refused"}, status=getattr(exception, "status_code", 400))
        logger.error(
            "action failed: %s conversation=%s", exception.__class__.__name__, _sender_of(request)
        )
        return response.json({"error": "the action failed"}, status=500)

    app.error_handler.add(Exception, fail_closed)
    return app


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Starts the action server (serves only Rasa).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    parser.add_argument("-p", "--port", type=int, default=int(os.environ.get("ACTIONS_PORT", "5055")))
    parser.add_argument("--actions", default="actions", help="package with the actions")
    args = parser.parse_args(argv)
    install()  # no customer text in the logs, on any path (sobu_privacy/logsafe.py)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s - %(message)s")
    try:
        app = create_app(action_package=args.actions)
    except MissingToken as error:
        print(f"actions.server: {error}", file=sys.stderr)
        return 2
    logger.info("action server on http://%s:%d (token required)", args.host, args.port)
    app.run(args.host, args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
