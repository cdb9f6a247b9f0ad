"""Engine, sessions and migrations: the one place that knows which database we talk to.

SQLite is the default (one machine: action server and console share a file), PostgreSQL is
used when ``DATABASE_URL`` says so (several machines). Everything above this module only sees
``Database.transaction()`` and ``StorageUnavailable``.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Mapping, Optional

from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session

from .errors import StorageUnavailable

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = REPO_ROOT / "var" / "app.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: How long a SQLite writer waits for another writer (another process or thread) before the
#: caller gets StorageUnavailable. Long enough to ride out a burst of filings.
DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 15_000
#: How long to wait for a PostgreSQL server before saying it is unavailable.
DEFAULT_CONNECT_TIMEOUT_S = 5

#: Arbitrary constant for pg_advisory_xact_lock so concurrent first starts migrate one at a time.
_PG_MIGRATION_LOCK_ID = 0x5053_4741  # "PSGA"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """Default clock: aware UTC. Stores accept another clock so tests can move time."""
    return datetime.now(timezone.utc)


def default_url() -> str:
    """``sqlite:///<repo>/var/app.db``; var/ is created because it is git-ignored."""
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _is_unavailable(error: BaseException) -> bool:
    """Connection-level failures and lock time-outs, as opposed to bugs or constraint errors."""
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (exc.OperationalError, exc.InterfaceError, exc.TimeoutError))


class Database:
    """A configured engine whose schema has been upgraded to the newest migration.

    Construct one per process and share it between the stores; it is thread-safe.
    Raises StorageUnavailable from the constructor when the database cannot be reached,
    so a misconfigured deployment fails loudly at start instead of at the first customer.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        migrate: bool = True,
        sqlite_busy_timeout_ms: int = DEFAULT_SQLITE_BUSY_TIMEOUT_MS,
        connect_timeout_s: int = DEFAULT_CONNECT_TIMEOUT_S,
        echo: bool = False,
    ) -> None:
        url = url or default_url()
        if url.startswith("postgres://"):  # the scheme some hosts hand out; SQLAlchemy wants postgresql
            url = "postgresql://" + url[len("postgres://"):]
        self.url: str = url
        parsed = make_url(self.url)
        self.dialect: str = parsed.get_backend_name()
        self.sqlite_busy_timeout_ms = sqlite_busy_timeout_ms
        serializer = lambda obj: json.dumps(obj, ensure_ascii=False)  # noqa: E731 keep Japanese readable
        if self.dialect == "sqlite":
            self.engine: Engine = create_engine(
                self.url,
                echo=echo,
                hide_parameters=True,  # an error message must not carry a ticket's personal data
                json_serializer=serializer,
                # The sqlite3 module's own busy handler; the PRAGMA below sets the same value.
                connect_args={"timeout": sqlite_busy_timeout_ms / 1000, "check_same_thread": False},
            )
            self._install_sqlite_hooks()
        else:
            connect_args = {"connect_timeout": connect_timeout_s} if self.dialect == "postgresql" else {}
            self.engine = create_engine(
                self.url,
                echo=echo,
                hide_parameters=True,
                json_serializer=serializer,
                pool_pre_ping=True,  # a restarted server must not cost the next customer an error
                pool_size=5,
                max_overflow=10,
                pool_timeout=30,
                connect_args=connect_args,
            )
        # Reads do not need SQLite's write lock; see _install_sqlite_hooks.
        self._read_engine = self.engine.execution_options(storage_readonly=True)
        if migrate:
            self.upgrade()

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None, **kwargs: object) -> "Database":
        """Use ``DATABASE_URL`` if set, otherwise the SQLite file under var/."""
        env = os.environ if env is None else env
        return cls(env.get("DATABASE_URL") or None, **kwargs)  # type: ignore[arg-type]

    def _install_sqlite_hooks(self) -> None:
        """WAL + busy timeout so two processes share the file; BEGIN IMMEDIATE for writers.

        pysqlite's default only opens a transaction at the first INSERT/UPDATE, so a
        read-then-write (status change) would read outside the transaction and two writers
        could fail with "database is locked" without waiting. Taking the write lock at BEGIN
        makes writers queue on the busy timeout instead, and makes DDL transactional.
        """
        busy_ms = int(self.sqlite_busy_timeout_ms)

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")  # a ticket number told to a customer must survive power loss
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(connection):  # type: ignore[no-untyped-def]
            readonly = connection.get_execution_options().get("storage_readonly", False)
            connection.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")

    @contextmanager
    def transaction(self, *, readonly: bool = False) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error.

        Connection failures and lock time-outs become StorageUnavailable; other errors
        (IntegrityError, the stores' own exceptions) pass through unchanged.
        """
        bind = self._read_engine if readonly else self.engine
        try:
            with Session(bind, future=True, expire_on_commit=False) as session:
                with session.begin():
                    yield session
        except exc.SQLAlchemyError as error:
            if _is_unavailable(error):
                raise StorageUnavailable(f"database unavailable ({self.safe_url}): {error.__class__.__name__}") from error
            raise

    @property
    def safe_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return make_url(self.url).render_as_string(hide_password=True)

    def alembic_config(self):  # type: ignore[no-untyped-def]
        """An alembic Config pointing at storage/migrations and at this database."""
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to ``revision``; safe when several processes start at once.

        On SQLite the migration runs inside BEGIN IMMEDIATE (see above), on PostgreSQL
        under an advisory transaction lock, so the second starter waits and then finds the
        schema already current.
        """
        from alembic import command

        config = self.alembic_config()
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_MIGRATION_LOCK_ID})
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
        except exc.SQLAlchemyError as error:
            if _is_unavailable(error):
                raise StorageUnavailable(f"database unavailable ({self.safe_url}): {error.__class__.__name__}") from error
            raise

    def current_revision(self) -> Optional[str]:
        """The revision the database is at (None for an empty database)."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except exc.SQLAlchemyError as error:
            if _is_unavailable(error):
                raise StorageUnavailable(f"database unavailable ({self.safe_url})") from error
            raise

    def dispose(self) -> None:
        """Close pooled connections (tests, and before forking worker processes)."""
        self.engine.dispose()
