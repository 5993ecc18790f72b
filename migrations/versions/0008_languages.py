"""languages: a person's interface language and time zone, a community's default language,
and the language each agreement is written in

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _text(length: int) -> sa.types.TypeEngine:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    # Plain ADD COLUMNs (no table copy), with server defaults for the rows already there.
    op.add_column("user", sa.Column("language", _text(35), nullable=True))
    op.add_column(
        "user",
        sa.Column("time_zone", _text(64), nullable=False, server_default=sa.text("'UTC'")),
    )
    op.add_column(
        "community",
        sa.Column("language", _text(35), nullable=False, server_default=sa.text("'en'")),
    )
    op.add_column(
        "agreement",
        sa.Column("language", _text(35), nullable=False, server_default=sa.text("'en'")),
    )


def downgrade() -> None:
    op.drop_column("agreement", "language")
    op.drop_column("community", "language")
    op.drop_column("user", "time_zone")
    op.drop_column("user", "language")
