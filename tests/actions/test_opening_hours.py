"""総務部's hours: weekdays 9-17, not weekends, holidays or 12/30-1/4."""
from datetime import datetime

import pytest

from actions import opening_hours
from sobu_privacy.clock import JST


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize(
    "moment, open_",
    [
        ("2026-11-25T10:00", True),    # Wednesday
        ("2026-11-25T08:59", False),
        ("2026-11-25T17:00", False),
        ("2026-11-28T10:00", False),   # Saturday
        ("2026-11-23T10:00", False),   # 勤労感謝の日 (Monday)
        ("2026-12-30T10:00", False),
        ("2027-01-04T10:00", False),
        ("2027-01-05T10:00", True),
    ],
)
def test_is_open(moment, open_):
    assert opening_hours.is_open(at(moment)) is open_


def test_next_opening_skips_weekend_and_year_end():
    assert opening_hours.next_opening(at("2026-11-27T18:00")) == at("2026-11-30T09:00")
    assert opening_hours.next_opening(at("2026-12-29T17:30")) == at("2027-01-05T09:00")
    assert opening_hours.next_opening(at("2026-11-25T07:00")) == at("2026-11-25T09:00")
    assert opening_hours.describe_opening(at("2026-11-30T09:00")) == "11月30日（月）午前9時"


def test_next_opening_looks_up_to_31_days_ahead(monkeypatch):
    """The search stops after a month: an opening 31 days ahead is found, 32 days ahead is not."""
    start = at("2026-11-27T18:00")
    day_31 = at("2026-12-28T09:00")
    monkeypatch.setattr(opening_hours, "is_open", lambda moment: moment == day_31)
    assert opening_hours.next_opening(start) == day_31

    day_32 = at("2026-12-29T09:00")
    monkeypatch.setattr(opening_hours, "is_open", lambda moment: moment == day_32)
    with pytest.raises(ValueError):
        opening_hours.next_opening(start)


def test_hours_that_never_open_are_reported_as_a_policy_file_error(monkeypatch):
    monkeypatch.setattr(opening_hours, "is_open", lambda moment: False)
    with pytest.raises(ValueError) as raised:
        opening_hours.next_opening(at("2026-11-25T10:00"))
    assert str(raised.value) == "no opening within a month: check the hours in policy_kb/policy.yml"
