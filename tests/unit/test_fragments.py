"""Parts of pages kept rendered per process (agreements/web/fragments.py): drawn once per
key, never holding one reader's tokens, and never more than a bounded size."""

from __future__ import annotations

import itertools

import pytest
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from agreements.web import fragments


def _counting(html: str):
    """A render function that says how often it was called."""
    calls = itertools.count(1)

    def render() -> Markup:
        return Markup(f"{html} #{next(calls)}")

    return render


def test_a_part_is_drawn_once_per_key(app) -> None:
    render = _counting("<p>text</p>")
    with app.test_request_context("/"):
        first = fragments.kept_fragment(render, "test part", 1)
        assert fragments.kept_fragment(render, "test part", 1) == first
        assert fragments.kept_fragment(render, "test part", 2) != first


def test_a_part_larger_than_the_bound_is_drawn_every_time(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fragments, "KEPT_LARGEST", 20)
    render = _counting("<p>a long text, longer than twenty characters</p>")
    with app.test_request_context("/"):
        first = fragments.kept_fragment(render, "long part")
        assert fragments.kept_fragment(render, "long part") != first


def test_tokens_in_a_kept_part_are_each_readers_own(app) -> None:
    """A kept part's CSRF token is the current reader's, and each form token is new."""
    template = app.jinja_env.from_string(
        "{% macro part() %}<input value='{{ csrf_token() }}'><input value='{{ form_token() }}'>"
        "<input value='{{ form_token() }}'>{% endmacro %}{{ kept_fragment(part, 'forms') }}"
    )
    seen = []
    for _ in range(2):
        with app.test_request_context("/"):
            html = template.render()
            assert f"value='{generate_csrf()}'" in html
            assert fragments._MARK not in html
            seen.append(html)
    form_tokens = [value for html in seen for value in html.split("value='")[2:]]
    assert len(set(form_tokens)) == 4


def test_a_part_kept_inside_another_leaves_its_tokens_to_be_filled_with_it(app) -> None:
    template = app.jinja_env.from_string(
        "{% macro inner() %}<input value='{{ form_token() }}'>{% endmacro %}"
        "{% macro outer() %}{{ kept_fragment(inner, 'inner form') }}{% endmacro %}"
        "{{ kept_fragment(outer, 'outer part') }}"
    )
    tokens = set()
    for _ in range(2):
        with app.test_request_context("/"):
            tokens.add(template.render())
    assert len(tokens) == 2
