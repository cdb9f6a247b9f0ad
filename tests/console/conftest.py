from __future__ import annotations

from typing import Iterator

import pytest

from tests.console.helpers import ConsoleServer, start_console


@pytest.fixture
def console(tmp_path) -> Iterator[ConsoleServer]:
    server = start_console(tmp_path)
    yield server
    server.stop()
