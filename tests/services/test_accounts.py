"""Accounts: sign-in checks, password change and reset, invitations and self-registration.

Every token a person can hold (reset link, invitation link) is refused when expired,
reused or tampered with; nothing here reveals whether an address has an account.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import Session, select

from agreements import services
from agreements.audit.chain import count_events
from agreements.errors import Forbidden, InvalidInput, NotFound, Refused
from agreements.models import Invitation, Membership, OutboxMail, User, utcnow
from agreements.security.account_tokens import make_reset_token
from agreements.security.passwords import password_matches
from tests.factories import PASSWORD, Factory

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def app_context(app):
    """Tokens are signed with the app's SECRET_KEY and links use its URL map."""
    with app.app_context():
        yield


def test_authenticate_accepts_only_the_right_password_of_an_active_account(
    db: Session, make: Factory
) -> None:
    user = make.user()
    assert services.authenticate(db, email=user.email.upper(), password=PASSWORD) == user
    assert services.authenticate(db, email=user.email, password="wrong password") is None
    assert services.authenticate(db, email="nobody@example.org", password=PASSWORD) is None
    assert services.authenticate(db, email=None, password=None) is None
    user.is_active = False
    db.add(user)
    db.commit()
    assert services.authenticate(db, email=user.email, password=PASSWORD) is None


def test_change_password_needs_the_current_one_and_ends_other_sessions(
    db: Session, make: Factory
) -> None:
    user = make.user()
    before = count_events(db)
    with pytest.raises(InvalidInput):
        services.change_password(db, user, current_password="not it", new_password=NEW_PASSWORD)
    db.refresh(user)
    assert password_matches(user.password_hash, PASSWORD)
    version = user.session_version

    services.change_password(db, user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    db.refresh(user)
    assert password_matches(user.password_hash, NEW_PASSWORD)
    assert user.session_version == version + 1
    assert count_events(db) == before + 1


def test_change_password_refuses_a_short_password(db: Session, make: Factory) -> None:
    user = make.user()
    with pytest.raises(InvalidInput):
        services.change_password(db, user, current_password=PASSWORD, new_password="short")


def test_reset_request_for_an_unknown_address_sends_nothing_and_records_nothing(
    db: Session, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    before = count_events(db)
    with caplog.at_level(logging.WARNING):
        assert services.request_password_reset(db, None, email="nobody@example.org") is None
    assert count_events(db) == before
    assert "reset" not in caplog.text.lower()


def test_reset_request_logs_the_link_when_no_smtp_is_configured(
    db: Session, make: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    user = make.user()
    with caplog.at_level(logging.WARNING):
        token = services.request_password_reset(db, None, email=user.email)
    assert token is not None
    assert f"/reset-password/{token}" in caplog.text
    assert user.email in caplog.text


def test_reset_link_sets_the_password_once(db: Session, make: Factory) -> None:
    user = make.user()
    token = make_reset_token(user)
    services.reset_password(db, None, token=token, new_password=NEW_PASSWORD)
    db.refresh(user)
    assert password_matches(user.password_hash, NEW_PASSWORD)
    with pytest.raises(Refused, match="already been used"):
        services.reset_password(db, None, token=token, new_password="yet another passphrase")


def test_reset_link_dies_when_the_password_changes_another_way(db: Session, make: Factory) -> None:
    user = make.user()
    token = make_reset_token(user)
    services.change_password(db, user, current_password=PASSWORD, new_password=NEW_PASSWORD)
    with pytest.raises(Refused):
        services.reset_password(db, None, token=token, new_password="yet another passphrase")


def test_tampered_reset_link_is_refused(db: Session, make: Factory) -> None:
    user = make.user()
    token = make_reset_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (tampered, "", "not-a-token", token.replace(".", "", 1)):
        with pytest.raises(NotFound):
            services.reset_password(db, None, token=bad, new_password=NEW_PASSWORD)
    db.refresh(user)
    assert password_matches(user.password_hash, PASSWORD)


def test_expired_reset_link_is_refused(
    db: Session, make: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make.user()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(time.time()) - 3601)
    token = make_reset_token(user)
    monkeypatch.undo()
    with pytest.raises(Refused, match="expired"):
        services.reset_password(db, None, token=token, new_password=NEW_PASSWORD)


def _invite(db: Session, make: Factory, email: str = "new@example.org", role: str = "member"):
    world = make.community(members=1)
    issued = services.invite_member(
        db, world.facilitator, community_id=world.community.id, email=email, role=role,
        organisation="Climate Law Network",
    )  # fmt: skip
    return world, issued


def _membership(db: Session, community_id: int, email: str) -> Membership | None:
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None:
        return None
    return db.exec(
        select(Membership).where(
            Membership.community_id == community_id, Membership.user_id == user.id
        )
    ).first()


def test_invitation_creates_the_account_and_joins_with_the_role(db: Session, make: Factory) -> None:
    world, issued = _invite(db, make, role="facilitator")
    queued = db.exec(select(OutboxMail).where(OutboxMail.kind == "invitation")).one()
    assert queued.to_address == "new@example.org" and issued.token in queued.context
    stored = db.get(Invitation, issued.invitation.id)
    assert stored is not None and issued.token not in stored.token_hash
    assert stored.expires_at - utcnow() > timedelta(days=6, hours=23)

    services.accept_invitation(db, None, token=issued.token, display_name="Nia", password=PASSWORD)
    membership = _membership(db, world.community.id, "new@example.org")
    assert membership is not None and membership.role == "facilitator"
    assert membership.organisation_id is not None
    assert services.authenticate(db, email="new@example.org", password=PASSWORD) is not None


def test_invitation_to_an_existing_account_joins_that_account(db: Session, make: Factory) -> None:
    existing = make.user()
    world, issued = _invite(db, make, email=existing.email)
    services.accept_invitation(db, None, token=issued.token)
    assert _membership(db, world.community.id, existing.email) is not None
    db.refresh(existing)
    assert password_matches(existing.password_hash, PASSWORD)  # no password was taken over


def test_invitation_is_single_use(db: Session, make: Factory) -> None:
    _world, issued = _invite(db, make)
    services.accept_invitation(db, None, token=issued.token, display_name="Nia", password=PASSWORD)
    with pytest.raises(Refused, match="already been used"):
        services.accept_invitation(
            db, None, token=issued.token, display_name="X", password=PASSWORD
        )


def test_expired_invitation_is_refused(db: Session, make: Factory) -> None:
    world, issued = _invite(db, make)
    invitation = db.get(Invitation, issued.invitation.id)
    assert invitation is not None
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.add(invitation)
    db.commit()
    with pytest.raises(Refused, match="expired"):
        services.accept_invitation(
            db, None, token=issued.token, display_name="N", password=PASSWORD
        )
    assert _membership(db, world.community.id, "new@example.org") is None


def test_tampered_invitation_is_refused(db: Session, make: Factory) -> None:
    _world, issued = _invite(db, make)
    for bad in (issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"), "", "x" * 43):
        with pytest.raises(NotFound):
            services.accept_invitation(db, None, token=bad, display_name="N", password=PASSWORD)


def test_a_new_invitation_replaces_the_pending_one(db: Session, make: Factory) -> None:
    world, first = _invite(db, make)
    services.invite_member(
        db, world.facilitator, community_id=world.community.id, email="new@example.org"
    )
    with pytest.raises(Refused, match="expired"):
        services.accept_invitation(db, None, token=first.token, display_name="N", password=PASSWORD)


def test_inviting_a_member_again_is_refused(db: Session, make: Factory) -> None:
    world = make.community(members=1)
    with pytest.raises(Refused):
        services.invite_member(
            db, world.facilitator, community_id=world.community.id, email=world.members[0].email
        )


def test_self_registration_only_where_the_community_allows_it(db: Session, make: Factory) -> None:
    world = make.community(members=0, private=False)
    details = {"email": "joiner@example.org", "display_name": "Joiner", "password": PASSWORD}
    with pytest.raises(Forbidden):
        services.join_community(db, None, community_id=world.community.id, **details)
    assert _membership(db, world.community.id, "joiner@example.org") is None

    world.community.allow_self_registration = True
    db.add(world.community)
    db.commit()
    services.join_community(db, None, community_id=world.community.id, **details)
    membership = _membership(db, world.community.id, "joiner@example.org")
    assert membership is not None and membership.role == "member"


def test_language_and_time_zone_settings_are_checked_and_kept(any_make: Factory, any_db: Session):
    """A person's interface language and time zone, on both databases; bad values change
    nothing."""
    person = any_make.user()
    services.set_preferences(any_db, person, language="pl", time_zone="Europe/Warsaw")
    with pytest.raises(InvalidInput, match="languages offered"):
        services.set_preferences(any_db, person, language="tlh", time_zone="UTC")
    with pytest.raises(InvalidInput, match="not a time zone"):
        services.set_preferences(any_db, person, language=None, time_zone="Europe/Atlantis")
    any_db.expire_all()
    saved = any_db.get(User, person.id)
    assert (saved.language, saved.time_zone) == ("pl", "Europe/Warsaw")
    services.set_preferences(any_db, person, language=None, time_zone="UTC")
    any_db.expire_all()
    assert any_db.get(User, person.id).language is None
