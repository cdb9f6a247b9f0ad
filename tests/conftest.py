"""Shared fixtures: the real servers, started once per test session."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.servers import MODEL, BotServers, start_bot


def _require_model() -> None:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (make test does it)")


@pytest.fixture(scope="session")
def running_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotServers]:
    """Rasa server + action server + website/console with the trained model, inside hours."""
    _require_model()
    servers = start_bot(tmp_path_factory.mktemp("bot"), with_console=True)
    yield servers
    servers.stop()
