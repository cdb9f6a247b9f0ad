"""When 総務部 can take over a chat: the policy's 受付時間, read from the knowledge base.

The hours and closed days are data in policy_kb (weekdays 9:00-17:00, closed on weekends,
national holidays and 12/30-1/4); this module only adds the national-holiday calendar
(jpholiday) and the questions the dialogue asks: open now? when next?
"""
from __future__ import annotations

from datetime import datetime, timedelta

import jpholiday

from actions import services

WEEKDAYS_JA = "月火水木金土日"


def is_open(moment: datetime) -> bool:
    return services.knowledge_base().contact.is_open_at(moment, jpholiday.is_holiday)


def next_opening(moment: datetime) -> datetime:
    """The next moment staff are available (the moment itself, if open)."""
    if is_open(moment):
        return moment
    contact = services.knowledge_base().contact
    for days_ahead in range(0, 32):
        day = moment.date() + timedelta(days=days_ahead)
        opening = datetime.combine(day, contact.open_time, tzinfo=moment.tzinfo)
        if opening >= moment and is_open(opening):
            return opening
    raise ValueError("no opening within a month: check the hours in policy_kb/policy.yml")


def describe_opening(moment: datetime) -> str:
    """「11月30日（月）午前9時」: how the next opening is told to a customer."""
    contact = services.knowledge_base().contact
    return f"{moment.month}月{moment.day}日（{WEEKDAYS_JA[moment.weekday()]}）{contact.open}"
