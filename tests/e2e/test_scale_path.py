"""The scale path for real: two Rasa servers sharing a PostgreSQL tracker store and a Redis
lock store, tickets in PostgreSQL, both publishing their events to RabbitMQ. A conversation
may hop between instances (as behind a load balancer) and still continue where it was (a
website conversation too, with its secret), and once erased it is gone on both; one analytics consumer turns both servers' streams into one
analytics store."""
from __future__ import annotations

import asyncio
import concurrent.futures
import uuid

import psycopg2
import pytest
import redis
from sqlalchemy import create_engine, text

from storage import Database
from storage.retention import Retention, tracker_engine
from tests.e2e.test_analytics_stream import analytics_of, consume_once, every_stored_value
from tests.e2e.test_channels import Browser
from tests.e2e.test_chat_rest import file_request, texts
from tests.servers import start_bot

pytestmark = [pytest.mark.servers, pytest.mark.model, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]

PG = dict(host="127.0.0.1", port=5432, user="postgres")
SITE = "http://127.0.0.1:8999"


@pytest.fixture
def scale_databases():
    name = f"sobu_scale_{uuid.uuid4().hex[:8]}"
    try:
        admin = psycopg2.connect(dbname="postgres", **PG)
        redis.Redis(host="127.0.0.1", port=6379).ping()
    except Exception as error:  # the services these machines run; say plainly if absent
        pytest.fail(f"PostgreSQL and Redis must run locally for the scale path: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
    asyncio.run(_delete_queue(name))
    lock_store = redis.Redis(host="127.0.0.1", port=6379, db=7)
    for key in lock_store.scan_iter("sobuprivacy*"):
        lock_store.delete(key)


async def _socket_moves_between(first, second) -> None:
    customer = Browser(first, origin=SITE)
    await customer.connect()
    mine = await customer.session()
    assert "手数料" in await customer.say(mine["session_id"], "開示の手数料はいくらですか")
    await customer.client.disconnect()
    reloaded, stranger = Browser(second, origin=SITE), Browser(second, origin=SITE)
    await reloaded.connect()
    await stranger.connect()
    again = await reloaded.session(session_id=mine["session_id"], session_secret=mine["session_secret"])
    assert again["session_id"] == mine["session_id"]
    assert "手数料" in await reloaded.say(mine["session_id"], "訂正の手数料はかかりますか")
    assert (await stranger.session(session_id=mine["session_id"]))["session_id"] != mine["session_id"]
    typed = [e.get("text") for e in second.tracker(mine["session_id"])["events"] if e["event"] == "user"]
    assert typed == ["開示の手数料はいくらですか", "訂正の手数料はかかりますか"]
    await reloaded.client.disconnect()
    await stranger.client.disconnect()


async def _delete_queue(name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(host="127.0.0.1", port=5672, login="guest", password="guest")
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(name)


def test_two_instances_share_conversations_and_tickets(tmp_path, scale_databases):
    settings = dict(
        RASA_ENDPOINTS="bot/endpoints.scale.yml",
        TRACKER_PG_HOST="127.0.0.1", TRACKER_PG_PORT="5432", TRACKER_PG_DB=scale_databases,
        TRACKER_PG_USER="postgres", TRACKER_PG_PASSWORD="",
        LOCK_REDIS_HOST="127.0.0.1", LOCK_REDIS_PORT="6379", LOCK_REDIS_DB="7",
        DATABASE_URL=f"postgresql://postgres@127.0.0.1:5432/{scale_databases}",
        RABBITMQ_HOST="127.0.0.1", RABBITMQ_PORT="5672", RABBITMQ_USER="guest", RABBITMQ_PASSWORD="guest",
        RABBITMQ_QUEUE=scale_databases,  # this test's own queue
        # One deployment: the servers share the pseudonym key (socket.io secrets, analytics)
        # and the website's origin.
        PSEUDONYM_KEY=f"scale-key-{scale_databases}", SITE_ORIGINS=SITE,
    )
    first = start_bot(tmp_path / "a", **settings)
    second = start_bot(tmp_path / "b", with_actions=False,
                       ACTION_SERVER_URL=first.env["ACTION_SERVER_URL"],
                       ACTION_SERVER_TOKEN=first.env["ACTION_SERVER_TOKEN"], **settings)
    try:
        sender = f"scale-{uuid.uuid4().hex[:8]}"
        # The form started on one instance continues on the other.
        assert "ご本人さまですか" in texts(first.chat(sender, "個人情報の開示を請求したいです"))
        assert "お名前" in texts(second.chat(sender, "本人です"))
        assert "フリガナ" in texts(first.chat(sender, "総武 花子"))

        # Messages of one conversation arriving at both instances at once are serialised
        # by the Redis lock store: both are recorded, neither is lost.
        racer = f"scale-race-{uuid.uuid4().hex[:8]}"
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            replies = list(pool.map(lambda bot: bot.chat(racer, "こんにちは"), [first, second]))
        assert all(replies)
        users = [e for e in first.tracker(racer)["events"] if e["event"] == "user"]
        assert len(users) == 2

        number = file_request(second, f"scale-file-{uuid.uuid4().hex[:8]}")
        engine = create_engine(settings["DATABASE_URL"], future=True)
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM tickets WHERE number = :n"), {"n": number})
            assert stored.scalar_one() == 1
        engine.dispose()

        # Both servers published to RabbitMQ; one consumer fills one analytics store.
        asker = f"scale-ask-{uuid.uuid4().hex[:8]}"
        second.chat(asker, "個人情報の利用目的を教えてください")
        consume_once(first, "bot/endpoints.scale.yml")
        conversation, questions = analytics_of(first, sender)  # served by both servers
        assert conversation is not None and [q[0] for q in questions] == ["start_request"]
        conversation, questions = analytics_of(first, asker)  # served by the second only
        assert conversation == (False, False) and questions[0][0] == "faq_purpose"
        assert analytics_of(first, racer)[0] is not None
        stored = every_stored_value(settings["DATABASE_URL"])
        assert "総武" not in stored and "花子" not in stored and number not in stored

        # The website's conversation, confirmed by one server, resumes on the other with its
        # secret (a reload that the load balancer sends elsewhere); without it, it does not.
        asyncio.run(_socket_moves_between(first, second))

        # Erasing the conversation from the shared tracker store leaves no copy on either
        # server: it continues as a new conversation wherever its next message arrives.
        tracker_url = f"postgresql://postgres@127.0.0.1:5432/{scale_databases}"
        assert Retention(Database(settings["DATABASE_URL"]), tracker_engine(tracker_url)).forget_conversations([sender])
        for bot in (first, second):
            bot.chat(sender, "こんにちは")
            typed = [e.get("text") for e in bot.tracker(sender)["events"] if e["event"] == "user"]
            assert "総武 花子" not in typed and "個人情報の開示を請求したいです" not in typed
            assert bot.tracker(sender)["slots"].get("customer_name") is None
    finally:
        second.stop()
        first.stop()
