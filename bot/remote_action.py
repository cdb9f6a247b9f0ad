"""Calling the action server: a bounded wait, an apology when it fails, and its answers
checked without re-checking the schema every time.

**A slow or unreachable action server costs the customer seconds, not the conversation.**
Rasa waits up to five minutes for an action (``DEFAULT_REQUEST_TIMEOUT``), and when the call
fails it logs the error and says nothing: the customer watches the typing indicator. Here
the wait is ``ACTION_TIMEOUT_SECONDS`` (5 by default) and a failed call (timeout, refused
connection, an error status, an answer that is not a valid action response) gives the
customer ``utter_action_unavailable`` instead. The conversation goes on: a form that could
not validate an answer asks for it again, and the next message reaches the action server as
usual once it is back. A form's refusal (``ActionExecutionRejection``) is not a failure and
is passed on as Rasa expects.

Rasa's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
custom-action response, and ``validate`` first checks the *schema* against its meta-schema
and builds a new validator. Profiled under load, that was about a third of the Rasa
server's CPU (issue 12). The schema never changes, so this builds the validator once and
validates with it: the same errors for the same responses, at a fraction of the cost. A
valid response is shown valid by checking each event against its own type's part of the schema
only (``response_is_valid``: the same verdict, about ten times faster for a form's answer of
18 events); anything else goes through the full validator, for Rasa's verdict and message.

**The validator.** ``install()`` (called by scripts/rasa_server.py, the project's Rasa entry
point) puts these in place of Rasa's methods and sets the timeout; nothing under .venv is
edited.
"""
from __future__ import annotations

import asyncio
import copy
import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions import action as rasa_action
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)

#: What the customer is told when the action server does not answer (bot/domain.yml).
UNAVAILABLE = "utter_action_unavailable"
_RASA_RUN = RemoteAction.run


@lru_cache(maxsize=1)
def response_validator():  # type: ignore[no-untyped-def]
    """The validator of Rasa's action response schema, checked and built once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _event_checks() -> Optional[Tuple[Any, Any, Dict[str, Any]]]:
    """Validators for a response without its events' types, for what every event has in common,
    and for each event type's own branch of the schema's ``oneOf``; ``None`` if the schema is
    not shaped so that the branch named by an event is the only one it can match."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    item = schema["properties"]["events"]["items"]
    names = [branch.get("properties", {}).get("event", {}).get("const") for branch in item.get("oneOf", [])]
    if not names or not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
        return None
    outer = copy.deepcopy(schema)
    outer["properties"]["events"] = {"type": "array"}
    common = {keyword: value for keyword, value in item.items() if keyword != "oneOf"}
    return cls(outer), cls(common), dict(zip(names, (cls(branch) for branch in item["oneOf"])))


def response_is_valid(result: Any) -> bool:
    """``True`` exactly when jsonschema finds the response valid, about ten times faster.

    Each event of Rasa's schema must match exactly one of 23 branches (``oneOf``), so jsonschema
    checks every event against all 23 (profiled in request forms: 11 % of the Rasa server's
    time). Every branch requires its own event type (``"event": {"const": ...}``), so an event
    can only match the branch of the type it names: checking that one branch, and what all
    events share, gives the same verdict. ``False`` means "not shown valid": the caller then
    asks the full validator, for the verdict and for Rasa's error message.
    """
    checks = _event_checks()
    if checks is None or not isinstance(result, dict):
        return False
    outer, common, branches = checks
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        name = event.get("event") if isinstance(event, dict) else None
        branch = branches.get(name) if isinstance(name, str) else None
        if branch is None or not common.is_valid(event) or not branch.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's ``_validate_action_result``, with the validators built once and a valid response
    shown valid without trying each event against every event type."""
    if response_is_valid(result):
        return True
    error = next(iter(sorted(response_validator().iter_errors(result), key=lambda e: e.path)), None)
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


async def run_or_apologise(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Any]:
    """Rasa's ``RemoteAction.run``; when the action server fails, an apology instead of silence."""
    try:
        return await _RASA_RUN(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # a form's "this answer does not fit": Rasa handles it
    except (RasaException, asyncio.TimeoutError, aiohttp.ClientError, ValidationError) as error:
        logger.warning("action %s failed (%s); the customer was told", self.name(), type(error).__name__)
        message = await nlg.generate(UNAVAILABLE, tracker, output_channel.name())
        return [create_bot_utterance(message)] if message else []


def install(timeout_seconds: float | None = None) -> None:
    """Use the checks above in this process (the Rasa server); the timeout from the settings."""
    from sobu_privacy.settings import load_settings

    rasa_action.DEFAULT_REQUEST_TIMEOUT = timeout_seconds or load_settings().action_timeout_seconds
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    RemoteAction.run = run_or_apologise  # type: ignore[method-assign]


__all__ = ["UNAVAILABLE", "install", "run_or_apologise", "validate_action_result", "response_validator", "ValidationError"]
