"""When 総務部 can take over a chat: the policy's 受付時間.

Weekdays 9:00-17:00, closed on Saturdays, Sundays, national holidays (jpholiday) and
12/30-1/4. Kept as data rather than scattered conditions so staff and tests agree.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import jpholiday

OPEN_AT = time(9, 0)
CLOSE_AT = time(17, 0)


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    year_end = (day.month == 12 and day.day >= 30) or (day.month == 1 and day.day <= 4)
    return not year_end


def is_open(moment: datetime) -> bool:
    return is_business_day(moment.date()) and OPEN_AT <= moment.time() < CLOSE_AT


def next_opening(moment: datetime) -> datetime:
    """The next moment staff are available (now, if open)."""
    if is_open(moment):
        return moment
    day = moment.date()
    if is_business_day(day) and moment.time() < OPEN_AT:
        return datetime.combine(day, OPEN_AT, tzinfo=moment.tzinfo)
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, OPEN_AT, tzinfo=moment.tzinfo)


WEEKDAYS_JA = "月火水木金土日"


def describe_opening(moment: datetime) -> str:
    """「11月27日（金）午前9時」 — how the next opening is told to a customer."""
    return f"{moment.month}月{moment.day}日（{WEEKDAYS_JA[moment.weekday()]}）午前9時"
