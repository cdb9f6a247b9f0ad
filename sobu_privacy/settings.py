"""The product's own settings: read once from the environment, with documented defaults.

These are the company's choices that more than one part follows (how long a request may
take, how long a staff session lasts, when a status check locks). Where a service is
listening and which database it uses stay with that service (``console.config``,
``storage.db``). README "Settings" lists every variable.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Mapping, Optional

from .clock import JST, parse_moment

__all__ = ["Settings", "load_settings", "SettingError"]


class SettingError(ValueError):
    """An environment variable holds a value the product cannot use (the message names it)."""


@dataclass(frozen=True)
class Settings:
    #: TICKET_DUE_DAYS: the company's own target for answering a request (the law says
    #: "without delay" and fixes no number of days).
    ticket_due_days: int = 14
    #: CONSOLE_SESSION_MINUTES: a staff session ends after this much inactivity.
    staff_session_minutes: int = 30
    #: CONSOLE_SESSION_MAX_HOURS: a staff session ends this long after the login, however
    #: active it is.
    staff_session_max_hours: float = 12.0
    #: CONSOLE_LOGIN_MAX_FAILURES / CONSOLE_LOGIN_LOCK_MINUTES: failed logins after which a
    #: username is locked, and for how long.
    login_max_failures: int = 5
    login_lock_minutes: float = 15.0
    #: STATUS_CHECK_MAX_FAILURES / STATUS_CHECK_LOCK_MINUTES: wrong 受付番号 + phone pairs
    #: after which status checks lock, and for how long.
    status_check_max_failures: int = 3
    status_check_lock_minutes: int = 30
    #: STATUS_CHECK_PER_MINUTE: wrong pairs accepted per minute from everyone together; past
    #: it, status checks pause until the minute ends (a bound on any search, whatever the
    #: number of conversations or servers it is spread over).
    status_check_misses_per_minute: int = 30
    #: MAX_MESSAGE_CHARS: longer messages are not read; the customer is asked to shorten them
    #: (a request's details fit easily; the NLU's time grows with the length).
    max_message_chars: int = 1000
    #: MAX_TICKETS_PER_CONVERSATION: requests one conversation may file; more are taken by
    #: 総務部 by phone (a bound on what one client can create).
    max_tickets_per_conversation: int = 3
    #: CHAT_RETENTION_DAYS: a conversation (every message and slot in Rasa's tracker store)
    #: is deleted this many days after its last message; closed handoffs and their notes
    #: with it. What the customer is told when they cancel a request.
    chat_retention_days: int = 30
    #: TICKET_RETENTION_DAYS: a closed ticket keeps the customer's details this long after
    #: its last change; then they are erased and the record of the request (number, type,
    #: dates, statuses) stays, pseudonymised.
    ticket_retention_days: int = 1095
    #: ANALYTICS_DETAIL_DAYS: the analytics facts per conversation and question (pseudonym,
    #: intent, the masked text of unanswered questions) are deleted this many days after the
    #: day they happened; the daily counters, which count and name no one, stay.
    analytics_detail_days: int = 90
    #: PURGE_BATCH_SIZE / PURGE_INTERVAL_MINUTES: conversations or tickets per transaction
    #: (short transactions do not hold up live chats), and how often `make run` purges.
    purge_batch_size: int = 200
    purge_interval_minutes: int = 60
    #: ACTION_TIMEOUT_SECONDS: how long Rasa waits for the action server before the customer
    #: gets an apology (bot/remote_action.py); a turn normally takes well under a second.
    action_timeout_seconds: float = 5.0
    #: MAX_WAITING_HANDOFFS: customers waiting for a person at once; more are asked to call
    #: (a bound on what scripted conversations can queue).
    max_waiting_handoffs: int = 50
    #: STAFF_DISPLAY_NAME: how customers see the person replying (担当者（総務部）), never
    #: the staff member's login name.
    staff_display_name: str = "総務部"
    #: CONSOLE_READ_AUDIT_MINUTES: a read of personal data (ticket list, ticket, transcript)
    #: is audited once per user and target in this many minutes (pages poll every few seconds).
    read_audit_minutes: int = 5
    #: FORM_MAX_INVALID_ANSWERS: unreadable answers in a row after which a person is offered.
    form_max_invalid_answers: int = 3
    #: EMERGENCY_PHONE: the company's emergency number for gas leaks. The policy gives none,
    #: so none is invented: unset, the answer says to call the emergency contact at once.
    emergency_phone: Optional[str] = None
    #: ASSISTANT_NOW: pins the clock (ISO time) for opening hours, in tests and demos.
    fixed_now: Optional[datetime] = None
    #: PSEUDONYM_KEY: the secret of the conversation pseudonyms in logs and analytics
    #: (sobu_privacy.pseudonyms). Every service must get the same one (scripts/env.sh makes
    #: it once into var/pseudonym_key); unset, a random key per process is used, so the
    #: pseudonyms of different services or runs do not match.
    pseudonym_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False, compare=False)

    def now(self) -> datetime:
        """The current time in Japan, or the pinned one."""
        return self.fixed_now or datetime.now(JST)

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Settings":
        env = os.environ if env is None else env
        try:
            fixed_now = parse_moment(env.get("ASSISTANT_NOW"))
        except ValueError:
            raise SettingError("ASSISTANT_NOW must be an ISO time, e.g. 2026-11-25T10:00:00+09:00") from None
        return cls(
            ticket_due_days=_whole(env, "TICKET_DUE_DAYS", cls.ticket_due_days),
            staff_session_minutes=_whole(env, "CONSOLE_SESSION_MINUTES", cls.staff_session_minutes),
            staff_session_max_hours=_number(env, "CONSOLE_SESSION_MAX_HOURS", cls.staff_session_max_hours),
            login_max_failures=_whole(env, "CONSOLE_LOGIN_MAX_FAILURES", cls.login_max_failures),
            login_lock_minutes=_number(env, "CONSOLE_LOGIN_LOCK_MINUTES", cls.login_lock_minutes),
            status_check_max_failures=_whole(env, "STATUS_CHECK_MAX_FAILURES", cls.status_check_max_failures),
            status_check_lock_minutes=_whole(env, "STATUS_CHECK_LOCK_MINUTES", cls.status_check_lock_minutes),
            status_check_misses_per_minute=_whole(
                env, "STATUS_CHECK_PER_MINUTE", cls.status_check_misses_per_minute
            ),
            max_message_chars=_whole(env, "MAX_MESSAGE_CHARS", cls.max_message_chars),
            max_tickets_per_conversation=_whole(
                env, "MAX_TICKETS_PER_CONVERSATION", cls.max_tickets_per_conversation
            ),
            chat_retention_days=_whole(env, "CHAT_RETENTION_DAYS", cls.chat_retention_days),
            ticket_retention_days=_whole(env, "TICKET_RETENTION_DAYS", cls.ticket_retention_days),
            analytics_detail_days=_whole(env, "ANALYTICS_DETAIL_DAYS", cls.analytics_detail_days),
            purge_batch_size=_whole(env, "PURGE_BATCH_SIZE", cls.purge_batch_size),
            purge_interval_minutes=_whole(env, "PURGE_INTERVAL_MINUTES", cls.purge_interval_minutes),
            action_timeout_seconds=_number(env, "ACTION_TIMEOUT_SECONDS", cls.action_timeout_seconds),
            max_waiting_handoffs=_whole(env, "MAX_WAITING_HANDOFFS", cls.max_waiting_handoffs),
            staff_display_name=(env.get("STAFF_DISPLAY_NAME") or "").strip() or cls.staff_display_name,
            read_audit_minutes=_whole(env, "CONSOLE_READ_AUDIT_MINUTES", cls.read_audit_minutes),
            form_max_invalid_answers=_whole(env, "FORM_MAX_INVALID_ANSWERS", cls.form_max_invalid_answers),
            emergency_phone=(env.get("EMERGENCY_PHONE") or "").strip() or None,
            fixed_now=fixed_now,
            **_pseudonym_key(env),
        )


def _pseudonym_key(env: Mapping[str, str]) -> dict:
    raw = (env.get("PSEUDONYM_KEY") or "").strip()
    if not raw:
        return {}
    if len(raw) < 16:
        raise SettingError("PSEUDONYM_KEY must be at least 16 characters of random text")
    return {"pseudonym_key": raw.encode("utf-8")}


def _whole(env: Mapping[str, str], name: str, default: int) -> int:
    return int(_number(env, name, default, int, "a whole number"))


def _number(
    env: Mapping[str, str], name: str, default: float, kind: type = float, what: str = "a number"
) -> float:
    """The variable as a positive ``kind``, the default when unset, SettingError otherwise."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingError(f"{name} must be {what}, got {raw!r}") from None
    if value <= 0:
        raise SettingError(f"{name} must be positive, got {value}")
    return value


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings.from_env()
