"""Signing in and out, passwords and invitations through the real pages.

Session cookies, reset links and invitation links are refused when expired, reused or
tampered with; sign-in and reset answers never reveal whether an address has an account.
"""

from __future__ import annotations

import re
import time
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner
from sqlmodel import Session, select

from agreements import services
from agreements.models import OutboxMail, User
from agreements.security.account_tokens import make_reset_token
from agreements.security.passwords import password_matches
from tests.factories import PASSWORD, Factory
from tests.http.test_privacy import CSRF_VALUE

NEW_PASSWORD = "a brand new passphrase"


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, next_: str = ""):
    return client.post("/sign-in", data={"email": email, "password": password, "next": next_})


def page_text(response, typed_email: str) -> str:
    """The page without what legitimately differs: the typed address and CSRF tokens."""
    html = response.get_data(as_text=True).replace(typed_email, "")
    return re.sub(r'(content|value)="[\w.-]{40,}"', "", html)


def is_signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_sign_in_page_renders_a_form_with_the_csrf_field(client: FlaskClient) -> None:
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'name="password"' in page


def test_sign_in_with_the_right_password_and_sign_out(client: FlaskClient, make: Factory) -> None:
    user = make.user()
    response = sign_in(client, user.email, next_="/account")
    assert response.status_code == 303 and response.location == "/account"
    assert is_signed_in(client)
    assert client.post("/sign-out").status_code == 303
    assert not is_signed_in(client)


def test_wrong_password_and_unknown_address_get_the_same_answer(
    client: FlaskClient, make: Factory
) -> None:
    user = make.user()
    wrong = sign_in(client, user.email, "not the password")
    unknown = sign_in(client, "nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert page_text(wrong, user.email) == page_text(unknown, "nobody@example.org")
    assert not is_signed_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "/sign-in?next=https://evil.example/",
        "/sign-in?next=" + quote("/sign-in?next=//evil.example/x", safe=""),
    ],
)
def test_sign_in_never_redirects_off_site(client: FlaskClient, make: Factory, target: str) -> None:
    user = make.user()
    assert sign_in(client, user.email, next_=target).location == "/"


def nested(target: str, depth: int) -> str:
    """`target` wrapped `depth` times in a sign-in address, as repeated visits made it."""
    for _ in range(depth):
        target = "/sign-in?next=" + quote(target, safe="")
    return target


@pytest.mark.parametrize(
    "target, lands",
    [
        (nested("/p/3", 1), "/p/3"),
        (nested("/c/demo/history?page=2", 4), "/c/demo/history?page=2"),
        ("/sign-in", "/"),
        (nested("/sign-in", 3), "/"),
    ],
)
def test_a_next_pointing_at_sign_in_collapses_to_the_original_target(
    client: FlaskClient, make: Factory, target: str, lands: str
) -> None:
    page = client.get("/sign-in", query_string={"next": target}).get_data(as_text=True)
    assert f'name="next" value="{lands}"' in page
    sign_in_links = re.findall(r'href="(/sign-in[^"]*)"', page)
    assert sign_in_links and all(link.count("sign-in") == 1 for link in sign_in_links)
    assert sign_in(client, make.user().email, next_=target).location == lands


def test_sign_in_starts_a_fresh_session(client: FlaskClient, make: Factory) -> None:
    user = make.user()
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
    sign_in(client, user.email)
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session.permanent


def test_inactive_accounts_cannot_sign_in(client: FlaskClient, db: Session, make: Factory) -> None:
    user = make.user()
    user.is_active = False
    db.add(user)
    db.commit()
    assert sign_in(client, user.email).status_code == 401


def test_a_copied_session_cookie_stops_working_after_sign_out(
    app, client: FlaskClient, make: Factory
) -> None:
    user = make.user()
    browser, thief = client, app.test_client()
    assert sign_in(browser, user.email).status_code == 303
    cookie = browser.get_cookie("session")
    assert cookie is not None
    thief.set_cookie(cookie.key, cookie.value)
    assert is_signed_in(thief)
    browser.post("/sign-out")
    assert not is_signed_in(thief)


def test_a_tampered_session_cookie_is_ignored(app, client: FlaskClient, make: Factory) -> None:
    user = make.user()
    assert sign_in(client, user.email).status_code == 303
    cookie = client.get_cookie("session")
    assert cookie is not None
    genuine, forged = app.test_client(), app.test_client()
    genuine.set_cookie("session", cookie.value)
    assert is_signed_in(genuine)
    forged.set_cookie(
        "session", cookie.value[:-3] + ("xyz" if cookie.value[-3:] != "xyz" else "abc")
    )
    assert not is_signed_in(forged)


def test_an_expired_session_is_refused(
    client: FlaskClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make.user()
    assert sign_in(client, user.email).status_code == 303
    assert is_signed_in(client)
    lifetime = client.application.permanent_session_lifetime.total_seconds()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + lifetime + 60)
    assert not is_signed_in(client)


def test_change_password_keeps_this_session_and_ends_the_others(
    app, client: FlaskClient, db: Session, make: Factory
) -> None:
    user = make.user()
    other = app.test_client()
    sign_in(client, user.email)
    sign_in(other, user.email)
    form = {
        "current_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    assert client.post("/account", data=form).status_code == 303
    assert is_signed_in(client)
    assert not is_signed_in(other)
    db.refresh(user)
    assert password_matches(user.password_hash, NEW_PASSWORD)


def test_change_password_with_a_wrong_current_password_is_refused(
    client: FlaskClient, make: Factory, login
) -> None:
    user = make.user()
    login(client, user)
    form = {
        "current_password": "nope",
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    response = client.post("/account", data=form)
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)


def test_account_page_needs_sign_in(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.location


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(
    client: FlaskClient, make: Factory
) -> None:
    user = make.user()
    known = client.post("/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post(
        "/forgot-password", data={"email": "no@example.org"}, follow_redirects=True
    )
    assert known.status_code == unknown.status_code == 200
    assert "If an account exists" in known.get_data(as_text=True)
    # The CSRF token is signed with the second it was made in; nothing else may differ.
    assert without_csrf_token(known) == without_csrf_token(unknown)


def without_csrf_token(response) -> str:
    """The page with its CSRF token values blanked."""
    return CSRF_VALUE.sub(r'\1"', response.get_data(as_text=True))


def test_reset_link_works_once(app, client: FlaskClient, db: Session, make: Factory) -> None:
    user = make.user()
    with app.app_context():
        token = make_reset_token(user)
    form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.get(f"/reset-password/{token}").status_code == 200
    assert client.post(f"/reset-password/{token}", data=form).status_code == 303
    db.refresh(user)
    assert password_matches(user.password_hash, NEW_PASSWORD)
    assert client.get(f"/reset-password/{token}").status_code == 409
    assert client.post(f"/reset-password/{token}", data=form).status_code == 409


def test_tampered_and_expired_reset_links_are_refused(
    app, client: FlaskClient, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make.user()
    with app.app_context():
        token = make_reset_token(user)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _s: int(time.time()) - 3601)
        expired = make_reset_token(user)
        monkeypatch.undo()
    form = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert client.post(f"/reset-password/{token}x", data=form).status_code == 404
    assert client.post(f"/reset-password/{expired}", data=form).status_code == 409
    assert sign_in(client, user.email).status_code == 303  # the password did not change


def _invitation(app, db: Session, make: Factory, email: str = "new@example.org"):
    world = make.community(members=1)
    with app.app_context():
        issued = services.invite_member(
            db, world.facilitator, community_id=world.community.id, email=email
        )
    return world, issued.token


def test_invitation_link_creates_the_account_and_signs_in(
    app, client: FlaskClient, db: Session, make: Factory
) -> None:
    world, token = _invitation(app, db, make)
    assert "new@example.org" in client.get(f"/invitations/{token}").get_data(as_text=True)
    response = client.post(
        f"/invitations/{token}", data={"display_name": "Nia", "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.location == f"/c/{world.community.slug}"
    assert is_signed_in(client)


def test_used_expired_and_tampered_invitation_links_are_refused(
    app, client: FlaskClient, db: Session, make: Factory
) -> None:
    _world, token = _invitation(app, db, make)
    form = {"display_name": "Nia", "password": PASSWORD}
    assert client.post(f"/invitations/{token}x", data=form).status_code == 404
    assert client.post(f"/invitations/{token}", data=form).status_code == 303
    assert client.post(f"/invitations/{token}", data=form).status_code == 409
    _world, second = _invitation(app, db, make, email="other@example.org")
    with app.app_context():
        services.invite_member(
            db, _world.facilitator, community_id=_world.community.id, email="other@example.org"
        )
    assert client.get(f"/invitations/{second}").status_code == 409  # replaced, so expired


def test_facilitator_invites_from_the_invite_page(
    client: FlaskClient, make: Factory, login
) -> None:
    world = make.community(members=1)
    login(client, world.facilitator)
    assert client.get(f"/c/{world.community.slug}/invite").status_code == 200
    response = client.post(
        f"/c/{world.community.slug}/invite", data={"email": "new@example.org", "role": "member"}
    )
    assert response.status_code == 303
    make.session.rollback()
    queued = make.session.exec(select(OutboxMail).where(OutboxMail.kind == "invitation")).one()
    assert queued.to_address == "new@example.org"  # the worker mails it (see test_notifications)


def test_members_cannot_invite(client: FlaskClient, make: Factory, login) -> None:
    world = make.community(members=1)
    login(client, world.members[0])
    response = client.post(f"/c/{world.community.slug}/invite", data={"email": "x@example.org"})
    assert response.status_code == 403


def test_join_page_registers_only_where_allowed(
    client: FlaskClient, db: Session, make: Factory
) -> None:
    world = make.community(members=0, private=False)
    form = {"email": "joiner@example.org", "display_name": "Joiner", "password": PASSWORD}
    slug = world.community.slug
    assert client.post(f"/c/{slug}/join", data=form).status_code == 403
    world.community.allow_self_registration = True
    db.add(world.community)
    db.commit()
    assert client.post(f"/c/{slug}/join", data=form).status_code == 303
    assert is_signed_in(client)
    assert db.get(User, 1) is not None
