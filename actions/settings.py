"""Settings of the action server, read from the environment once.

Everything a deployment may change (emergency contact, ticket due-date target, the clock
used for opening hours) is a setting, so that nothing is invented in code.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

JST = timezone(timedelta(hours=9), "JST")


@dataclass(frozen=True)
class Settings:
    emergency_phone: Optional[str]
    ticket_due_days: int
    fixed_now: Optional[datetime]
    status_check_max_failures: int
    status_check_lock_minutes: int
    form_max_invalid_answers: int

    def now(self) -> datetime:
        """The current time in Japan; tests pin it with ASSISTANT_NOW."""
        return self.fixed_now or datetime.now(JST)


def _parse_now(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=JST)


def load_settings() -> Settings:
    return Settings(
        emergency_phone=os.environ.get("EMERGENCY_PHONE") or None,
        ticket_due_days=int(os.environ.get("TICKET_DUE_DAYS", "14")),
        fixed_now=_parse_now(os.environ.get("ASSISTANT_NOW")),
        status_check_max_failures=int(os.environ.get("STATUS_CHECK_MAX_FAILURES", "3")),
        status_check_lock_minutes=int(os.environ.get("STATUS_CHECK_LOCK_MINUTES", "30")),
        form_max_invalid_answers=int(os.environ.get("FORM_MAX_INVALID_ANSWERS", "3")),
    )
