"""Where the consumer reads Rasa's events: the broker Rasa is configured with.

The consumer reads the ``event_broker`` section of the same endpoints file the Rasa server
uses (bot/endpoints.yml or bot/endpoints.scale.yml), so the two can never disagree:

- **SQL** (the embedded default, ``bot.event_broker.PrivateSQLEventBroker``): rows of the
  broker's ``events`` table, read in id order after the cursor stored with the facts, and
  deleted once applied (the stream is a queue, not a second copy of every chat);
- **RabbitMQ** (``type: pika``, the scale path): every Rasa server publishes to one durable
  queue; messages are acknowledged only after the batch they belong to is committed.
  A redelivery after a crash is skipped by the consumer (see analytics/consumer.py).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from sqlalchemy import create_engine, delete, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import column, table

from .consumer import Consumer

logger = logging.getLogger(__name__)

#: Rasa's SQL event broker table (rasa.core.brokers.sql.SQLEventBroker.SQLBrokerEvent).
BROKER_EVENTS = table("events", column("id"), column("sender_id"), column("data"))
BATCH_SIZE = 500
POLL_SECONDS = 0.5
#: Rasa's exchange; the consumer's queue is bound to it (rasa.core.brokers.pika).
RABBITMQ_EXCHANGE = "rasa-exchange"


@dataclass(frozen=True)
class BrokerConfig:
    """The endpoints file's ``event_broker`` section, with variables substituted."""

    type: str
    url: Optional[str]
    kwargs: Mapping[str, Any]

    @property
    def is_sql(self) -> bool:
        return self.type in ("sql",) or self.type.endswith("PrivateSQLEventBroker")

    @property
    def is_rabbitmq(self) -> bool:
        return self.type == "pika"


def read_broker_config(endpoints: Path) -> Optional[BrokerConfig]:
    """Read it as Rasa does (rasa.utils.endpoints), so ``${VAR}`` means the same thing."""
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(str(endpoints), "event_broker")
    if config is None:
        return None
    kwargs = dict(config.kwargs)
    return BrokerConfig(type=str(config.type or kwargs.pop("type", "")), url=config.url, kwargs=kwargs)


def _decode(data: Any) -> Optional[Dict[str, Any]]:
    try:
        event = json.loads(data)
    except (TypeError, ValueError):
        return None
    return event if isinstance(event, dict) else None


class SqlBrokerSource:
    """Reads and deletes the SQL event broker's rows."""

    name = "sql-broker"

    def __init__(self, engine: Engine, consumer: Consumer, batch_size: int = BATCH_SIZE) -> None:
        self.engine = engine
        self.consumer = consumer
        self.batch_size = batch_size

    @classmethod
    def from_config(cls, config: BrokerConfig, consumer: Consumer) -> "SqlBrokerSource":
        from rasa.core.tracker_store import SQLTrackerStore

        kwargs = dict(config.kwargs)
        url = SQLTrackerStore.get_db_url(
            kwargs.get("dialect", "sqlite"), config.url, kwargs.get("port"), kwargs.get("db", "events.db"),
            kwargs.get("username"), kwargs.get("password"),
        )
        return cls(create_engine(url, future=True, hide_parameters=True), consumer)

    def drain_once(self) -> int:
        """Apply the next batch; returns how many rows it held (0: nothing new)."""
        if not inspect(self.engine).has_table("events"):
            return 0  # Rasa has not published anything yet
        position = self.consumer.store.cursor(self.name)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(BROKER_EVENTS.c.id, BROKER_EVENTS.c.data)
                .where(BROKER_EVENTS.c.id > position)
                .order_by(BROKER_EVENTS.c.id)
                .limit(self.batch_size)
            ).all()
        if rows:
            events = [event for event in (_decode(row.data) for row in rows) if event is not None]
            self.consumer.skipped += len(rows) - len(events)
            position = rows[-1].id
            self.consumer.process(events, cursor=(self.name, position))
        # Applied (and the cursor committed with the facts): the raw events go, all but the
        # newest row: SQLite numbers a new row max(id) + 1, so an emptied table would
        # number the next events from 1 again, behind the cursor.
        with self.engine.begin() as connection:
            connection.execute(delete(BROKER_EVENTS).where(BROKER_EVENTS.c.id < position))
        return len(rows)

    def drain(self) -> int:
        total = 0
        while True:
            n = self.drain_once()
            total += n
            if n < self.batch_size:
                return total

    def run_forever(self, poll_seconds: float = POLL_SECONDS) -> None:
        while True:
            if self.drain_once() < self.batch_size:
                time.sleep(poll_seconds)


class RabbitSource:
    """Consumes the RabbitMQ queue Rasa's pika broker publishes to."""

    def __init__(self, config: BrokerConfig, consumer: Consumer, batch_size: int = BATCH_SIZE) -> None:
        kwargs = dict(config.kwargs)
        queues = kwargs.get("queues") or ["rasa_production_events"]
        self.queue_name: str = queues[0] if isinstance(queues, (list, tuple)) else str(queues)
        self.exchange_name: str = kwargs.get("exchange_name", RABBITMQ_EXCHANGE)
        self.host = config.url or "localhost"
        self.port = int(kwargs.get("port") or 5672)
        self.username = str(kwargs.get("username") or "guest")
        self.password = str(kwargs.get("password") or "guest")
        self.consumer = consumer
        self.batch_size = batch_size

    async def _connect(self) -> Tuple[Any, Any]:
        import aio_pika

        connection = await aio_pika.connect_robust(
            host=self.host, port=self.port, login=self.username, password=self.password
        )
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=self.batch_size * 2)
        # Declared exactly as Rasa declares them, so either may start first.
        exchange = await channel.declare_exchange(self.exchange_name, type=aio_pika.ExchangeType.FANOUT)
        queue = await channel.declare_queue(self.queue_name, durable=True)
        await queue.bind(exchange, "")
        return connection, queue

    async def run(self, *, idle_exit_seconds: Optional[float] = None) -> int:
        """Consume until cancelled (or, for tests and ``--once``, until idle that long)."""
        connection, queue = await self._connect()
        inbox: "asyncio.Queue[Any]" = asyncio.Queue()
        await queue.consume(inbox.put)
        applied = 0
        try:
            while True:
                try:
                    first = await asyncio.wait_for(inbox.get(), timeout=idle_exit_seconds)
                except asyncio.TimeoutError:
                    return applied
                messages: List[Any] = [first]
                while len(messages) < self.batch_size and not inbox.empty():
                    messages.append(inbox.get_nowait())
                events = [event for event in (_decode(m.body) for m in messages) if event is not None]
                self.consumer.skipped += len(messages) - len(events)
                applied += await asyncio.to_thread(self.consumer.process, events)
                await messages[-1].ack(multiple=True)  # only after the batch is committed
        finally:
            await connection.close()
