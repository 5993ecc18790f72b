"""The settings page: a person creates a token (shown once), uses it, and revokes it."""

from __future__ import annotations

import re

from sqlmodel import select

from agreements.models import ApiToken, AuditEvent


def test_a_token_is_shown_once_works_and_can_be_revoked(client, login, make, db, api):
    person = make.user("Token Owner")
    login(client, person)
    created = client.post("/account/tokens", data={"name": "Chat bot"})
    assert created.status_code == 201
    plaintext = re.search(r"accord_[\w-]+", created.get_data(as_text=True)).group(0)
    assert plaintext not in client.get("/account/tokens").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {plaintext}"}
    assert api.get("/api/v1/me", headers=headers).get_json()["display_name"] == "Token Owner"

    token = db.exec(select(ApiToken).where(ApiToken.user_id == person.id)).one()
    revoked = client.post(f"/account/tokens/{token.id}/revoke")
    assert revoked.status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    db.rollback()  # end the read snapshot taken before the revocation
    actions = db.exec(select(AuditEvent.action).where(AuditEvent.subject_type == "api_token")).all()
    assert actions == ["api_token.created", "api_token.revoked"]


def test_a_token_needs_a_name(client, login, make):
    login(client, make.user())
    assert client.post("/account/tokens", data={"name": "  "}).status_code == 422


def test_nobody_revokes_another_persons_token(client, login, make, db):
    from agreements import services

    owner = make.user()
    token, _plaintext = services.create_api_token(db, owner, name="mine")
    login(client, make.user())
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404


def test_the_settings_form_is_protected_against_forgery(client_without_csrf, login, make):
    login(client_without_csrf, make.user())
    assert client_without_csrf.post("/account/tokens", data={"name": "x"}).status_code == 400


def test_signing_in_is_required(client):
    assert client.get("/account/tokens").status_code in (302, 401)
