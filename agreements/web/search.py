"""The search page: every text a person may read that holds the words they typed.

A plain GET form, so a search is a link people can share and works without JavaScript;
htmx swaps only the results. An overlong query is shown as a refusal on the page (422).
"""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..errors import InvalidInput
from ..services.queries.search import MAX_QUERY_CHARS
from ..services.queries.search import search as search_texts
from ..storage.sessions import get_session
from . import forms
from .blueprint import bp
from .responses import render


@bp.get("/search")
def search() -> Response:
    """Results for `q` (empty: an invitation to search), `page` at a time."""
    query = request.args.get("q", "")
    page = forms.optional_int(request.args, "page", "The page") or 1
    results, error = None, None
    if query.strip():
        try:
            results = search_texts(get_session(), current_actor(), query, page=page)
        except InvalidInput as refusal:
            error = refusal
    return render(
        "search.html",
        "partials/search.html",
        query=query,
        results=results,
        error=error,
        max_query_chars=MAX_QUERY_CHARS,
    )
