"""Helpers shared by the storage tests (and the multi-process worker)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text as sql_text

from storage import TicketDraft


class FakeClock:
    """A clock tests can move; stores take ``clock=`` so expiry and due dates are testable."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2025, 4, 1, 1, 0, tzinfo=timezone.utc)  # 10:00 JST

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def make_draft(**overrides) -> TicketDraft:
    fields = dict(
        request_type="disclosure",
        name="総武 花子",
        name_kana="ソウブ ハナコ",
        postal_code="260-0001",
        address="千葉県千葉市中央区都町1-2-3",
        phone="043-123-4567",
        details="保有個人データの開示をお願いします",
        delivery_method="post",
        conversation_id="conv-1",
    )
    fields.update(overrides)
    return TicketDraft(**fields)


def add_events(engine, sender: str, *moments) -> None:
    with engine.begin() as connection:
        for moment in moments:
            connection.execute(
                sql_text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'user', :t, :d)"),
                {"s": sender, "t": moment.timestamp(), "d": '{"text": "総武 花子です"}'},
            )


def senders(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(sql_text("SELECT DISTINCT sender_id FROM events")).scalars())


