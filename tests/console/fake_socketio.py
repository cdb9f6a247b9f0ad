"""A stand-in for Rasa's socket.io channel (same events, same room logic) for browser tests.

Like Rasa with ``session_persistence: true``: ``session_request`` joins the room named by
the session id and answers ``session_confirm``; ``user_uttered`` gets a ``bot_uttered``.
Tests can push to a room at any time, the way a staff reply arrives.
"""
from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any, Dict, List, Optional

import socketio
from aiohttp import web

from tests.console.helpers import free_port

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


class FakeRasaSocket:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
        self.session_requests: List[Optional[str]] = []
        self.user_messages: List[Dict[str, Any]] = []
        self.loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        sio = self.sio

        @sio.on("session_request")
        async def session_request(sid: str, data: Optional[Dict[str, Any]]) -> None:
            data = data or {}
            self.session_requests.append(data.get("session_id"))
            session_id = data.get("session_id") or uuid.uuid4().hex
            sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Dict[str, Any]) -> None:
            self.user_messages.append(data)
            room = data.get("session_id")
            text = data.get("message", "")
            await asyncio.sleep(0.3)  # long enough to see the typing indicator
            if text == "hostile":
                await sio.emit("bot_uttered", {"text": HOSTILE}, room=room)
            elif text == "choices":
                await sio.emit("bot_uttered", {"text": "どちらですか？", "quick_replies": [
                    {"content_type": "text", "title": "開示<b>", "payload": "/request_disclosure"},
                    {"content_type": "text", "title": "訂正", "payload": "/request_correction"}]}, room=room)
            else:
                await sio.emit("bot_uttered", {"text": f"受け取りました: {text}"}, room=room)

    def start(self) -> "FakeRasaSocket":
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            app = web.Application()
            self.sio.attach(app)
            self._runner = web.AppRunner(app)
            self.loop.run_until_complete(self._runner.setup())
            self.loop.run_until_complete(self._listen())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=serve, daemon=True)
        self.thread.start()
        assert ready.wait(10)
        return self

    async def _listen(self) -> None:
        assert self._runner is not None
        self._site = web.TCPSite(self._runner, "127.0.0.1", self.port, shutdown_timeout=0.2)
        await self._site.start()

    def drop_connections(self) -> None:
        """Stop listening and cut every open websocket, as a lost mobile connection would."""
        async def drop() -> None:
            await self._site.stop()
            for ws in list(self._runner.server.connections if self._runner.server else []):
                ws.force_close()

        asyncio.run_coroutine_threadsafe(drop(), self.loop).result(10)

    def listen_again(self) -> None:
        asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)

    def push(self, room: str, data: Dict[str, Any]) -> None:
        """Emit bot_uttered to a session room from the test thread (a staff reply, say)."""
        asyncio.run_coroutine_threadsafe(self.sio.emit("bot_uttered", data, room=room), self.loop).result(5)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
