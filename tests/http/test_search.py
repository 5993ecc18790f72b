"""The search page through the test client: results a person may read, states, bad input."""

from __future__ import annotations

import re

from agreements.services.queries.search import MAX_QUERY_CHARS

from .conftest import HX


def hits(html: str) -> list[str]:
    """The titles of the results on a page, in order."""
    return re.findall(r'<h3><a href="[^"]*">([^<]*)</a></h3>', html)


def test_a_member_finds_the_current_text_first_with_the_word_marked(client, login, world):
    login(client, world.members[0])
    page = client.get("/search?q=speak").get_data(as_text=True)
    assert "Agreement, current version 2" in page
    assert page.index("current version 2") < page.index("earlier version 1")
    assert "<mark>speak</mark>" in page
    slug, agreement = world.community.slug, world.agreement.slug
    assert f'href="/c/{slug}/a/{agreement}/v/2"' in page


def test_an_old_word_leads_to_the_version_that_still_has_it(client, login, world):
    login(client, world.members[0])
    page = client.get("/search?q=respect").get_data(as_text=True)
    assert "Agreement, earlier version 1" in page
    assert "current version" not in page


def test_outsiders_and_anonymous_visitors_find_nothing_private(client, login, world, make):
    assert hits(client.get("/search?q=speak").get_data(as_text=True)) == []
    outsider = make.user()
    make.session.rollback()
    login(client, outsider)
    page = client.get("/search?q=speak").get_data(as_text=True)
    assert hits(page) == [] and "Nothing found for “speak”" in page


def test_empty_and_wordless_searches_say_what_to_do(client):
    assert "Type one or more words" in client.get("/search").get_data(as_text=True)
    assert "type letters or numbers" in client.get("/search?q=%22*-").get_data(as_text=True)


def test_an_overlong_search_is_refused_with_a_message(client):
    response = client.get("/search", query_string={"q": "x" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 422
    assert f"at most {MAX_QUERY_CHARS} characters" in response.get_data(as_text=True)


def test_query_syntax_and_markup_are_only_text(client, login, world):
    login(client, world.members[0])
    for query in ['"speak', "speak*", "NEAR(speak", "-speak", "speak OR", "<b>speak</b>"]:
        response = client.get("/search", query_string={"q": query})
        assert response.status_code == 200, query
        assert "<b>speak" not in response.get_data(as_text=True)


def test_htmx_gets_only_the_results(client, login, world):
    login(client, world.members[0])
    response = client.get("/search?q=speak", headers=HX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="search-results"') and "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_every_other_page_has_a_labelled_search_box(client):
    page = client.get("/").get_data(as_text=True)
    assert 'role="search"' in page and '<label for="site-search-q"' in page


def test_searching_from_a_community_page_keeps_to_that_community(client, login, world, make):
    """The header box on a community's pages sends its slug; the search page's select shows
    it chosen, among the communities the person may see, and the pager keeps it."""
    other = make.community(private=False)
    make.session.rollback()
    login(client, world.members[0])
    slug = world.community.slug
    community_page = client.get(f"/c/{slug}").get_data(as_text=True)
    assert f'<input type="hidden" name="community" value="{slug}">' in community_page
    page = client.get(f"/search?q=speak&community={slug}").get_data(as_text=True)
    assert f'<option value="{slug}" selected>' in page
    assert f'<option value="{other.community.slug}">' in page
    assert (
        other.community.name not in page.split('<div id="search-results"', 1)[1]
    )  # no hit from there
    assert client.get("/search?q=speak&community=no-such-community").status_code == 404
