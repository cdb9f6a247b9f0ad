"""Fixtures: every store runs against SQLite (tmp_path) and the local PostgreSQL.

PostgreSQL tests get a uniquely named database for this test session, dropped afterwards;
tables are emptied between tests. Set STORAGE_TEST_PG_ADMIN_DSN to use another server.
"""
from __future__ import annotations

import os
import uuid
from typing import Callable, Iterator

import pytest

from storage import Database
from storage.models import Base
from storage_testkit import FakeClock, make_draft  # noqa: F401  (re-exported for tests)

PG_ADMIN_DSN = os.environ.get("STORAGE_TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test")
PG_URL_BASE = os.environ.get("STORAGE_TEST_PG_URL_BASE", "postgresql+psycopg2://postgres@127.0.0.1:5432")
#: Every table of the product's database, emptied between PostgreSQL tests (a new table is
#: never forgotten here).
TABLES = tuple(table.name for table in Base.metadata.sorted_tables)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _pg_admin():
    import psycopg2

    try:
        conn = psycopg2.connect(PG_ADMIN_DSN, connect_timeout=3)
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL must run locally (.ci/run starts it): {PG_ADMIN_DSN}: {str(error).strip()}")
    conn.autocommit = True
    return conn


def _create_pg_database() -> str:
    name = f"storage_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
    conn.close()
    return name


def _drop_pg_database(name: str) -> None:
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.fixture(scope="session")
def pg_new_database() -> Iterator[Callable[[], str]]:
    """Factory of empty, uniquely named PostgreSQL databases (dropped at session end)."""
    created: list[str] = []

    def make() -> str:
        name = _create_pg_database()
        created.append(name)
        return f"{PG_URL_BASE}/{name}"

    yield make
    for name in created:
        _drop_pg_database(name)


@pytest.fixture(scope="session")
def pg_database(pg_new_database) -> Iterator[Database]:
    db = Database(pg_new_database())
    yield db
    db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'app.db'}")
        yield database
        database.dispose()
        return
    database = request.getfixturevalue("pg_database")
    with database.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    yield database


@pytest.fixture
def tracker(db):
    """Rasa's events table, in the same database here (it is another one in production)."""
    from sqlalchemy import text

    from storage.retention import tracker_engine

    engine = tracker_engine(db.url)
    key = "SERIAL PRIMARY KEY" if db.dialect == "postgresql" else "INTEGER PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS events"))
        connection.execute(text(
            f"CREATE TABLE events (id {key}, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) "
            "NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        ))
    yield engine
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE events"))
    engine.dispose()


