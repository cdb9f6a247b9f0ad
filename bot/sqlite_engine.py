"""The engine settings both of the project's Rasa SQL stores need (tracker store, event stream).

Rasa creates its engines without ``hide_parameters`` (a database error would log the bound
values: the customer's message) and, on SQLite, with the rollback journal (readers block the
writer). ``make_private`` fixes both on an engine Rasa already built.

On SQLite, SQLAlchemy 1.4 gives a file database no connection pool (NullPool): every session
of every turn opened the file, set its pragmas, and on close — the last connection of a WAL
database — checkpointed the log back into the file and synced it. Profiled under the bench's
load (``make profile``), that close was 32 % of the Rasa server's time and the pragmas 1 %.
``pooled`` rebuilds such an engine with a small pool, so connections stay open between turns;
each commit is still synced exactly as before.
"""
from __future__ import annotations

from typing import Any, Sequence

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

#: Connections kept open per SQLite engine: one per concurrent turn Rasa runs (its lock store
#: serialises turns of one conversation; different conversations interleave on one loop).
SQLITE_POOL_SIZE = 4


def pooled(engine: Engine) -> Engine:
    """``engine`` on SQLite with a pool of open connections instead of a new one per session;
    any other database's engine unchanged (Rasa already pools those)."""
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    rebuilt = sqlalchemy.create_engine(
        engine.url, poolclass=QueuePool, pool_size=SQLITE_POOL_SIZE, max_overflow=8, pool_timeout=30,
        # Rasa's stores run on the server's event loop, but a pooled connection may be handed
        # to the thread that runs a sync call next; SQLite objects are safe to move between
        # threads as long as two never use one at once, which the pool guarantees.
        connect_args={"check_same_thread": False},
    )
    engine.dispose()
    return rebuilt


def make_private(engine: Engine, extra_pragmas: Sequence[str] = ()) -> None:
    """Hide bound values in errors; on SQLite use WAL and a busy timeout, plus ``extra_pragmas``."""
    # SQLAlchemy reads this flag when it wraps a driver error (Connection._handle_dbapi_exception).
    engine.hide_parameters = True
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode = WAL", *extra_pragmas, "busy_timeout = 15000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    engine.dispose()  # connections made while Rasa created its tables predate the hook


def make_store_private(store: Any, extra_pragmas: Sequence[str] = ()) -> None:
    """What both Rasa SQL stores need after Rasa built them: the engine ``pooled`` and
    ``make_private``, and the store's sessions bound to that engine."""
    store.engine = pooled(store.engine)
    make_private(store.engine, extra_pragmas)
    store.sessionmaker = sessionmaker(bind=store.engine)
