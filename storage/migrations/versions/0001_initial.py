"""Initial schema: tickets and their history, handoffs and notes, staff users, sessions, audit log.

Revision ID: 0001_initial
Revises:
Create Date: 2025-11-26
"""
import sqlalchemy as sa
from alembic import op


revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

REQUEST_TYPES = ("disclosure", "correction", "addition", "deletion", "stop_use", "erasure")
REQUESTER_KINDS = ("self", "agent")
DELIVERY_METHODS = ("post", "counter", "electronic")
TICKET_STATUSES = ("本人確認待ち", "受付済", "対応中", "回答済", "取下げ", "対応不可")
ROLES = ("staff", "analyst", "admin")
HANDOFF_KINDS = ("live", "callback")


def _in(column: str, values: tuple) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(12), nullable=False),
        sa.Column("request_type", sa.String(16), nullable=False),
        sa.Column("requester_kind", sa.String(8), nullable=False),
        sa.Column("agent_name", sa.String(200)),
        sa.Column("agent_relationship", sa.String(100)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_kana", sa.String(200), nullable=False),
        sa.Column("postal_code", sa.String(8), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.Column("phone", sa.String(15), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("customer_number", sa.String(64)),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("delivery_method", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(255)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("refusal_reason", sa.Text()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
        sa.CheckConstraint(_in("request_type", REQUEST_TYPES), name="ck_tickets_request_type"),
        sa.CheckConstraint(_in("requester_kind", REQUESTER_KINDS), name="ck_tickets_requester_kind"),
        sa.CheckConstraint(_in("delivery_method", DELIVERY_METHODS), name="ck_tickets_delivery_method"),
        sa.CheckConstraint(_in("status", TICKET_STATUSES), name="ck_tickets_status"),
    )
    op.create_index("ix_tickets_conversation_id", "tickets", ["conversation_id"])
    op.create_index("ix_tickets_status_due_date", "tickets", ["status", "due_date"])

    op.create_table(
        "ticket_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("from_status", sa.String(16)),
        sa.Column("to_status", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_ticket_history"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name="fk_ticket_history_ticket_id_tickets", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_ticket_history_ticket_id", "ticket_history", ["ticket_id"])

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("claimed_at", sa.DateTime()),
        sa.Column("closed_by", sa.String(100)),
        sa.Column("closed_at", sa.DateTime()),
        sa.Column("ticket_number", sa.String(12)),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
        sa.ForeignKeyConstraint(
            ["ticket_number"], ["tickets.number"], name="fk_handoffs_ticket_number_tickets"
        ),
        sa.CheckConstraint(_in("kind", HANDOFF_KINDS), name="ck_handoffs_kind"),
    )
    op.create_index(
        "uq_handoffs_open_conversation",
        "handoffs",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_index("ix_handoffs_created_at", "handoffs", ["created_at"])

    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handoff_notes"),
        sa.ForeignKeyConstraint(
            ["handoff_id"], ["handoffs.id"], name="fk_handoff_notes_handoff_id_handoffs", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_handoff_notes_handoff_id", "handoff_notes", ["handoff_id"])

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
        sa.CheckConstraint(_in("role", ROLES), name="ck_staff_users_role"),
    )

    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_staff_sessions_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name="fk_staff_sessions_user_id_staff_users", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_target", "audit_log", ["target"])


def downgrade() -> None:
    for table in ("audit_log", "staff_sessions", "staff_users", "handoff_notes", "handoffs", "ticket_history", "tickets"):
        op.drop_table(table)
