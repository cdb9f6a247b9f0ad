"""End-to-end: the chat's events reach the analytics tables through Rasa's event broker,
de-identified, on the embedded default (SQL broker). The scale path's RabbitMQ stream, fed
by two Rasa servers, is tested in test_scale_path.py."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import create_engine, select, text

from sobu_privacy.pseudonyms import ANALYTICS, pseudonym
from storage import Database
from storage.models import AnalyticsConversationRow, AnalyticsDailyRow, AnalyticsQuestionRow
from tests.e2e.test_chat_rest import file_request, new_sender
from tests.servers import ROOT, VENV_BIN, BotServers

pytestmark = [pytest.mark.servers, pytest.mark.model]


def consume_once(bot: BotServers, endpoints: str = "bot/endpoints.yml") -> str:
    """Runs the consumer as make run does, until the stream is drained; returns its output."""
    done = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "analytics", "consume", "--once", "--endpoints", endpoints],
        cwd=ROOT, env=bot.env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout + done.stderr


def analytics_of(bot: BotServers, sender: str) -> tuple:
    """The conversation's analytics row and questions, found by its pseudonym."""
    who = pseudonym(sender, purpose=ANALYTICS, key=bot.env["PSEUDONYM_KEY"].encode())
    db = Database(bot.env["DATABASE_URL"])
    try:
        with db.transaction(readonly=True) as session:
            conversation = session.get(AnalyticsConversationRow, who)
            questions = session.scalars(
                select(AnalyticsQuestionRow).where(AnalyticsQuestionRow.conversation == who).order_by(AnalyticsQuestionRow.id)
            ).all()
            return (
                None if conversation is None else (conversation.handoff, conversation.ticket),
                [(q.intent, q.section, q.unanswered, q.text) for q in questions],
            )
    finally:
        db.dispose()


def every_stored_value(url: str) -> str:
    """Every analytics table's content as one string, to search for what must not be there."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return "\n".join(
                repr(row) for name in ("analytics_conversations", "analytics_questions", "analytics_daily", "analytics_cursors")
                for row in connection.execute(text(f"SELECT * FROM {name}"))
            )
    finally:
        engine.dispose()


def test_a_chat_reaches_analytics_de_identified_through_the_sql_broker(running_bot):
    asker, filer = new_sender(), new_sender()
    running_bot.chat(asker, "個人情報の利用目的を教えてください")
    number = file_request(running_bot, filer)
    output = consume_once(running_bot)
    assert "総武" not in output and asker not in output

    conversation, questions = analytics_of(running_bot, asker)
    assert conversation == (False, False)
    assert questions and questions[0][0] == "faq_purpose" and questions[0][1] and questions[0][3] is None

    conversation, questions = analytics_of(running_bot, filer)
    assert conversation == (False, True)  # a ticket, no person
    assert [q[0] for q in questions] == ["start_request"]  # the form answers are not questions

    stored = every_stored_value(running_bot.env["DATABASE_URL"])
    for personal in ("総武", "花子", "ハナコ", "はなこ", "11112222", "1111-2222", "289-2511", "2892511", "旭市",
                     number, asker, filer):
        assert personal not in stored

    # The stream is a queue: applied events are deleted (all but the newest row, see sources.py).
    broker = create_engine(f"sqlite:///{running_bot.env['EVENT_BROKER_SQLITE_PATH']}", future=True)
    with broker.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() <= 1
    broker.dispose()

    # Consuming again finds nothing new and changes no figure.
    db = Database(running_bot.env["DATABASE_URL"])
    with db.transaction(readonly=True) as session:
        before = session.execute(select(AnalyticsDailyRow.metric, AnalyticsDailyRow.key, AnalyticsDailyRow.count)).all()
    consume_once(running_bot)
    with db.transaction(readonly=True) as session:
        assert session.execute(select(AnalyticsDailyRow.metric, AnalyticsDailyRow.key, AnalyticsDailyRow.count)).all() == before
    db.dispose()
