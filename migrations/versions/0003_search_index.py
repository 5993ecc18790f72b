"""search index: full-text search over versions, proposals and comments, kept by triggers

SQLite: an FTS5 table; PostgreSQL: a tsvector ('simple') with a GIN index. Existing rows
are indexed here; the DDL is in agreements/storage/search_index.py.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 14:10:00
"""

from __future__ import annotations

from alembic import op

from agreements.storage.search_index import create_statements, drop_statements

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in create_statements(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(dialect):
        op.execute(statement)
