"""Figures for analysts: what customers ask, handoffs and tickets, without personal data."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Dict

from sobu_privacy.clock import now_in_japan

from .. import analytics
from .base import Service, storage_errors


class AnalyticsService(Service):
    async def summary(self, days: int) -> Dict[str, Any]:
        since = datetime.now(timezone.utc) - timedelta(days=days)
        stats = await self.ctx.run(analytics.tracker_stats, self.ctx.tracker_engine, since)
        with storage_errors():
            tickets = await self.ctx.run(self.ctx.tickets.list)
            open_ = await self.ctx.run(self.ctx.handoffs.open_handoffs)
        return {
            "days": days,
            "tracker_available": stats.available,
            "intents": stats.intents,
            "unanswered": stats.unanswered,
            "per_day": stats.per_day,
            "handoffs": {
                "requested": stats.pauses,
                "waiting": sum(1 for h in open_ if h.status == "waiting"),
                "claimed": sum(1 for h in open_ if h.status == "claimed"),
            },
            "tickets": analytics.ticket_counts(tickets, now_in_japan().date()),
        }
