"""The console's only door to Rasa's HTTP API (``rasa run --enable-api --auth-token``).

Why these calls look the way they do (read from Rasa 3.6's server.py, processor.py and
channels/socketio.py):

* ``POST /conversations/{id}/tracker/events?output_channel=socketio&execute_side_effects=true``
  appends the events, then hands every ``bot`` event to ``SocketIOOutput.send_response``,
  which emits to the room named after the conversation id (the widget joins it with
  ``session_request`` because the channel runs with ``session_persistence: true``).
* A staff reply must reach the widget *marked* as staff. ``send_text_message`` would emit only
  ``{"text": ...}`` (metadata is dropped), so the reply travels as a custom payload:
  ``send_custom_json`` calls ``sio.emit(bot_message_evt, **custom)`` - the custom dict is
  spread into ``AsyncServer.emit``'s keyword arguments. Any key other than emit's own
  (``data``, ``room``, ...) raises TypeError *before* the tracker is saved, so the custom dict
  must be ``{"data": {...}}``; the widget then receives exactly that inner dict:
  ``{"staff_reply": "...", "staff_name": "..."}``. The event's ``text`` stays None so the
  customer does not get the reply twice, and ``metadata.from_staff`` marks it in the tracker.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)

STAFF_METADATA_KEY = "from_staff"
#: The bot's response that tells the customer the assistant takes over again.
HANDBACK_RESPONSE = "utter_handback"


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with an error; the console shows a Japanese message."""


class RasaNotFound(RasaUnavailable):
    """Rasa does not know the conversation."""


def staff_reply_event(text: str, staff_name: str, username: str) -> Dict[str, Any]:
    """The ``bot`` event for a staff reply (see the module docstring for its shape)."""
    return {
        "event": "bot",
        "text": None,
        "data": {"custom": {"data": {"staff_reply": text, "staff_name": staff_name}}},
        "metadata": {STAFF_METADATA_KEY: username},
    }


def is_staff_event(event: Dict[str, Any]) -> bool:
    return event.get("event") == "bot" and bool((event.get("metadata") or {}).get(STAFF_METADATA_KEY))


def staff_reply_text(event: Dict[str, Any]) -> Optional[str]:
    """The reply text of a staff ``bot`` event, or None if the event is not one."""
    custom = ((event.get("data") or {}).get("custom") or {})
    inner = custom.get("data") if isinstance(custom.get("data"), dict) else custom
    text = inner.get("staff_reply") if isinstance(inner, dict) else None
    return text if isinstance(text, str) else None


class RasaClient:
    """Small async wrapper; one aiohttp session per client, created lazily on the running loop."""

    def __init__(self, base_url: str, token: Optional[str], timeout_s: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: Optional[aiohttp.ClientSession] = None

    def _auth_params(self) -> Dict[str, str]:
        """``?token=``: with ``--auth-token`` Rasa 3.6 reads only the query parameter
        (server.requires_auth); the Authorization header is for JWT only."""
        return {"token": self.token} if self.token else {}

    async def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}{suffix}"

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        http = await self._http()
        try:
            params = {**kwargs.pop("params", {}), **self._auth_params()}
            async with http.request(method, url, params=params, **kwargs) as resp:
                if resp.status == 404:
                    raise RasaNotFound(url)
                if resp.status >= 400:
                    body = await resp.text()
                    # The body may echo customer text and the URL carries the token:
                    # log only the path, status and length.
                    logger.warning("Rasa %s %s -> %s (%d bytes)", method, url.split("?")[0], resp.status, len(body))
                    raise RasaUnavailable(f"Rasa answered {resp.status}")
                return await resp.json(content_type=None)
        except aiohttp.ClientError as error:
            raise RasaUnavailable(str(error)) from error
        except (asyncio.TimeoutError, TimeoutError) as error:
            raise RasaUnavailable("timeout") from error

    async def tracker(self, conversation_id: str) -> Dict[str, Any]:
        """The whole tracker (all events) of one conversation."""
        return await self._request("GET", self._url(conversation_id, "/tracker"), params={"include_events": "ALL"})

    async def append_events(self, conversation_id: str, events: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Append events and send their bot messages to the customer's socket.io room."""
        return await self._request(
            "POST",
            self._url(conversation_id, "/tracker/events"),
            params={"output_channel": "socketio", "execute_side_effects": "true", "include_events": "NONE"},
            json=events,
        )

    async def send_staff_reply(self, conversation_id: str, text: str, staff_name: str, username: str) -> None:
        await self.append_events(conversation_id, [staff_reply_event(text, staff_name, username)])

    async def execute(self, conversation_id: str, action: str) -> Dict[str, Any]:
        """Run one action (e.g. a response) and send its messages to the socket.io room."""
        return await self._request(
            "POST",
            self._url(conversation_id, "/execute"),
            params={"output_channel": "socketio", "include_events": "NONE"},
            json={"name": action},
        )

    async def hand_back(self, conversation_id: str, message: str, username: str) -> None:
        """Resume the assistant, tell the customer so, and put the tracker back to listening.

        The wording comes from the bot's own ``utter_handback`` response (the domain owns
        what customers read); if the bot has none, ``message`` (messages.py) is sent instead.
        The closing ``action_listen`` matters: a paused conversation never got one after the
        handoff action, and ``/execute`` does not add one either, so without it the policies
        see a turn that never ended and answer the customer's next message with the fallback
        (checked against the trained bot).
        """
        await self.append_events(conversation_id, [{"event": "resume", "metadata": {STAFF_METADATA_KEY: username}}])
        listen = {"event": "action", "name": "action_listen"}
        try:
            await self.execute(conversation_id, HANDBACK_RESPONSE)
        except RasaUnavailable:
            logger.warning("utter_handback could not run; sending the console's own hand-back text")
            await self.append_events(
                conversation_id, [{"event": "bot", "text": message, "metadata": {"handback_by": username}}, listen]
            )
            return
        await self.append_events(conversation_id, [listen])
