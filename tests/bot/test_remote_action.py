"""bot.remote_action: the same verdicts as Rasa's jsonschema.validate, without rebuilding it;
an apology within the timeout when the action server fails."""
from __future__ import annotations

import asyncio
import copy
import json
import time
from pathlib import Path

import jsonschema
import pytest
from rasa.core.actions import action as rasa_action
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import remote_action
from bot.remote_action import validate_action_result

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": None}],
     "responses": [{"response": "utter_greet"}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"responses": [1, 2]},
    {"events": [{"event": "no_such_event"}]},
    [],
    "text",
]


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass(result):
    jsonschema.validate(result, RemoteAction.action_response_format_spec())
    assert validate_action_result(RemoteAction("action_x", None), result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_as_with_rasa_s_check(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as caught:
        validate_action_result(RemoteAction("action_x", None), result)
    assert "Failed to validate Action server response" in caught.value.message


# --- a failing action server: an apology within the timeout, never silence -------------------


DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain.yml"))
APOLOGY = DOMAIN.responses[remote_action.UNAVAILABLE][0]["text"]


@pytest.fixture
def patched(monkeypatch):
    """The Rasa server's set-up (install()), with a short timeout, undone after the test."""
    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", 0.5)
    monkeypatch.setattr(RemoteAction, "run", remote_action.run_or_apologise)


async def _serve(reply: bytes | None):
    """A one-route HTTP server answering ``reply`` (None: reads the request, never answers)."""
    async def handle(reader, writer):
        await reader.read(65536)
        if reply is None:
            await asyncio.sleep(30)
        else:
            writer.write(reply)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/webhook"


def _http(status: str, body: object) -> bytes:
    data = json.dumps(body).encode()
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode() + data


async def _run(url: str):
    tracker = DialogueStateTracker("c-test", DOMAIN.slots)
    started = time.monotonic()
    events = await RemoteAction("action_answer_faq", EndpointConfig(url)).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker, DOMAIN
    )
    return events, time.monotonic() - started


@pytest.mark.parametrize("reply", [
    None,                                                      # frozen: no answer at all
    _http("500 Internal Server Error", {}),                    # the action raised
    _http("200 OK", ["not", "an", "action", "response"]),      # garbage
])
def test_a_failing_action_server_gives_the_apology_within_the_timeout(patched, reply):
    async def scenario():
        server, url = await _serve(reply)
        async with server:
            return await _run(url)

    events, took = asyncio.run(scenario())
    assert [e.text for e in events] == [APOLOGY]
    assert took < 3


def test_an_unreachable_action_server_gives_the_apology(patched):
    from tests.servers import free_port

    events, _took = asyncio.run(_run(f"http://127.0.0.1:{free_port()}/webhook"))
    assert [e.text for e in events] == [APOLOGY]


def test_a_working_action_server_and_a_form_s_refusal_are_passed_on(patched):
    async def scenario(reply):
        server, url = await _serve(reply)
        async with server:
            return await _run(url)

    events, _ = asyncio.run(scenario(_http("200 OK", {"events": [], "responses": [{"text": "お答えです"}]})))
    assert [e.text for e in events] == ["お答えです"]
    with pytest.raises(ActionExecutionRejection):
        asyncio.run(scenario(_http("400 Bad Request", {"action_name": "action_answer_faq", "error": "no"})))


def test_install_takes_the_timeout_from_the_settings(monkeypatch):
    monkeypatch.setattr(rasa_action, "DEFAULT_REQUEST_TIMEOUT", rasa_action.DEFAULT_REQUEST_TIMEOUT)
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    remote_action.install()
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT == 5.0
    assert RemoteAction.run is remote_action.run_or_apologise


def _sample_events() -> list:
    """One event of every kind an action server may send, as Rasa writes it."""
    from rasa.shared.core import events as ev

    return [e.as_dict() for e in [
        ev.UserUttered("開示したい", {"name": "start_request", "confidence": 0.9},
                       [{"entity": "request_type", "value": "開示", "start": 0, "end": 2}]),
        ev.ActionExecuted("action_listen"), ev.SlotSet("phone", "0479-00-0000"), ev.SlotSet("fallback_count", 2.0),
        ev.BotUttered("はい", {"buttons": [{"title": "はい", "payload": "/affirm"}]}), ev.ActiveLoop("request_form"),
        ev.ActiveLoop(None), ev.LoopInterrupted(True), ev.ActionExecutionRejected("request_form"),
        ev.FollowupAction("action_listen"), ev.Restarted(), ev.UserUtteranceReverted(), ev.ActionReverted(),
        ev.ConversationPaused(), ev.ConversationResumed(), ev.SessionStarted(), ev.AllSlotsReset(),
        ev.ReminderCancelled(name="r"), ev.StoryExported("s.md"), ev.AgentUttered("x"),
        ev.EntitiesAdded([{"entity": "phone_number", "value": "1"}]), ev.DefinePrevUserUtteredFeaturization(False),
    ]]


def _responses_valid_and_not() -> list:
    """Valid responses and, from each event, responses spoiled one field at a time."""
    events = _sample_events()
    results = [{"events": events, "responses": [{"text": "x"}]}, {"events": events[:1]}, {"responses": []}]
    for event in events:
        for key in list(event) + ["extra"]:
            for value in [None, 1, 1.5, "x", [], {}, True, [{"a": 1}]]:
                results.append({"events": [{**event, key: value}]})
            results.append({"events": [{k: v for k, v in event.items() if k != key}]})
        for name in ["user", "slot", "bot", "form", "nonsense", "", None]:
            results.append({"events": [{**event, "event": name}]})
    results += [{"events": [item]} for item in [1, "x", None, [], {}]]
    results += [{"events": {}}, {"events": None}, {"responses": [1]}, {"responses": {}}, [], "x", None, 1]
    return results


def test_a_valid_response_is_shown_valid_exactly_when_jsonschema_finds_it_valid():
    full = remote_action.response_validator()
    verdicts = [(remote_action.response_is_valid(r), full.is_valid(r)) for r in _responses_valid_and_not()]
    assert all(fast == slow for fast, slow in verdicts)
    assert sum(slow for _, slow in verdicts) > 100 and sum(not slow for _, slow in verdicts) > 300  # both kinds


@pytest.mark.parametrize("extra_branch", [
    {"properties": {"text": {"type": "string"}}},  # a branch that names no event type
    {"properties": {"event": {"const": "slot"}}},  # a second branch for slots: a slot then matches two
])
def test_without_a_schema_shaped_for_it_nothing_is_taken_for_valid(monkeypatch, extra_branch):
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())  # Rasa's schema is a shared constant
    schema["properties"]["events"]["items"]["oneOf"].append(extra_branch)
    monkeypatch.setattr(RemoteAction, "action_response_format_spec", staticmethod(lambda: schema))
    remote_action._event_checks.cache_clear()
    try:
        assert remote_action.response_is_valid({"events": [{"event": "slot", "name": "x", "value": 1}]}) is False
    finally:
        remote_action._event_checks.cache_clear()


def test_a_valid_response_does_not_go_through_the_full_validator(monkeypatch):
    def full_validator():
        raise AssertionError("the full validator was asked")
    monkeypatch.setattr(remote_action, "response_validator", full_validator)
    assert validate_action_result(RemoteAction("action_x", None), {"events": _sample_events()}) is True
