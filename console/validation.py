"""Input checks shared by the JSON API and the HTML forms.

Everything that arrives is untrusted: wrong types, empty or huge strings, malformed JSON.
Each check raises ApiError(400) with a Japanese message naming the field, so bad input
never reaches storage or Rasa and never becomes a 500.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Dict, Mapping, Optional, Sequence
from urllib.parse import unquote

from sobu_privacy.conversations import is_conversation_id

from .errors import ApiError
from .messages import t

MAX_BODY_BYTES = 64 * 1024
REPLY_MAX = 2000
NOTE_MAX = 4000
COMMENT_MAX = 2000
#: Longest password accepted anywhere (login refuses longer ones, so none may be set).
PASSWORD_MAX = 256
#: Longest stored username (storage's column); names of existing users in URLs are checked
#: against this only, since storage may hold names the console would not create.
USERNAME_STORED_MAX = 100
_USERNAME = re.compile(r"^[A-Za-z0-9._\-]{3,64}$")


def json_body(raw: Optional[bytes]) -> Dict[str, Any]:
    """Parse a JSON object body; 400 for empty, too large, malformed or non-object bodies."""
    if raw is not None and len(raw) > MAX_BODY_BYTES:
        raise ApiError(400, t("body_too_large"))
    if not raw or not raw.strip():
        raise ApiError(400, t("body_not_object"))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, t("bad_json")) from None
    if not isinstance(data, dict):
        raise ApiError(400, t("body_not_object"))
    return data


def form_body(form: Any) -> Dict[str, Any]:
    """Flatten Sanic's RequestParameters (lists) into single values."""
    return {key: form.get(key) for key in (form or {})}


def text_field(
    body: Mapping[str, Any], name: str, label: str, *, required: bool = True, max_len: int = 200
) -> Optional[str]:
    """A string field, stripped; None when optional and absent/empty."""
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, t("field_required", field=label))
        return None
    if not isinstance(value, str):
        raise ApiError(400, t("field_type", field=label))
    value = value.strip()
    if len(value) > max_len:
        raise ApiError(400, t("field_too_long", field=label, max=max_len))
    if "\x00" in value:
        raise ApiError(400, t("field_type", field=label))
    return value


def choice_field(
    body: Mapping[str, Any], name: str, label: str, choices: Sequence[str], *, required: bool = True
) -> Optional[str]:
    value = text_field(body, name, label, required=required, max_len=64)
    if value is not None and value not in choices:
        raise ApiError(400, t("field_choice", field=label))
    return value


def conversation_id(value: str) -> str:
    if not is_conversation_id(value):
        raise ApiError(400, t("bad_conversation_id"))
    return value


def username(value: Any) -> str:
    if not isinstance(value, str) or not _USERNAME.match(value):
        raise ApiError(400, t("bad_username"))
    return value


def existing_username(value: Any) -> str:
    """The name of an existing user from a URL path segment (percent-encoded; Sanic 21.12
    leaves a parameter before a further segment encoded): any text up to 100 characters,
    storage decides whether it exists."""
    if isinstance(value, str):
        value = unquote(value)
    if not isinstance(value, str) or not value:
        raise ApiError(400, t("field_required", field=t("label_username")))
    if len(value) > USERNAME_STORED_MAX:
        raise ApiError(400, t("field_too_long", field=t("label_username"), max=USERNAME_STORED_MAX))
    if any(ord(ch) < 32 for ch in value):
        raise ApiError(400, t("field_type", field=t("label_username")))
    return value


def password_field(body: Mapping[str, Any], name: str, label: str) -> str:
    """A password exactly as typed (never stripped): a non-empty string of at most
    PASSWORD_MAX characters. The strength rule itself is storage's (``_check_password``)."""
    value = body.get(name)
    if value is None or value == "":
        raise ApiError(400, t("field_required", field=label))
    if not isinstance(value, str):
        raise ApiError(400, t("field_type", field=label))
    if len(value) > PASSWORD_MAX:
        raise ApiError(400, t("password_too_long", max=PASSWORD_MAX))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from JSON ("\ud800") cannot be hashed
        raise ApiError(400, t("field_type", field=label)) from None
    return value


def bool_field(body: Mapping[str, Any], name: str, label: str) -> bool:
    """A JSON boolean (not 0/1, not a string)."""
    value = body.get(name)
    if value is None:
        raise ApiError(400, t("field_required", field=label))
    if not isinstance(value, bool):
        raise ApiError(400, t("field_type", field=label))
    return value


def date_param(value: Optional[str]) -> Optional[date]:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApiError(400, t("bad_date")) from None


def int_param(value: Optional[str], default: int, low: int, high: int, message_key: str) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ApiError(400, t(message_key)) from None
    if not low <= number <= high:
        raise ApiError(400, t(message_key))
    return number


def ensure_json_dumpable(data: Any) -> Any:
    """Round-trip through json so summaries with odd types cannot break a response."""
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))
