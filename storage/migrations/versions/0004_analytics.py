"""Analytics tables: de-identified facts and daily counters written by the event consumer.

Revision ID: 0004_analytics
Revises: 0003_privacy_retention
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op


revision = "0004_analytics"
down_revision = "0003_privacy_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "analytics_conversations",
        sa.Column("pseudonym", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("last_event_ts", sa.Float(), nullable=False),
        sa.Column("handoff", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("ticket", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("in_form", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("open_question_id", sa.Integer()),
        sa.Column("topic_question_id", sa.Integer()),
        sa.PrimaryKeyConstraint("pseudonym", name="pk_analytics_conversations"),
    )
    op.create_index("ix_analytics_conversations_day", "analytics_conversations", ["day"])
    op.create_table(
        "analytics_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation", sa.String(32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("intent", sa.String(64)),
        sa.Column("confidence", sa.Float()),
        sa.Column("section", sa.String(64)),
        sa.Column("unanswered", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("handoff_after", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("text", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_analytics_questions"),
    )
    op.create_index("ix_analytics_questions_day", "analytics_questions", ["day"])
    op.create_index("ix_analytics_questions_conversation", "analytics_questions", ["conversation"])
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "key", name="pk_analytics_daily"),
    )
    op.create_table(
        "analytics_cursors",
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", name="pk_analytics_cursors"),
    )


def downgrade() -> None:
    op.drop_table("analytics_cursors")
    op.drop_table("analytics_daily")
    op.drop_index("ix_analytics_questions_conversation", table_name="analytics_questions")
    op.drop_index("ix_analytics_questions_day", table_name="analytics_questions")
    op.drop_table("analytics_questions")
    op.drop_index("ix_analytics_conversations_day", table_name="analytics_conversations")
    op.drop_table("analytics_conversations")
