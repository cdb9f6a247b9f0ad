"""Action tests: real actions run on small tracker JSON fixtures, real SQLite storage."""
from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import services

ROOT = Path(__file__).resolve().parents[2]
TRACKERS = Path(__file__).with_name("trackers")


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def isolated_services(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Each test gets its own database and a clock inside opening hours (a Wednesday 10:00)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("ASSISTANT_NOW", "2026-11-25T10:00:00+09:00")
    monkeypatch.delenv("EMERGENCY_PHONE", raising=False)
    services.reset()
    yield
    services.reset()


def load_tracker(name: str, **slots: Any) -> Dict[str, Any]:
    state = json.loads((TRACKERS / f"{name}.json").read_text(encoding="utf-8"))
    state = copy.deepcopy(state)
    state["slots"].update(slots)
    return state


RunAction = Callable[..., Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]]


@pytest.fixture
def run_action(domain: Dict[str, Any]) -> RunAction:
    """Runs an action on a tracker state; returns (messages sent, events returned)."""

    def run(action: Action, state: Dict[str, Any]):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, Tracker.from_dict(state), domain))
        return dispatcher.messages, events

    return run


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def responses(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("response") for m in messages]
