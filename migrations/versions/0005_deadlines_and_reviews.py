"""deadlines and reviews: reminder bookkeeping on rounds and agreement review dates

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MOMENT = sqlmodel.sql.sqltypes.UTCDateTime
ROUND_COLUMNS = ("reminded_hours", "closing_soon_at", "reminded_at", "close_blocked_seq")
AGREEMENT_COLUMNS = ("review_on", "review_noticed_on", "reviewed_at")


def upgrade() -> None:
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminded_hours", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("closing_soon_at", MOMENT(), nullable=True))
        batch_op.add_column(sa.Column("reminded_at", MOMENT(), nullable=True))
        batch_op.add_column(sa.Column("close_blocked_seq", sa.Integer(), nullable=True))
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("review_noticed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", MOMENT(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch rebuild would
    # drop and recreate tables that other tables' foreign keys point at.
    for name in reversed(AGREEMENT_COLUMNS):
        op.drop_column("agreement", name)
    for name in reversed(ROUND_COLUMNS):
        op.drop_column("round", name)
