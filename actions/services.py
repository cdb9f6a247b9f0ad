"""The long-lived objects the actions share: knowledge base, stores, settings.

Built on first use, not at import, so that importing an action module for a test costs
nothing and a database that is down only fails the turn that needs it.
"""
from __future__ import annotations

from functools import lru_cache

from policy_kb import KnowledgeBase, load_knowledge_base
from sobu_privacy.settings import Settings, load_settings
from storage import Database, HandoffQueue, StatusCheckGuard, StatusCheckLimits, TicketStore


def settings() -> Settings:
    """The product settings (sobu_privacy.settings), read once per process."""
    return load_settings()


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    return load_knowledge_base()


@lru_cache(maxsize=1)
def database() -> Database:
    return Database.from_env()


def ticket_store() -> TicketStore:
    return TicketStore(database(), due_days=settings().ticket_due_days)


def status_check_guard() -> StatusCheckGuard:
    current = settings()
    limits = StatusCheckLimits(
        max_misses=current.status_check_max_failures,
        lock_minutes=current.status_check_lock_minutes,
        misses_per_minute=current.status_check_misses_per_minute,
    )
    return StatusCheckGuard(database(), limits)


def handoff_queue() -> HandoffQueue:
    return HandoffQueue(database())


def reset() -> None:
    """Forget cached objects (tests change the environment between cases)."""
    for cached in (load_settings, knowledge_base, database):
        cached.cache_clear()
