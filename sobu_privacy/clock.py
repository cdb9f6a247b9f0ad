"""Japan time: opening hours, due dates and report days are all counted in it.

Timestamps are stored in UTC; whatever a person reads as a day or an hour is JST.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Optional

__all__ = ["JST", "now_in_japan", "japan_date", "parse_moment"]

#: Japan has no daylight saving time, so a fixed offset is exact.
JST = timezone(timedelta(hours=9), "JST")


def now_in_japan() -> datetime:
    return datetime.now(JST)


def japan_date(moment: datetime) -> date:
    """The calendar day in Japan of an aware moment."""
    return moment.astimezone(JST).date()


def parse_moment(value: Optional[str]) -> Optional[datetime]:
    """An ISO time; a time without zone is taken as Japan time. None for empty."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=JST)
