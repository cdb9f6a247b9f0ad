"""Checking the action server's answers without re-checking the schema every time.

Rasa's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate`` on every
custom-action response, and ``validate`` first checks the *schema* against its meta-schema
and builds a new validator. Profiled under load, that was about a third of the Rasa
server's CPU (issue 12). The schema never changes, so this builds the validator once and
validates with it: the same errors for the same responses, at a fraction of the cost.

``install()`` (called by scripts/rasa_server.py, the project's Rasa entry point) puts it in
place of Rasa's method; nothing under .venv is edited.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator():  # type: ignore[no-untyped-def]
    """The validator of Rasa's action response schema, checked and built once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's ``_validate_action_result``, with the validator built once."""
    error = next(iter(sorted(response_validator().iter_errors(result), key=lambda e: e.path)), None)
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


__all__ = ["install", "validate_action_result", "response_validator", "ValidationError"]
