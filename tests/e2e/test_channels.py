"""The public channels against the real servers (issue 9): each attack here worked before.

- socket.io: a second client presenting another's session id neither reads nor writes
  that conversation; a foreign Origin cannot connect; an oversized message gets an answer.
- REST: only with the API token; sender ids are checked; bad input of every kind gets an
  answer or a clear refusal, and the servers stay up.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any, Dict, List

import pytest
import requests
import socketio

pytestmark = [pytest.mark.servers, pytest.mark.model]


def rest(bot, body: Any, *, token: Any = "default", raw: bytes | None = None) -> requests.Response:
    params = {"token": bot.token if token == "default" else token} if token is not None else {}
    url = f"{bot.rasa_url}/webhooks/rest/webhook"
    if raw is not None:
        return requests.post(url, params=params, data=raw, headers={"Content-Type": "application/json"}, timeout=60)
    return requests.post(url, params=params, json=body, timeout=60)


def still_up(bot) -> None:
    assert requests.get(f"{bot.rasa_url}/status", params={"token": bot.token}, timeout=10).status_code == 200
    assert requests.get(f"http://127.0.0.1:{bot.actions_port}/health", timeout=10).status_code == 200
    assert "総武ガス" in "".join(m.get("text", "") for m in bot.chat(f"up-{uuid.uuid4().hex[:8]}", "こんにちは"))


# --- REST ----------------------------------------------------------------------------------

def test_rest_needs_the_token(running_bot):
    body = {"sender": "no-token", "message": "こんにちは"}
    assert rest(running_bot, body, token=None).status_code == 401
    assert rest(running_bot, body, token="wrong").status_code == 401
    bearer = requests.post(f"{running_bot.rasa_url}/webhooks/rest/webhook", json=body, timeout=30,
                           headers={"Authorization": f"Bearer {running_bot.token}"})
    assert bearer.status_code == 200 and bearer.json()


@pytest.mark.parametrize("sender", ["a/b", "with space", "", "x" * 129, 42, None, "会話"])
def test_rest_refuses_sender_ids_staff_could_not_claim(running_bot, sender):
    reply = rest(running_bot, {"sender": sender, "message": "担当者と話したいです"})
    assert reply.status_code == 400 and "sender" in reply.json()["error"]


@pytest.mark.parametrize(
    "message, expected",
    [
        ("あ" * 60_000, "短くして"),
        ("あ" * 1_001, "短くして"),
        (12345, "読み取れませんでした"),
        (["開示"], "読み取れませんでした"),
        ({"text": "開示"}, "読み取れませんでした"),
        (None, "読み取れませんでした"),
    ],
)
def test_rest_oversize_and_wrong_type_get_a_japanese_answer(running_bot, message, expected):
    reply = rest(running_bot, {"sender": f"bad-{uuid.uuid4().hex[:8]}", "message": message})
    assert reply.status_code == 200
    assert expected in "".join(m.get("text", "") for m in reply.json())


@pytest.mark.parametrize(
    "text",
    ["開示\u0000の手数料\u0007はいくらですか", "\ud800開示の手数料はいくらですか", "\x1b[31m開示の手数料はいくらですか\x7f"],
)
def test_control_characters_and_lone_surrogates_are_read_like_any_message(running_bot, text):
    raw = json.dumps({"sender": f"ctl-{uuid.uuid4().hex[:8]}", "message": text}).encode()  # \ud800 stays escaped
    reply = rest(running_bot, None, raw=raw)
    assert reply.status_code == 200
    assert "手数料" in "".join(m.get("text", "") for m in reply.json())
    parsed = requests.post(f"{running_bot.rasa_url}/model/parse", params={"token": running_bot.token},
                           data=json.dumps({"text": text}).encode(), timeout=30)
    assert parsed.status_code == 200 and parsed.json()["intent"]["name"] == "faq_fee"


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"text"', b"\xff\xfe\x00", b""])
def test_malformed_bodies_are_refused_cleanly(running_bot, raw):
    reply = rest(running_bot, None, raw=raw)
    assert reply.status_code == 400
    still_up(running_bot)


# --- socket.io -----------------------------------------------------------------------------

class Browser:
    """A socket.io client as the widget uses it (websocket transport)."""

    def __init__(self, bot, origin: str | None = None) -> None:
        self.bot = bot
        self.origin = origin or f"http://127.0.0.1:{bot.console_port}"
        self.client = socketio.AsyncClient(reconnection=False)
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.refused: asyncio.Queue = asyncio.Queue()
        self.said: List[Dict[str, Any]] = []
        self.client.on("session_confirm", self.confirmed.put)
        self.client.on("session_refused", self.refused.put)
        self.client.on("bot_uttered", lambda data: self.said.append(data))

    async def connect(self) -> None:
        await self.client.connect(self.bot.rasa_url, transports=["websocket"], headers={"Origin": self.origin},
                                  socketio_path="/socket.io", wait_timeout=10)

    async def session(self, **request: Any) -> Dict[str, Any]:
        await self.client.emit("session_request", request)
        return await asyncio.wait_for(self.confirmed.get(), 10)

    async def say(self, session_id: str, text: str, wait: float = 15) -> str:
        before = len(self.said)
        await self.client.emit("user_uttered", {"message": text, "session_id": session_id})
        deadline = asyncio.get_running_loop().time() + wait
        while len(self.said) == before and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # the rest of the turn's messages
        return "".join(m.get("text") or "" for m in self.said[before:])


def test_a_second_client_cannot_join_or_write_into_a_conversation(running_bot):
    async def scenario() -> None:
        customer, intruder = Browser(running_bot), Browser(running_bot)
        await customer.connect()
        await intruder.connect()
        mine = await customer.session()
        assert mine["session_secret"] and mine["session_id"]
        assert "手数料" in await customer.say(mine["session_id"], "開示の手数料はいくらですか")

        # The intruder presents the customer's session id without (or with a wrong) secret.
        other = await intruder.session(session_id=mine["session_id"])
        assert other["session_id"] != mine["session_id"]
        forged = await intruder.session(session_id=mine["session_id"], session_secret="0" * 40)
        assert forged["session_id"] != mine["session_id"]
        # Writing into the customer's conversation is refused, and nothing reaches it.
        await intruder.client.emit("user_uttered", {"message": "担当者と話したいです", "session_id": mine["session_id"]})
        await asyncio.wait_for(intruder.refused.get(), 10)
        # The customer's next answers go to the customer only.
        heard_before = len(intruder.said)
        assert "プライバシーポリシー" in await customer.say(mine["session_id"], "個人情報の利用目的を教えてください")
        assert len(intruder.said) == heard_before
        tracker = running_bot.tracker(mine["session_id"])
        assert "担当者と話したいです" not in [e.get("text") for e in tracker["events"]]

        # The customer's own browser, after a reload (a new socket), continues with the secret.
        await customer.client.disconnect()
        reloaded = Browser(running_bot)
        await reloaded.connect()
        again = await reloaded.session(session_id=mine["session_id"], session_secret=mine["session_secret"])
        assert again["session_id"] == mine["session_id"]
        assert "手数料" in await reloaded.say(mine["session_id"], "訂正の手数料はかかりますか")
        await reloaded.client.disconnect()
        await intruder.client.disconnect()

    asyncio.run(scenario())


def test_a_foreign_origin_cannot_open_the_socket(running_bot):
    async def scenario() -> None:
        stranger = Browser(running_bot, origin="https://evil.example")
        with pytest.raises(socketio.exceptions.ConnectionError):
            await stranger.connect()

    asyncio.run(scenario())


def test_socket_oversize_and_odd_payloads_get_an_answer(running_bot):
    async def scenario() -> None:
        customer = Browser(running_bot)
        await customer.connect()
        session = (await customer.session(session_id=None, session_secret=12))["session_id"]
        assert "短くして" in await customer.say(session, "あ" * 1_500)
        await customer.client.emit("user_uttered", {"message": {"x": 1}, "session_id": session})
        await asyncio.sleep(1)
        assert "読み取れませんでした" in (customer.said[-1].get("text") or "")
        await customer.client.emit("session_request", "not a dict")
        assert (await asyncio.wait_for(customer.confirmed.get(), 10))["session_id"]
        await customer.client.disconnect()

    asyncio.run(scenario())
    still_up(running_bot)
