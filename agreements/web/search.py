"""The search page: every text a person may read that holds the words they typed.

A plain GET form, so a search is a link people can share and works without JavaScript;
htmx swaps only the results. An overlong query is shown as a refusal on the page (422).
A select keeps the search to one of the communities the person may see; the header's
search box on a community's pages starts there (base.html sends its slug).
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..errors import InvalidInput
from ..services import queries
from ..services.queries.search import MAX_QUERY_CHARS
from ..services.queries.search import search as search_texts
from ..storage.sessions import get_session
from ..wording import _
from . import forms
from .blueprint import bp
from .responses import render


@bp.get("/search")
def search() -> Response:
    """Results for `q` (empty: an invitation to search), `page` at a time, in every
    community or the one whose slug `community` names."""
    session, actor = get_session(), current_actor()
    query = request.args.get("q", "")
    scope = request.args.get("community", "")
    page = forms.optional_int(request.args, "page", _("The page")) or 1
    results, error = None, None
    if query.strip():
        try:
            results = search_texts(session, actor, query, page=page, community_slug=scope or None)
        except InvalidInput as refusal:
            error = refusal
    return render(
        "search.html",
        "partials/search.html",
        query=query,
        scope=scope,
        communities=queries.visible_communities(session, actor),
        results=results,
        error=error,
        max_query_chars=MAX_QUERY_CHARS,
    )
