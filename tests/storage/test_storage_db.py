"""Database: migrations, SQLite settings, and failing loudly when the database is unreachable."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import Database, StorageUnavailable, TicketStore
from storage.models import metadata
from storage_testkit import make_draft

REPO = Path(__file__).resolve().parents[2]
EXPECTED_TABLES = {
    "alembic_version", "tickets", "ticket_history", "handoffs", "handoff_notes",
    "staff_users", "staff_sessions", "audit_log",
}


def _head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(Database("sqlite://", migrate=False).alembic_config()).get_current_head()


def _assert_at_head(db: Database) -> None:
    assert db.current_revision() == _head()
    with db.engine.connect() as conn:
        assert EXPECTED_TABLES <= set(inspect(conn).get_table_names())
        # The hand-written migration creates exactly what the models describe.
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []


def test_sqlite_empty_database_migrates_to_head(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    _assert_at_head(db)
    Database(db.url)  # opening again is a no-op upgrade
    _assert_at_head(db)


@pytest.mark.postgres
def test_postgres_empty_database_migrates_to_head(pg_new_database):
    url = pg_new_database()
    empty = Database(url, migrate=False)
    assert empty.current_revision() is None
    empty.dispose()
    db = Database(url)
    _assert_at_head(db)
    db.dispose()


def test_sqlite_uses_wal_and_busy_timeout(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'wal.db'}", sqlite_busy_timeout_ms=4321)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_from_env_uses_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'env.db'}"
    db = Database.from_env({"DATABASE_URL": url})
    assert db.url == url and db.current_revision() == _head()


def test_default_url_is_var_app_db():
    from storage.db import DEFAULT_SQLITE_PATH

    assert DEFAULT_SQLITE_PATH == REPO / "var" / "app.db"


def test_unreachable_postgres_raises_storage_unavailable():
    url = "postgresql+psycopg2://postgres@127.0.0.1:1/test"
    with pytest.raises(StorageUnavailable, match="127.0.0.1:1"):
        Database(url, connect_timeout_s=2)
    # A store on a database that goes away raises too, rather than dropping the filing.
    store = TicketStore(Database(url, migrate=False, connect_timeout_s=2), due_days=14)
    with pytest.raises(StorageUnavailable):
        store.open_ticket(make_draft())
    with pytest.raises(StorageUnavailable):
        store.find_for_customer("PR-0000-0000", "0431234567")


def test_sqlite_locked_past_busy_timeout_raises_storage_unavailable(tmp_path):
    path = tmp_path / "locked.db"
    store = TicketStore(Database(f"sqlite:///{path}", sqlite_busy_timeout_ms=200), due_days=14)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        with pytest.raises(StorageUnavailable):
            store.open_ticket(make_draft())
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert store.open_ticket(make_draft()).number  # works again once the lock is gone


def test_cli_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "storage", "upgrade", "--url", url], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert Database(url, migrate=False).current_revision() == _head()


def test_cli_init_admin_needs_a_password(tmp_path):
    url = f"sqlite:///{tmp_path / 'admin.db'}"
    env = {k: v for k, v in __import__("os").environ.items() if k != "CONSOLE_ADMIN_PASSWORD"}
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "storage", "init-admin", "--url", url],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={**env, **extra}, stdin=subprocess.DEVNULL,
    )
    assert run({"CONSOLE_ADMIN_PASSWORD": "a long admin password"}).returncode == 0
    from storage import StaffDirectory

    assert StaffDirectory(Database(url)).authenticate("admin", "a long admin password") is not None
    assert "already exist" in run({}).stdout  # second run: nothing to do, no prompt
