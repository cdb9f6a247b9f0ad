"""Status-check counters: misses per 受付番号 and in total, shared by every conversation.

Revision ID: 0002_status_checks
Revises: 0001_initial
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op


revision = "0002_status_checks"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_check_counters",
        sa.Column("key", sa.String(20), nullable=False),
        sa.Column("window_started_at", sa.DateTime(), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime()),
        sa.PrimaryKeyConstraint("key", name="pk_status_check_counters"),
    )


def downgrade() -> None:
    op.drop_table("status_check_counters")
