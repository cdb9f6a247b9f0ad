"""Shared fixtures: the real servers, started once per test session."""
from __future__ import annotations

import os
from typing import Iterator

import pytest

# Staff password hashes at scrypt n=2**14 in tests (production: 2**17, storage/staff.py); one
# test checks the production cost and the upgrade explicitly.
os.environ.setdefault("STAFF_PASSWORD_SCRYPT_LOG2", "14")

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
