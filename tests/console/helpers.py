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
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import unquote

import requests

from sanic import Sanic
from sqlalchemy import MetaData, Table, insert, select, text

from console.app import create_app
from console.config import Settings
from console.context import ConsoleContext
from console.rasa_client import RasaClient, RasaNotFound, RasaUnavailable
from sobu_privacy.handoff import HandoffSummary
from storage.db import Database
from storage.models import metadata as app_metadata


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
        self.reset()

    def reset(self) -> None:
        """Back to an empty Rasa that answers: no trackers, no recorded calls, no callback."""
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


@dataclass(frozen=True)
class CleanState:
    """A server as start_console left it, to go back to before each test (``reset``)."""

    #: Every table of the app database but alembic_version, parents before children.
    tables: Tuple[Table, ...]
    #: Their rows at that moment (the four staff users), as the ORM types read them.
    rows: Tuple[Tuple[Table, Tuple[Dict[str, Any], ...]], ...]
    sqlite_sequence: bool
    users: Dict[str, str]
    #: The context's parts (stores, Rasa client, erasure) and each part's attributes.
    parts: Dict[str, Any]
    attributes: Tuple[Tuple[Any, Dict[str, Any]], ...]


@dataclass
class ConsoleServer:
    url: str
    ctx: ConsoleContext
    rasa: FakeRasa
    db: Database
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    users: Dict[str, str] = field(default_factory=dict)
    clean: Optional[CleanState] = field(default=None, repr=False)

    def remember_clean_state(self) -> None:
        """Keep what the server looks like now (tables, user rows with their scrypt hashes, the
        context's in-memory parts) so ``reset`` can bring it back without hashing again."""
        reflected = MetaData()
        reflected.reflect(bind=self.db.engine)  # the migrated schema, not only the models
        # The models' tables where they exist, so values read and written keep their types
        # (aware UTC datetimes, JSON); any table only a migration knows is emptied as reflected.
        tables = tuple(app_metadata.tables.get(t.name, t) for t in reflected.sorted_tables
                       if t.name != "alembic_version")
        with self.db.transaction(readonly=True) as session:
            rows = tuple((table, tuple(dict(row._mapping) for row in session.execute(select(table))))
                         for table in tables)
            sqlite_sequence = self.db.dialect == "sqlite" and session.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
            ).first() is not None
        parts = {f.name: getattr(self.ctx, f.name) for f in fields(self.ctx)}
        owners = [value for name, value in parts.items() if name not in ("settings", "db")]
        owners.append(self.ctx.erasure.retention)
        self.clean = CleanState(
            tables=tables,
            rows=tuple((table, table_rows) for table, table_rows in rows if table_rows),
            sqlite_sequence=sqlite_sequence,
            users=dict(self.users),
            parts=parts,
            attributes=tuple((owner, dict(vars(owner))) for owner in owners),
        )

    def reset(self) -> None:
        """Back to the state ``remember_clean_state`` kept, on the same running server.

        One transaction empties every table (children first; alembic_version stays) and puts
        the kept rows back with their ids, so ids start again where a new server's would.
        In memory: the context's parts and their attributes (a clock, a session length a test
        may have set) as they were, and FakeRasa empty and up.
        """
        clean = self.clean
        assert clean is not None, "remember_clean_state() was not called"
        assert self.thread.is_alive(), "the shared console server is not running (did a test stop it?)"
        with self.db.transaction() as session:
            for table in reversed(clean.tables):
                session.execute(table.delete())
            if clean.sqlite_sequence:
                session.execute(text("DELETE FROM sqlite_sequence"))
            for table, table_rows in clean.rows:
                session.execute(insert(table), [dict(row) for row in table_rows])
        for name, value in clean.parts.items():
            setattr(self.ctx, name, value)
        for owner, attributes in clean.attributes:
            vars(owner).clear()
            vars(owner).update(attributes)
        self.rasa = clean.parts["rasa"]
        self.rasa.reset()
        self.users.clear()
        self.users.update(clean.users)

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
    srv.remember_clean_state()
    return srv
