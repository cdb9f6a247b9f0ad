"""Ticket figures for analysts, counted by the database on both dialects."""
from __future__ import annotations

from datetime import timedelta

from sobu_privacy.clock import japan_date
from storage import TicketStore
from storage.analytics import AnalyticsStore, Period
from storage_testkit import make_draft


def test_ticket_figures_count_types_statuses_closings_and_overdue(db, clock):
    tickets = TicketStore(db, clock=clock, due_days=14)
    answered = tickets.open_ticket(make_draft(request_type="disclosure"))
    withdrawn = tickets.open_ticket(make_draft(request_type="erasure"))
    still_open = tickets.open_ticket(make_draft(request_type="erasure"))
    clock.advance(days=2)
    tickets.change_status(answered.number, "受付済", actor="tanaka", comment="本人確認済み")
    clock.advance(days=2)
    tickets.change_status(answered.number, "対応中", actor="tanaka", comment="開始")
    tickets.change_status(answered.number, "回答済", actor="tanaka", comment="郵送しました")  # 4 days
    clock.advance(days=6)
    tickets.change_status(withdrawn.number, "取下げ", actor="tanaka", comment="お客さまより取下げ")  # 10 days
    clock.advance(days=10)  # day 20: the open one is past its due date (day 14)
    today = japan_date(clock())
    figures = AnalyticsStore(db).ticket_figures(Period(today - timedelta(days=29), today), today=today)
    assert figures.by_type == {"disclosure": 1, "erasure": 2}
    assert figures.by_status == {"回答済": 1, "取下げ": 1, "本人確認待ち": 1}
    assert (figures.opened, figures.closed, figures.overdue) == (3, 2, 1)
    assert figures.median_days_to_close == 7.0
    assert still_open.status.value == "本人確認待ち"

    # A period before the tickets existed counts none of them; overdue is "now", whatever the period.
    earlier = AnalyticsStore(db).ticket_figures(Period(today - timedelta(days=90), today - timedelta(days=60)), today=today)
    assert (earlier.opened, earlier.closed, earlier.by_type, earlier.overdue) == (0, 0, {}, 1)
    assert earlier.median_days_to_close is None
