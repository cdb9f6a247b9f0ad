"""Test helpers: the real console app on a free port (in a thread) with an in-memory Rasa.

sanic-testing is not installed, so the app runs as a real server on 127.0.0.1 in its own
thread and event loop; tests talk to it over HTTP with ``requests`` like a browser would.

``FakeRasa`` is the real ``RasaClient`` with only its HTTP transport replaced, so every
call the console makes (a reply, a hand-back) goes through the client code that runs in
production and is recorded as the HTTP request it would send. Handoff summaries come from
``bot_summary``, which calls the action server's own ``conversation_summary``.
"""
from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import unquote

import requests

from sanic import Sanic

from console.app import create_app
from console.config import Settings
from console.context import ConsoleContext
from console.rasa_client import RasaClient, RasaNotFound, RasaUnavailable
from sobu_privacy.handoff import HandoffSummary
from storage.db import Database


# Several apps in one process: Sanic's TouchUp rewrites class methods at each start and breaks
# on the second app unless test mode keeps the originals around.
Sanic.test_mode = True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeRasa(RasaClient):
    """RasaClient talking to an in-memory Rasa: trackers are lists of events per conversation.

    ``calls`` holds each request as (method, path, params without the token, JSON body);
    ``appended`` the events appended per call. ``/execute`` of a response appends what
    Rasa appends (the action and its bot message, marked with ``utter_action``).
    """

    def __init__(self) -> None:
        super().__init__("http://rasa.invalid", "x")
        self.events: Dict[str, List[Dict[str, Any]]] = {}
        self.calls: List[tuple] = []
        self.appended: List[tuple] = []
        self.down = False
        self.on_append = None  # optional callback(conversation_id, events) for live delivery

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        if self.down:
            raise RasaUnavailable("down")
        params = {k: v for k, v in kwargs.get("params", {}).items() if k != "token"}
        body = kwargs.get("json")
        path = url[len(self.base_url):]
        self.calls.append((method, path, params, body))
        match = re.fullmatch(r"/conversations/([^/]+)(/.*)", path)
        if match is None:
            raise RasaNotFound(url)
        cid, suffix = unquote(match.group(1)), match.group(2)
        if method == "GET" and suffix == "/tracker":
            return {"sender_id": cid, "events": list(self.events.get(cid, []))}
        if method == "POST" and suffix == "/tracker/events":
            self._append(cid, body)
            return {}
        if method == "POST" and suffix == "/execute":
            name = body["name"]
            self._append(cid, [{"event": "action", "name": name},
                               {"event": "bot", "text": f"({name})", "metadata": {"utter_action": name}}])
            return {}
        raise RasaNotFound(url)

    def _append(self, cid: str, events: List[Dict[str, Any]]) -> None:
        stamped = [{**e, "timestamp": time.time()} for e in events]
        self.events.setdefault(cid, []).extend(stamped)
        self.appended.append((cid, events))
        if self.on_append:
            self.on_append(cid, events)

    async def close(self) -> None:
        return None


def bot_summary(first_question: str = "個人情報の開示を請求したいです", **slots: Any) -> HandoffSummary:
    """A handoff summary exactly as the action server writes it, from a small tracker."""
    from rasa_sdk import Tracker

    from actions.handoff import conversation_summary, handoff_reason

    human = {"text": "担当者と話したい", "intent": {"name": "request_human", "confidence": 0.9}, "entities": []}
    state = {
        "sender_id": "conv",
        "slots": {"request_type": "disclosure", "customer_name": "山田 太郎", "phone": "09012345678", **slots},
        "latest_message": human,
        "events": [
            {"event": "user", "text": first_question, "parse_data": {"intent": {"name": "start_request"}}},
            {"event": "user", "text": human["text"], "parse_data": {"intent": human["intent"]}},
        ],
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    tracker = Tracker.from_dict(state)
    return conversation_summary(tracker, handoff_reason(tracker))


@dataclass
class ConsoleServer:
    url: str
    ctx: ConsoleContext
    rasa: FakeRasa
    db: Database
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    users: Dict[str, str] = field(default_factory=dict)

    def login(self, username: str, password: Optional[str] = None) -> "Client":
        client = Client(self.url)
        client.login(username, password or self.users[username])
        return client

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class Client(requests.Session):
    """A logged-in staff browser: keeps the cookie and knows the CSRF token."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.csrf: Optional[str] = None

    def url(self, path: str) -> str:
        return self.base + path

    def login(self, username: str, password: str) -> requests.Response:
        form = self.get(self.url("/login"))
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        resp = self.post(
            self.url("/login"),
            data={"username": username, "password": password, "csrf_token": token, "next": "/console"},
            allow_redirects=False,
        )
        assert resp.status_code == 303, resp.text
        self.csrf = self.get(self.url("/api/me")).json()["csrf_token"]
        return resp

    def api_post(self, path: str, body: Any = None, *, csrf: bool = True, raw: Optional[bytes] = None) -> requests.Response:
        headers = {"Content-Type": "application/json"}
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        data = raw if raw is not None else (None if body is None else __import__("json").dumps(body))
        return self.post(self.url(path), data=data, headers=headers)


def start_console(tmp_path: Path, *, tracker_db_url: Optional[str] = None, web_dir: Optional[Path] = None,
                  socket_url: str = "http://127.0.0.1:5005", **settings: Any) -> ConsoleServer:
    db = Database(f"sqlite:///{tmp_path / 'app.db'}")
    port = free_port()
    kwargs: Dict[str, Any] = dict(
        port=port,
        rasa_url="http://127.0.0.1:1",
        bot_token="x",
        tracker_db_url=tracker_db_url or f"sqlite:///{tmp_path / 'no_tracker.db'}",
        socket_url=socket_url,
        poll_interval_ms=500,
        **settings,
    )
    if web_dir is not None:
        kwargs["web_dir"] = web_dir
    settings = Settings(**kwargs)
    rasa = FakeRasa()
    ctx = ConsoleContext.build(settings, db, rasa=rasa)  # type: ignore[arg-type]
    app = create_app(ctx, name=f"console_test_{uuid.uuid4().hex[:8]}")
    loop = asyncio.new_event_loop()
    ready = threading.Event()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        server = loop.run_until_complete(
            app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
        )
        loop.run_until_complete(server.startup())
        loop.run_until_complete(server.before_start())
        loop.run_until_complete(server.after_start())
        ready.set()
        loop.run_forever()
        server.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(20), "console did not start"
    srv = ConsoleServer(url=f"http://127.0.0.1:{port}", ctx=ctx, rasa=rasa, db=db, loop=loop, thread=thread)
    for name, role in (("admin1", "admin"), ("staff1", "staff"), ("staff2", "staff"), ("analyst1", "analyst")):
        password = f"{name}-password-123"
        ctx.staff.create_user(name, password, role)
        srv.users[name] = password
    return srv
