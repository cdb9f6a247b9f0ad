"""Figures for analysts: what customers ask, handoffs and requests, without who asked.

Everything comes from the analytics tables the consumer writes from Rasa's event stream
(analytics/figures.py); the console never reads Rasa's own tables and loads no ticket.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Dict, Optional

from analytics.figures import compute_figures
from storage.analytics import AnalyticsStore, Period

from ..errors import ApiError
from ..messages import t
from .base import Service, storage_errors

#: The longest period one request may cover (a year, leap day included).
MAX_PERIOD_DAYS = 366


class AnalyticsService(Service):
    def period(self, days: int, first: Optional[date], last: Optional[date]) -> Period:
        """The last ``days`` days, or the days from ``first`` to ``last`` (Japan time)."""
        try:
            return Period.chosen(days, first, last, self.ctx.settings.product.now().date(), MAX_PERIOD_DAYS)
        except ValueError:
            raise ApiError(400, t("bad_period")) from None

    async def summary(self, period: Period) -> Dict[str, Any]:
        with storage_errors():
            figures = await self.ctx.run(compute_figures, AnalyticsStore(self.ctx.db), period)
        return figures.to_json()
