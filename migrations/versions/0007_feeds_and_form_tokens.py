"""feeds and keyed events: each person's secret feed address per community, and the
optional instance-key HMAC of each audit event (form tokens need no table of their own: they
share idempotency_key with the API's Idempotency-Key)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("secret", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret"),
    )
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_token_community_id"), ["community_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_feed_token_user_id"), ["user_id"], unique=False)
    # A plain ADD COLUMN (no table copy), so the audit table keeps its append-only triggers.
    op.add_column(
        "audit_event",
        sa.Column("mac", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("audit_event", "mac")
    with op.batch_alter_table("feed_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_feed_token_community_id"))

    op.drop_table("feed_token")
