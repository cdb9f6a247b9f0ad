"""The assistant's public channels: the website's socket.io and the REST API for integrations.

Registered by class path in bot/credentials.yml. Both keep Rasa's URLs and message formats
(``/socket.io``, ``POST /webhooks/rest/webhook``) and add what a public privacy product needs:

- **A conversation belongs to the browser that started it.** Rasa's socket.io channel lets
  any client that names an existing session id join its room (and read every later message,
  the request summary included) and write into it. Here a new session gets a secret
  (``sobu_privacy.conversations.session_secret``, a keyed hash, so it survives restarts and
  holds across several Rasa servers); resuming a session needs it, and a socket may only
  send to the session it was confirmed for. Without the secret the browser gets a new
  conversation, never the old one.
- **The REST channel is for integrations and tests:** it needs the API token
  (``?token=`` as Rasa's HTTP API takes it, or ``Authorization: Bearer``).
- **Bad input gets an answer:** sender ids are checked (so every handoff can be claimed),
  a message that is not text or is longer than ``MAX_MESSAGE_CHARS`` gets the domain's
  ``utter_message_too_long`` / ``utter_message_unreadable`` without reaching the NLU, and
  socket.io checks the Origin against ``SITE_ORIGINS`` and caps frames at 16 KB.
Control characters and lone surrogates are removed by the NLU's normaliser
(``sobu_privacy.text``), so a message carrying them is read like any other.
"""
from __future__ import annotations

import hmac
import logging
import os
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput

from sobu_privacy.conversations import is_conversation_id, secret_matches, session_secret
from sobu_privacy.pseudonyms import log_ref
from sobu_privacy.settings import load_settings

logger = logging.getLogger(__name__)

#: socket.io frames larger than this are refused by the server (a message is ≤ 1000 chars).
MAX_FRAME_BYTES = 16 * 1024
TOO_LONG = "utter_message_too_long"
UNREADABLE = "utter_message_unreadable"


def site_origins() -> List[str]:
    """The origins allowed to open the website's socket: SITE_ORIGINS (comma separated), or
    the console's own origin, which serves the website (``make run``)."""
    configured = [o.strip().rstrip("/") for o in (os.environ.get("SITE_ORIGINS") or "").split(",") if o.strip()]
    if configured:
        return configured
    host, port = os.environ.get("CONSOLE_HOST", "127.0.0.1"), os.environ.get("CONSOLE_PORT", "8000")
    origins = [f"http://{host}:{port}"]
    if host == "127.0.0.1":
        origins.append(f"http://localhost:{port}")
    return origins


def domain_text(request_or_app: Any, response_name: str) -> str:
    """The first text of a domain response (the words live in bot/domain.yml)."""
    app = getattr(request_or_app, "app", request_or_app)
    agent = getattr(app.ctx, "agent", None)
    responses = getattr(getattr(agent, "domain", None), "responses", None) or {}
    variants = responses.get(response_name) or [{}]
    text = variants[0].get("text") or ""
    return text.replace("{max_chars}", f"{load_settings().max_message_chars:,}")


def message_problem(text: object) -> Optional[str]:
    """The response to send instead of reading ``text``, or None when it can be read."""
    if not isinstance(text, str):
        return UNREADABLE
    if len(text) > load_settings().max_message_chars:
        return TOO_LONG
    return None


class TokenRestInput(RestInput):
    """Rasa's REST channel, open only to holders of the API token (BOT_API_TOKEN)."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    def __init__(self, token: Optional[str] = None) -> None:
        self.token = token

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "TokenRestInput":
        return cls((credentials or {}).get("token"))

    def _expected_token(self) -> str:
        return (self.token or os.environ.get("BOT_API_TOKEN") or "").strip()

    def _has_token(self, request: Request) -> bool:
        expected = self._expected_token()
        if not expected:
            return False  # fail closed: no token configured, no REST access
        header = request.headers.get("Authorization") or ""
        presented = header[len("Bearer "):] if header.startswith("Bearer ") else (request.args.get("token") or "")
        return hmac.compare_digest(presented.encode("utf-8", "replace"), expected.encode("utf-8"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = super().blueprint(on_new_message)

        @webhook.middleware("request")
        async def guard(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            if not self._has_token(request):
                return response.json({"error": "token required"}, status=401)
            try:
                body = request.json
            except Exception:  # malformed JSON: Sanic raises on access
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "the body must be a JSON object"}, status=400)
            sender = body.get("sender")
            if not is_conversation_id(sender):
                return response.json(
                    {"error": "sender must be 1–128 characters of A–Z a–z 0–9 _ . : -"}, status=400
                )
            problem = message_problem(body.get("message"))
            if problem is not None:
                return response.json([{"recipient_id": sender, "text": domain_text(request, problem)}])
            return None

        return webhook


class WebsiteSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel where a conversation can be continued only by its browser."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=site_origins(), max_http_buffer_size=MAX_FRAME_BYTES
        )
        webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        #: The conversation each connected socket was confirmed for (this server's sockets).
        confirmed: Dict[str, str] = {}
        key = load_settings().pseudonym_key

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            return True  # the Origin was checked by python-socketio before this

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            confirmed.pop(sid, None)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            wanted = data.get("session_id")
            if is_conversation_id(wanted) and secret_matches(key, wanted, data.get("session_secret")):
                session_id = wanted
            else:
                if wanted:
                    logger.info("session resume refused conversation=%s", log_ref(str(wanted)[:128]))
                session_id = uuid.uuid4().hex
            previous = confirmed.get(sid)
            if previous and previous != session_id:
                sio.leave_room(sid, previous, namespace=self.namespace)
            confirmed[sid] = session_id
            sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit(
                "session_confirm",
                {"session_id": session_id, "session_secret": session_secret(key, session_id)},
                room=sid,
                namespace=self.namespace,
            )

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any = None) -> None:
            session_id = confirmed.get(sid)
            data = data if isinstance(data, dict) else {}
            if session_id is None or data.get("session_id", session_id) != session_id:
                # Not this socket's conversation: nothing is read, nothing joins.
                await sio.emit("session_refused", {}, room=sid, namespace=self.namespace)
                return
            output = SocketIOOutput(sio, self.bot_message_evt)
            text = data.get("message", "")
            problem = message_problem(text)
            if problem is not None:
                await output.send_text_message(session_id, domain_text(next(iter(webhook.apps)), problem))
                return
            metadata = data.get(self.metadata_key) if isinstance(data.get(self.metadata_key), dict) else {}
            await on_new_message(
                UserMessage(text, output, session_id, input_channel=self.name(), metadata=metadata)
            )

        return webhook
