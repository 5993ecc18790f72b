"""notifications: the outbox, preferences and in-app notices (see services/notices.py)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.add_column("round", sa.Column("announced_at", MOMENT(), nullable=True))
    # Rounds opened before the outbox existed keep the deadline they were given.
    op.execute('UPDATE "round" SET announced_at = opened_at')
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("event_seq", sa.Integer(), nullable=False),
        sa.Column("kind", STRING(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("read_at", MOMENT(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_seq", "recipient_id"),
    )
    op.create_index("ix_notification_recipient_read", "notification", ["recipient_id", "read_at"])
    op.create_table(
        "outbox_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("to_address", STRING(length=254), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("notification_id", sa.Integer(), nullable=True),
        sa.Column("kind", STRING(length=64), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("status", STRING(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", MOMENT(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("message_id", STRING(length=255), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.Column("sent_at", MOMENT(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["notification_id"], ["notification.id"]),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"]),
        sa.ForeignKeyConstraint(["recipient_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_index("ix_outbox_mail_due", "outbox_mail", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_outbox_mail_round_id"), "outbox_mail", ["round_id"])
    op.create_table(
        "notification_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("delivery", STRING(length=16), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("time_zone", STRING(length=64), nullable=False),
        sa.Column("last_digest_at", MOMENT(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "community_id"),
    )
    op.create_table(
        "worker_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("finished_at", MOMENT(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("rounds_moved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("worker_run")
    op.drop_table("notification_preference")
    op.drop_index(op.f("ix_outbox_mail_round_id"), table_name="outbox_mail")
    op.drop_index("ix_outbox_mail_due", table_name="outbox_mail")
    op.drop_table("outbox_mail")
    op.drop_index("ix_notification_recipient_read", table_name="notification")
    op.drop_table("notification")
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of "round" would have
    # to drop a table that stances and participants still reference.
    op.execute('ALTER TABLE "round" DROP COLUMN announced_at')
