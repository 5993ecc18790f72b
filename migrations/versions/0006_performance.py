"""performance: indexes and values computed when data is written

The event log gets (scope, seq) indexes, which replace the single-column scope indexes,
so a history page walks fifty index entries instead of scanning a scope's events. Each
version keeps its paragraphs' provenance, computed when it is adopted; versions adopted
before this revision have none and are computed when read.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 16:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCOPES = ("community", "agreement", "proposal")


def upgrade() -> None:
    for scope in SCOPES:
        op.drop_index(f"ix_audit_event_{scope}_id", table_name="audit_event")
        op.create_index(f"ix_audit_event_{scope}_seq", "audit_event", [f"{scope}_id", "seq"])
    # Plain ADD COLUMN: a batch copy of "version" would drop its immutability triggers.
    op.add_column("version", sa.Column("provenance", sa.Text(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE "version" DROP COLUMN provenance')
    for scope in SCOPES:
        op.drop_index(f"ix_audit_event_{scope}_seq", table_name="audit_event")
        op.create_index(f"ix_audit_event_{scope}_id", "audit_event", [f"{scope}_id"])
