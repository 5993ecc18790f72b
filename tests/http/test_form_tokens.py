"""A double-clicked or resubmitted page form writes once (the one-time form token).

Through HTTP, on SQLite and PostgreSQL: the token is taken from the page as a browser would,
the same form sent twice stores one comment (or objection), and the repeat is answered like
the first, with a calm notice; two renders of the form (two tokens) store two.
"""

from __future__ import annotations

import re
import threading

import pytest

from agreements.models import AuditEvent, Comment, Objection
from agreements.security.form_tokens import ALREADY_SAVED
from tests.conftest import reusable_test_app

from .conftest import HX, proposal_at
from .test_actions import count


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def app(request: pytest.FixtureRequest):
    """The application on each database (the shared fixtures follow it)."""
    from agreements.storage.sessions import get_engine

    application = reusable_test_app(request.getfixturevalue(request.param))
    yield application
    get_engine(application).dispose()


def form_token(page: str, action: str) -> str:
    """The one-time token of the form that posts to `action`, as a browser would send it."""
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', page, re.S)
    assert form is not None, f"no form posts to {action}"
    token = re.search(r'name="form_token" value="([^"]+)"', form.group(0))
    assert token is not None
    return token.group(1)


WRITES = {
    "comment": (Comment, {"body": "Why now?", "kind": "question"}),
    "object": (Objection, {"reason": "It harms the newcomers."}),
}


@pytest.mark.parametrize("path", WRITES)
def test_the_same_form_sent_twice_writes_once(client, login, world, make, db, path):
    model, fields = WRITES[path]
    proposal = proposal_at(make, world, "comment" if path == "comment" else "objection")
    login(client, world.members[1])
    action = f"/p/{proposal.id}/{path}"
    data = {**fields, "form_token": form_token(client.get(f"/p/{proposal.id}").text, action)}
    events = count(db, AuditEvent)

    first = client.post(action, data=data)
    again = client.post(action, data=data)

    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db, model, proposal_id=proposal.id) == 1
    assert count(db, AuditEvent) == events + 1
    assert ALREADY_SAVED in client.get(again.headers["Location"]).text


def test_a_repeat_under_htmx_shows_the_partial_with_the_notice(client, login, world, make, db):
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    action = f"/p/{proposal.id}/comment"
    data = {
        "body": "Twice?",
        "form_token": form_token(client.get(f"/p/{proposal.id}").text, action),
    }

    client.post(action, data=data, headers=HX)
    again = client.post(action, data=data, headers=HX)

    assert again.status_code == 200 and ALREADY_SAVED in again.text
    assert again.text.count("Twice?") == 1
    assert count(db, Comment, proposal_id=proposal.id) == 1


def test_two_renders_of_the_form_store_two_comments(client, login, world, make, db):
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    action = f"/p/{proposal.id}/comment"
    for _ in range(2):
        token = form_token(client.get(f"/p/{proposal.id}").text, action)
        client.post(action, data={"body": "Again, on purpose.", "form_token": token})
    assert count(db, Comment, proposal_id=proposal.id) == 2


def test_a_refused_submission_leaves_its_token_free(client, login, world, make, db):
    """An empty comment is refused each time it is sent; nothing claims its token."""
    proposal = proposal_at(make, world, "comment")
    login(client, world.members[1])
    action = f"/p/{proposal.id}/comment"
    data = {"body": "  ", "form_token": form_token(client.get(f"/p/{proposal.id}").text, action)}
    assert [client.post(action, data=data).status_code for _ in range(2)] == [422, 422]
    assert count(db, Comment, proposal_id=proposal.id) == 0


def test_the_same_form_sent_twice_at_once_writes_once(app, client, login, world, make, db):
    """Two sends of one form at the same moment (two tabs, a proxy's retry): the token's
    claim commits with the comment, so the second waits for the first and replays it."""
    proposal = proposal_at(make, world, "comment")
    other_tab = app.test_client()
    for tab in (client, other_tab):
        login(tab, world.members[1])
    action = f"/p/{proposal.id}/comment"
    token = form_token(client.get(f"/p/{proposal.id}").text, action)
    data = {"body": "Both at once?", "kind": "question", "form_token": token}
    together = threading.Barrier(2)
    answers: list[int] = []

    def send(tab) -> None:
        together.wait()
        answers.append(tab.post(action, data=data).status_code)

    sending = [threading.Thread(target=send, args=(tab,)) for tab in (client, other_tab)]
    for thread in sending:
        thread.start()
    for thread in sending:
        thread.join(timeout=30)
    assert answers == [303, 303]
    assert count(db, Comment, proposal_id=proposal.id) == 1


def test_the_invite_page_sends_one_invitation_for_a_double_click(client, login, world, db):
    from agreements.models import Invitation

    login(client, world.facilitator)
    action = f"/c/{world.community.slug}/invite"
    page = client.get(action).text
    data = {"email": "twice@example.org", "role": "member", "form_token": form_token(page, action)}
    first, again = client.post(action, data=data), client.post(action, data=data)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert count(db, Invitation, email="twice@example.org") == 1
