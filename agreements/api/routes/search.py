"""Search over the API: the same service, visibility rules and words as the search page."""

from __future__ import annotations

from sqlmodel import Session

from ...models import User
from ...services.queries.search import SearchHit, search
from .. import bodies, schemas
from ..operations import operation
from ..paging import next_page_url


def _hit_out(hit: SearchHit) -> schemas.SearchHit:
    pieces = [schemas.SnippetPiece(text=text, is_match=is_match) for text, is_match in hit.snippet]
    return schemas.SearchHit.model_validate({**hit.__dict__, "snippet": pieces})


@operation(
    "get",
    "/search",
    summary="Search agreements, proposals and comments",
    tag="Search",
    response=schemas.Page[schemas.SearchHit],
    query=bodies.SearchQuery,
)
def search_texts(
    session: Session, actor: User | None, *, query: bodies.SearchQuery
) -> schemas.Page[schemas.SearchHit]:
    """Every text the caller may read that holds all the words of `q`, best match first
    (current agreement texts before earlier versions), in every community or only the one
    named by `community`. Private communities are searched only for their members, drafts
    only for their proposer; an unknown or hidden community answers 404."""
    results = search(
        session,
        actor,
        query.q,
        page=query.page,
        per_page=query.per_page,
        community_slug=query.community,
    )
    return schemas.Page[schemas.SearchHit](
        items=[_hit_out(hit) for hit in results.hits],
        page=results.page,
        per_page=results.per_page,
        total=results.total,
        next=next_page_url(query, results.total),
    )
