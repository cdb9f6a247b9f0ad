"""bot.recent.RecentlyUsed: what the Rasa server keeps about conversations is bounded in number
and in idle time, least recently used first."""
from __future__ import annotations

from bot.recent import RecentlyUsed


def test_at_most_limit_entries_the_least_recently_used_go_first() -> None:
    recent: RecentlyUsed[str, int] = RecentlyUsed(limit=2, idle_seconds=60, clock=lambda: 0.0)
    recent.put("a", 1)
    recent.put("b", 2)
    assert recent.get("a") == 1  # "a" is now the most recently used
    recent.put("c", 3)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)
    assert len(recent) == 2
    recent.put("c", 4)  # replacing keeps one entry
    assert recent.get("c") == 4 and len(recent) == 2


def test_an_entry_unused_for_longer_than_idle_seconds_is_gone() -> None:
    now = [0.0]
    recent: RecentlyUsed[str, int] = RecentlyUsed(limit=10, idle_seconds=60, clock=lambda: now[0])
    recent.put("a", 1)
    recent.put("b", 2)
    now[0] = 50
    assert recent.get("b") == 2  # used again: idle from 50 on
    now[0] = 60
    assert recent.get("a") == 1  # exactly idle_seconds is still kept
    now[0] = 110.5
    assert recent.get("b") is None  # idle 60.5 s
    assert recent.get("a") == 1  # idle 50.5 s
    now[0] = 171
    assert len(recent) == 0


def test_forget_and_forget_where() -> None:
    recent: RecentlyUsed[tuple, int] = RecentlyUsed(limit=10, idle_seconds=60, clock=lambda: 0.0)
    for key in [("a", 1), ("a", 2), ("b", 1)]:
        recent.put(key, 0)
    recent.forget(("b", 1))
    recent.forget(("z", 9))  # nothing to forget
    assert len(recent) == 2
    recent.forget_where(lambda key: key[0] == "a")
    assert len(recent) == 0


def test_in_an_event_loop_idle_entries_go_without_anyone_asking() -> None:
    """A quiet Rasa server does not keep conversations in memory past the idle time."""
    import asyncio

    async def quiet_server() -> int:
        recent: RecentlyUsed[str, int] = RecentlyUsed(limit=10, idle_seconds=0.05)
        recent.put("a", 1)
        await asyncio.sleep(0.02)
        recent.put("b", 2)
        await asyncio.sleep(0.3)  # nothing touches the mapping meanwhile
        return len(recent._entries)

    assert asyncio.run(quiet_server()) == 0
