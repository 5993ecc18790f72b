"""Reading the audit trail as people do: one community, agreement or proposal at a time,
newest first, filtered by action or person, a page at a time.

Only the events of the scope are read; sealed stand-ins of an imported archive belong to
no community and never show. Visibility of the scope is the caller's job
(agreements.access); events about a draft show to the draft's author alone, since a draft
is its proposer's own until it is submitted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import AuditEvent, Proposal

PER_PAGE = 50
SCOPES = ("community_id", "agreement_id", "proposal_id")


@dataclass(frozen=True)
class EventPage:
    """One page of events, newest first, and what the filters can offer."""

    events: list[AuditEvent]
    page: int
    pages: int
    total: int
    actions: list[str]
    people: list[tuple[int, str]]

    def payload(self, event: AuditEvent) -> dict[str, Any]:
        """An event's payload as data (pages show it as key: value lines)."""
        return json.loads(event.payload)  # type: ignore[no-any-return]


def event_page(
    session: Session,
    *,
    scope: str,
    scope_id: int,
    viewer_id: int | None,
    action: str | None = None,
    actor_id: int | None = None,
    page: int = 1,
) -> EventPage:
    """The `page`th page (from 1) of the scope's events matching the filters, as
    `viewer_id` may see them (other people's drafts left out, with their titles)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown history scope {scope!r}")
    others_drafts = select(Proposal.id).where(
        Proposal.state == "draft", col(Proposal.proposer_id) != viewer_id
    )
    in_scope = (getattr(AuditEvent, scope) == scope_id) & (
        col(AuditEvent.proposal_id).is_(None) | col(AuditEvent.proposal_id).not_in(others_drafts)
    )
    filters = [in_scope]
    if action:
        filters.append(AuditEvent.action == action)
    if actor_id is not None:
        filters.append(AuditEvent.actor_id == actor_id)
    total = session.exec(select(func.count()).select_from(AuditEvent).where(*filters)).one()
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(1, page), pages)
    events = session.exec(
        select(AuditEvent)
        .where(*filters)
        .order_by(col(AuditEvent.seq).desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    actions = session.exec(
        select(AuditEvent.action).where(in_scope).distinct().order_by(AuditEvent.action)
    ).all()
    people = session.exec(
        select(AuditEvent.actor_id, AuditEvent.actor_name)
        .where(in_scope, col(AuditEvent.actor_id).is_not(None))
        .distinct()
        .order_by(AuditEvent.actor_name)
    ).all()
    return EventPage(list(events), page, pages, total, list(actions), [tuple(p) for p in people])  # type: ignore[misc]
