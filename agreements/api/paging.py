"""Pagination for every list: ?page=&per_page=, answered as {items, page, per_page, total, next}."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import request, url_for
from pydantic import BaseModel

from .bodies import PageQuery
from .schemas import Page

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
