"""Tickets record when the customer's details were erased (retention, erasure requests).

Revision ID: 0003_privacy_retention
Revises: 0002_status_checks
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op


revision = "0003_privacy_retention"
down_revision = "0002_status_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("erased_at")
