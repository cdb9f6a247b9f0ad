"""Rasa's Redis lock store, made safe for several Rasa servers taking the same conversation at once.

Rasa 3.6's ``RedisLockStore`` keeps one ticket queue per conversation in a Redis key and
changes it by read-modify-write (``issue_ticket``, ``update_lock``, ``cleanup``) with no
atomicity. Two servers receiving a conversation's messages at the same moment can both
read an empty queue and both get ticket 0: both then run at once, both load the same
tracker, and the SQL tracker store keeps only the events of whichever saves first, so a
customer's message is silently lost. (``cleanup`` can likewise delete a queue another
server has just joined, which fails that request.)

Here every change to a conversation's queue happens under a short Redis mutex
(``SET NX PX``, redis-py's ``Lock``), so servers take tickets one after the other. Used
by ``bot/endpoints.scale.yml``::

    lock_store:
      type: bot.lock_store.AtomicRedisLockStore
      url: ${LOCK_REDIS_HOST}
      ...
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Optional, Text

from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

#: How long one read-modify-write of a ticket queue may hold the mutex, and how long a
#: server waits for it, in seconds. Each takes a few Redis round trips, milliseconds.
MUTEX_TIMEOUT_SECONDS = 10


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket queue changes are serialised across Rasa servers."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        if endpoint_config is not None:  # how Rasa builds a lock store named by module path
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    @contextmanager
    def _queue_mutex(self, conversation_id: Text) -> Iterator[None]:
        mutex = self.red.lock(
            f"{self.key_prefix}mutex:{conversation_id}",
            timeout=MUTEX_TIMEOUT_SECONDS,
            blocking_timeout=MUTEX_TIMEOUT_SECONDS,
        )
        if not mutex.acquire():
            raise LockError(f"Could not change the ticket queue of conversation '{conversation_id}'.")
        try:
            yield
        finally:
            mutex.release()

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._queue_mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._queue_mutex(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving, the waiting check and the deletion as one step
        with self._queue_mutex(conversation_id):
            super().cleanup(conversation_id, ticket_number)
