"""What an instance administrator sees of the whole instance: its size and its health.

Read-only, and for administrators only: counts of communities, people and proposals, the
database backend, whether the schema is at the newest migration, and whether the audit
chain verifies from its first event (the same check as `flask audit verify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ...access import require_admin
from ...audit import Verification, verify_chain
from ...models import Community, Proposal, User
from ...storage.migrate import head_revision
from .._unit import SYSTEM_EMAIL


@dataclass(frozen=True)
class InstanceHealth:
    """The figures on the administrator's page."""

    communities: int
    people: int
    proposals: int
    open_proposals: int
    backend: str
    revision: str | None
    head_revision: str | None
    audit: Verification

    @property
    def is_schema_current(self) -> bool:
        """The database has every migration this version ships."""
        return self.revision is not None and self.revision == self.head_revision


def _count(session: Session, statement: SelectOfScalar[Any]) -> int:
    return session.exec(select(func.count()).select_from(statement.subquery())).one()


def _current_revision(session: Session) -> str | None:
    """Alembic's record of the applied migration, read in this session's own transaction
    (a second connection would wait for this one's lock on SQLite)."""
    return session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def instance_health(session: Session, actor: User | None) -> InstanceHealth:
    """Counts, backend, migration and audit chain state (administrators only)."""
    require_admin(actor)
    return InstanceHealth(
        communities=_count(session, select(Community.id)),
        people=_count(session, select(User.id).where(User.email != SYSTEM_EMAIL)),
        proposals=_count(session, select(Proposal.id).where(Proposal.state != "draft")),
        open_proposals=_count(
            session,
            select(Proposal.id).where(Proposal.state != "draft", col(Proposal.closed_at).is_(None)),
        ),
        backend=session.get_bind().dialect.name,
        revision=_current_revision(session),
        head_revision=head_revision(),
        audit=verify_chain(session),
    )
