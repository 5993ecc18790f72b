"""Templates' `url_for` (agreements/web/addresses.py): a path built once per process is the
path Flask builds, under whatever script root the request has, and the table stays small."""

from __future__ import annotations

from flask import url_for

from agreements.web import addresses


def test_a_kept_address_is_the_one_flask_builds_under_each_script_root(app):
    with app.test_request_context("/"):
        first = addresses.address("web.proposal", proposal_id=7)
        again = addresses.address("web.proposal", proposal_id=7)
        assert first == again == url_for("web.proposal", proposal_id=7) == "/p/7"
        assert addresses.address("web.proposal", proposal_id=8) == "/p/8"
    with app.test_request_context("/", base_url="http://localhost/accord"):
        assert addresses.address("web.proposal", proposal_id=7) == "/accord/p/7"


def test_query_values_and_their_types_make_distinct_addresses(app):
    with app.test_request_context("/"):
        assert addresses.address("web.search", q="1") == "/search?q=1"
        assert addresses.address("web.search", q=1) == "/search?q=1"
        assert addresses.address("web.search", q=True) == "/search?q=True"
        assert addresses.address("web.search", q=["a", "b"]) == "/search?q=a&q=b"


def test_external_addresses_follow_the_request_s_host(app):
    with app.test_request_context("/", base_url="https://one.example"):
        assert addresses.address("web.proposal", proposal_id=7, _external=True) == (
            "https://one.example/p/7"
        )
    with app.test_request_context("/", base_url="https://two.example"):
        assert addresses.address("web.proposal", proposal_id=7, _external=True) == (
            "https://two.example/p/7"
        )


def test_the_table_of_addresses_is_emptied_when_full(app, monkeypatch):
    monkeypatch.setattr(addresses, "KEPT", 3)
    table = app.extensions["accord.addresses"]
    with app.test_request_context("/"):
        for number in range(10):
            assert addresses.address("web.proposal", proposal_id=number) == f"/p/{number}"
            assert 1 <= len(table) <= 3
