"""agreement translations: translated texts, each made from one adopted source version

Revision ID: 0009_agreement_translations
Revises: 0008
Create Date: 2026-12-04 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_agreement_translations"
down_revision = "0008"
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
MOMENT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("language", STRING(length=35), nullable=False),
        sa.Column("source_version_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_sha256", STRING(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("state", STRING(length=16), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", MOMENT(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", MOMENT(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["proposer_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["source_version_id"], ["version.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_translation_agreement_language", "translation", ["agreement_id", "language"]
    )
    op.create_index(op.f("ix_translation_source_version_id"), "translation", ["source_version_id"])
    # One current translation per agreement and language.
    op.create_index(
        "uq_translation_current",
        "translation",
        ["agreement_id", "language"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_translation_current",
        table_name="translation",
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.drop_index(op.f("ix_translation_source_version_id"), table_name="translation")
    op.drop_index("ix_translation_agreement_language", table_name="translation")
    op.drop_table("translation")
