"""bot.lock_store.AtomicRedisLockStore against the real local Redis (db 7, own key prefix)."""
from __future__ import annotations

import threading
import uuid
from typing import List

import pytest
import redis
from rasa.core.lock_store import RedisLockStore, _create_from_endpoint_config
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

PREFIX = "sobuprivacytest"
pytestmark = pytest.mark.redis


@pytest.fixture
def redis_db():
    client = redis.Redis(host="127.0.0.1", port=6379, db=7)
    client.ping()
    yield client
    for key in client.scan_iter(f"{PREFIX}*"):
        client.delete(key)


def config() -> EndpointConfig:
    return EndpointConfig(type="bot.lock_store.AtomicRedisLockStore", url="127.0.0.1", port=6379, db=7,
                          key_prefix=PREFIX)


def tickets_issued_at_once(stores: List[RedisLockStore], conversation_id: str, per_store: int) -> List[int]:
    """Every store issues `per_store` tickets from its own thread, all starting together."""
    start = threading.Barrier(len(stores))
    tickets: List[int] = []
    guard = threading.Lock()

    def issue(store: RedisLockStore) -> None:
        start.wait()
        for _ in range(per_store):
            ticket = store.issue_ticket(conversation_id)
            with guard:
                tickets.append(ticket)

    threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return tickets


def test_rasa_loads_it_from_the_endpoint_config(redis_db) -> None:
    store = _create_from_endpoint_config(config())
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix == f"{PREFIX}:lock:"


def test_servers_taking_tickets_at_once_never_share_one(redis_db) -> None:
    """What two Rasa servers do when one conversation's messages reach both at the same moment."""
    stores = [_create_from_endpoint_config(config()) for _ in range(6)]  # each its own connection
    for round_ in range(5):
        conversation = f"race-{uuid.uuid4().hex[:8]}"
        tickets = tickets_issued_at_once(stores, conversation, per_store=5)
        assert sorted(tickets) == list(range(30)), f"round {round_}: duplicated tickets {sorted(tickets)}"


def test_a_queue_is_removed_only_when_nobody_waits(redis_db) -> None:
    store = _create_from_endpoint_config(config())
    first = store.issue_ticket("conv")
    second = store.issue_ticket("conv")
    store.cleanup("conv", first)
    assert store.get_lock("conv") is not None  # the second is still waiting
    store.cleanup("conv", second)
    assert store.get_lock("conv") is None


def test_the_same_race_catches_rasa_s_own_lock_store_every_time(redis_db) -> None:
    """The check above can fail: Rasa's stock RedisLockStore, raced the same way, hands out
    the same ticket twice (two servers run one conversation's messages at once, and one is
    lost). Repeated until it does, so this holds on every run, not by luck."""
    stock = [RedisLockStore(host="127.0.0.1", port=6379, db=7, key_prefix=PREFIX) for _ in range(6)]
    for round_ in range(50):
        tickets = tickets_issued_at_once(stock, f"stock-race-{uuid.uuid4().hex[:8]}", per_store=5)
        if len(set(tickets)) < len(tickets):
            return  # caught, as expected
    pytest.fail("Rasa's RedisLockStore never duplicated a ticket in 50 rounds: the race test is blind")
