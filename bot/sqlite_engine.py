"""The engine settings both of the project's Rasa SQL stores need (tracker store, event stream).

Rasa creates its engines without ``hide_parameters`` (a database error would log the bound
values: the customer's message) and, on SQLite, with the rollback journal (readers block the
writer). ``make_private`` fixes both on an engine Rasa already built.
"""
from __future__ import annotations

from typing import Sequence

from sqlalchemy import event
from sqlalchemy.engine import Engine


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
