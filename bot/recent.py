"""What a Rasa server keeps in memory about the conversations it serves: little, and not for long.

The tracker store keeps the conversations it served last (``bot/tracker_store.py``) and their
policies' view (``bot/past_states.py``) so that the next turn does not read and work out the
whole conversation again. Both hold customer data, so both live in a :class:`RecentlyUsed`:
at most ``limit`` entries, none unused for longer than ``idle_seconds``, the least recently used
forgotten first. Idle entries go when the mapping is next used and, inside a running event loop
(the Rasa server), also on a timer, so a quiet server does not keep them overnight. The database
stays the record; this is only a copy that is checked against it.
"""
from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from typing import Callable, Generic, Hashable, Optional, Tuple, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class RecentlyUsed(Generic[K, V]):
    """A small mapping that forgets what was not used lately."""

    def __init__(self, limit: int = 256, idle_seconds: float = 600.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._entries: "OrderedDict[K, Tuple[float, V]]" = OrderedDict()
        self._timer: Optional[asyncio.TimerHandle] = None

    def __len__(self) -> int:
        self._forget_idle()
        return len(self._entries)

    def get(self, key: K) -> Optional[V]:
        """The entry, now the most recently used; ``None`` if there is none (or it was idle too long)."""
        self._forget_idle()
        entry = self._entries.pop(key, None)
        if entry is None:
            return None
        self._entries[key] = (self._clock(), entry[1])
        return entry[1]

    def put(self, key: K, value: V) -> None:
        self._forget_idle()
        self._entries.pop(key, None)
        self._entries[key] = (self._clock(), value)
        while len(self._entries) > self.limit:
            self._entries.popitem(last=False)
        self._schedule_sweep()

    def forget(self, key: K) -> None:
        self._entries.pop(key, None)

    def forget_where(self, matches: Callable[[K], bool]) -> None:
        for key in [key for key in self._entries if matches(key)]:
            del self._entries[key]

    def _schedule_sweep(self) -> None:
        """Forget the oldest entry when it has been idle long enough, if an event loop runs here."""
        if self._timer is not None or not self._entries:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        oldest_used_at = next(iter(self._entries.values()))[0]
        delay = max(0.0, oldest_used_at + self.idle_seconds - self._clock())
        self._timer = loop.call_later(delay + 0.01, self._sweep)

    def _sweep(self) -> None:
        self._timer = None
        self._forget_idle()
        self._schedule_sweep()

    def _forget_idle(self) -> None:
        now = self._clock()
        while self._entries:
            key, (used_at, _) = next(iter(self._entries.items()))
            if now - used_at <= self.idle_seconds:
                return
            del self._entries[key]
