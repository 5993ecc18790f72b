"""open proposals index: an agreement's open proposals found without reading its closed ones

Every proposal page looks for the other open proposals on its agreement (to warn of
overlaps), and the agreement page for the open ones it marks beside their sections. With
only an index on agreement_id, both read every proposal the agreement ever had: a thousand
on a lived-in agreement. Open proposals are those not yet closed (closed_at is NULL).

Revision ID: 0010_open_proposals_index
Revises: 0009_agreement_translations
Create Date: 2026-12-05 18:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0010_open_proposals_index"
down_revision = "0009_agreement_translations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_proposal_agreement_closed", "proposal", ["agreement_id", "closed_at"])


def downgrade() -> None:
    op.drop_index("ix_proposal_agreement_closed", table_name="proposal")
