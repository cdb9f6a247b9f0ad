"""The Rasa HTTP calls: their exact shape, checked against a fake server and Rasa's own code."""
from __future__ import annotations

import asyncio
import inspect
from typing import Any, Dict, List

import pytest
from aiohttp import web

from console.rasa_client import RasaClient, RasaUnavailable, staff_reply_event
from console.transcript import build_transcript


def test_staff_reply_reaches_socketio_as_marked_custom_payload():
    """Run Rasa 3.6's own BotUttered + SocketIOOutput over our event and see what is emitted."""
    from rasa.core.channels.socketio import SocketIOOutput
    from rasa.shared.core.events import Event
    import socketio

    emitted: List[Dict[str, Any]] = []

    class FakeSio:
        async def emit(self, event, data=None, to=None, room=None, skip_sid=None, namespace=None,
                       callback=None, ignore_queue=False):
            emitted.append({"event": event, "data": data, "room": room})

    # our fake must accept exactly what python-socketio's emit accepts
    real = inspect.signature(socketio.AsyncServer.emit).parameters
    assert list(inspect.signature(FakeSio.emit).parameters) == list(real)

    event = Event.from_parameters(staff_reply_event("担当の佐藤です", "佐藤", "sato"))
    output = SocketIOOutput(FakeSio(), "bot_uttered")
    asyncio.run(output.send_response("conv-42", event.message()))
    assert emitted == [{"event": "bot_uttered", "data": {"staff_reply": "担当の佐藤です", "staff_name": "佐藤"},
                        "room": "conv-42"}]
    # and the tracker keeps it marked as staff
    assert event.as_dict()["metadata"] == {"from_staff": "sato"}
    assert build_transcript([event.as_dict()])[0]["kind"] == "staff"


def test_plain_custom_dict_would_break_rasa():
    """Why the reply is wrapped in {"data": ...}: a flat dict becomes emit() keyword arguments."""
    from rasa.core.channels.socketio import SocketIOOutput
    import socketio

    sio = socketio.AsyncServer(async_mode="aiohttp")
    output = SocketIOOutput(sio, "bot_uttered")
    with pytest.raises(TypeError):
        asyncio.run(output.send_custom_json("c", {"staff_reply": "x"}))


@pytest.fixture
def fake_rasa_server():
    calls: List[Dict[str, Any]] = []

    async def tracker(request: web.Request) -> web.Response:
        calls.append({"path": request.path, "query": dict(request.query), "auth": request.headers.get("Authorization")})
        if request.match_info["cid"] == "missing":
            return web.json_response({"error": "nope"}, status=404)
        return web.json_response({"sender_id": request.match_info["cid"], "events": []})

    async def execute(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append({"path": request.path, "query": dict(request.query), "auth": request.headers.get("Authorization"),
                      "body": body})
        if request.match_info["cid"] == "nohandback":
            return web.json_response({"error": "unknown action"}, status=500)
        return web.json_response({"tracker": {}})

    async def events(request: web.Request) -> web.Response:
        calls.append({"path": request.path, "query": dict(request.query), "auth": request.headers.get("Authorization"),
                      "body": await request.json()})
        return web.json_response({"sender_id": request.match_info["cid"]})

    async def run(coro_factory):
        app = web.Application()
        app.router.add_get("/conversations/{cid}/tracker", tracker)
        app.router.add_post("/conversations/{cid}/tracker/events", events)
        app.router.add_post("/conversations/{cid}/execute", execute)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        client = RasaClient(f"http://127.0.0.1:{port}", "secret-token")
        try:
            return await coro_factory(client)
        finally:
            await client.close()
            await runner.cleanup()

    return calls, run


def test_client_calls(fake_rasa_server):
    calls, run = fake_rasa_server

    async def scenario(client: RasaClient):
        await client.tracker("abc")
        await client.send_staff_reply("abc", "こんにちは", "tanaka", "tanaka")
        await client.hand_back("abc", "戻ります", "tanaka")
        await client.hand_back("nohandback", "戻ります", "tanaka")
        with pytest.raises(RasaUnavailable):
            await client.tracker("missing")

    asyncio.run(run(scenario))
    assert all(c["query"]["token"] == "secret-token" for c in calls)
    assert calls[0]["path"] == "/conversations/abc/tracker"
    assert calls[1]["query"] == {"output_channel": "socketio", "execute_side_effects": "true", "include_events": "NONE",
                                 "token": "secret-token"}
    assert calls[1]["body"][0]["data"]["custom"]["data"]["staff_reply"] == "こんにちは"
    assert calls[2]["body"][0]["event"] == "resume"
    assert calls[3]["path"] == "/conversations/abc/execute" and calls[3]["body"] == {"name": "utter_handback"}
    assert calls[3]["query"]["output_channel"] == "socketio"
    # without a closing action_listen the bot answers the next message with its fallback
    assert calls[4]["body"] == [{"event": "action", "name": "action_listen"}]
    # a bot without utter_handback: the console's own text is sent instead
    assert calls[5]["body"][0]["event"] == "resume" and calls[6]["path"].endswith("/execute")
    assert calls[7]["body"] == [{"event": "bot", "text": "戻ります", "metadata": {"handback_by": "tanaka"}},
                                {"event": "action", "name": "action_listen"}]


def test_unreachable_rasa_raises_rasa_unavailable():
    async def scenario():
        client = RasaClient("http://127.0.0.1:1", None, timeout_s=2)
        try:
            await client.tracker("x")
        finally:
            await client.close()

    with pytest.raises(RasaUnavailable):
        asyncio.run(scenario())


def test_token_file_fallback(tmp_path):
    from console.config import read_bot_token

    token_file = tmp_path / ".bot_api_token"
    assert read_bot_token({}, token_file) is None
    token_file.write_text("from-file\n")
    assert read_bot_token({}, token_file) == "from-file"
    assert read_bot_token({"BOT_API_TOKEN": "from-env"}, token_file) == "from-env"
