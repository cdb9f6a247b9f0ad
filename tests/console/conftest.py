"""One console server per test module, reset to a clean state before each test.

Starting a server costs a migrated SQLite database, four scrypt hashes and a Sanic thread;
``console`` hands every test the module's server after ``ConsoleServer.reset``: all tables
emptied and the four users put back as start_console made them (same rows, same hashes),
the context's in-memory parts as they were, FakeRasa empty and up. No test sees another's
data (tests/console/test_isolation.py shows it).

A test that must change something the reset cannot undo (the app's settings are frozen into
the server at start) asks for ``own_console`` instead, or calls start_console itself.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.console.helpers import ConsoleServer, start_console


@pytest.fixture(scope="module")
def shared_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """The module's server; tests use ``console``, which resets it first."""
    server = start_console(tmp_path_factory.mktemp("console"))
    yield server
    server.stop()


@pytest.fixture
def console(shared_console: ConsoleServer) -> ConsoleServer:
    shared_console.reset()
    return shared_console


@pytest.fixture
def own_console(tmp_path) -> Iterator[ConsoleServer]:
    """A server of the test's own, for a test that cannot share one."""
    server = start_console(tmp_path)
    yield server
    server.stop()
