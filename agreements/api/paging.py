"""Pagination for every list: ?page=&per_page=, answered as {items, page, per_page, total, next}.

Lists that can grow long (proposals, versions, members, the discussion, stances, audit
events) are paged in SQL: one COUNT for the total and LIMIT/OFFSET for the rows, so a
request never loads more than a page. Short lists (a proposal's revisions and rounds, a
community's agreements) and the communities a person may see (filtered by the visibility
rule in Python) are read whole and sliced here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import request, url_for
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from ..models import Agreement, Community, Proposal
from ..services import queries
from .bodies import PageQuery
from .presenters import event_out
from .schemas import AuditEvent, Page

T = TypeVar("T", bound=BaseModel)


def window(query: PageQuery) -> tuple[int, int]:
    """The (offset, limit) of the requested page."""
    return (query.page - 1) * query.per_page, query.per_page


def next_page_url(query: PageQuery, total: int) -> str | None:
    """The URL of the following page with the same filters, or None on the last page."""
    offset, limit = window(query)
    if offset + limit >= total:
        return None
    args = {**request.args.to_dict(), "page": query.page + 1, "per_page": query.per_page}
    return url_for(request.endpoint or "", **(request.view_args or {}), **args)


def paged(
    model: type[T],
    rows: Sequence[Any],
    query: PageQuery,
    *,
    total: int | None = None,
    convert: Callable[[Any], Any] | None = None,
) -> Page[T]:
    """A page of `rows` as `model` items.

    Without `total`, `rows` is the whole list and is sliced here; with it, `rows` is the
    page already fetched with `window(query)` (for lists too long to load whole).
    """
    if total is None:
        offset, limit = window(query)
        total, rows = len(rows), rows[offset : offset + limit]
    convert = convert or (lambda row: row)
    return Page[model](  # type: ignore[valid-type]
        items=[model.model_validate(convert(row)) for row in rows],
        page=query.page,
        per_page=query.per_page,
        total=total,
        next=next_page_url(query, total),
    )


def fetch_page(
    session: Session, statement: Select[*tuple[Any, ...]] | SelectOfScalar[Any], query: PageQuery
) -> tuple[list[Any], int]:
    """The requested page of an ordered SELECT's rows, and how many rows it has in all."""
    offset, limit = window(query)
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    total = session.exec(counted).one()
    return list(session.exec(statement.offset(offset).limit(limit)).all()), total


def paged_select(
    session: Session,
    model: type[T],
    statement: SelectOfScalar[Any],
    query: PageQuery,
    *,
    convert: Callable[[Any], Any] | None = None,
) -> Page[T]:
    """A page of an ordered SELECT's rows as `model` items, fetched with LIMIT/OFFSET."""
    rows, total = fetch_page(session, statement, query)
    return paged(model, rows, query, total=total, convert=convert)


def events_page(
    session: Session,
    community: Community,
    query: PageQuery,
    *,
    agreement: Agreement | None = None,
    proposal: Proposal | None = None,
) -> Page[AuditEvent]:
    """A page of audit events of a community, optionally of one agreement or proposal."""
    offset, limit = window(query)
    rows, total = queries.audit_events(
        session, community, agreement=agreement, proposal=proposal, offset=offset, limit=limit
    )
    return paged(AuditEvent, rows, query, total=total, convert=event_out)
