"""bot.remote_action: the same verdicts as Rasa's jsonschema.validate, without rebuilding it."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

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
