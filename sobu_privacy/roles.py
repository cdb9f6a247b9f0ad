"""Who works in the staff console, and what each role may see.

Staff (総務部) handle chats and tickets and so see personal data; analysts see only
de-identified figures; admins also manage accounts. The sets below are what the console's
guards check, so a new page states which people need it by naming one of them.
"""
from __future__ import annotations

from typing import FrozenSet

from .labels import LabelledEnum

__all__ = ["Role", "STAFF_ROLES", "ANALYTICS_ROLES", "ADMIN_ROLES", "ALL_ROLES"]


class Role(LabelledEnum):
    """staff: handoffs and tickets; analyst: analytics only; admin: everything and accounts."""

    STAFF = ("staff", "担当者")
    ANALYST = ("analyst", "分析担当")
    ADMIN = ("admin", "管理者")


#: May read transcripts and tickets (personal data) and act on them.
STAFF_ROLES: FrozenSet[Role] = frozenset({Role.STAFF, Role.ADMIN})
#: May read the de-identified analytics.
ANALYTICS_ROLES: FrozenSet[Role] = frozenset({Role.ANALYST, Role.ADMIN})
#: May manage staff accounts.
ADMIN_ROLES: FrozenSet[Role] = frozenset({Role.ADMIN})
ALL_ROLES: FrozenSet[Role] = frozenset(Role)
