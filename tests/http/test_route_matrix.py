"""Every HTTP route x every kind of person: exactly the status the table says.

ROUTE_ACCESS is the one table: endpoint -> how to call it and the status each of
anonymous, outsider, member, proposer, facilitator and admin gets. A route registered in
the app without an entry fails `test_every_route_has_an_entry`, so no route can be added
without deciding who may use it. The community is private: outsiders and anonymous
visitors get 404 for everything inside it, so its existence does not leak.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeSerializer
from sqlmodel import Session, select

from agreements import services
from agreements.delivery import links
from agreements.models import Notification, Round, User
from agreements.services.proposals import revisions_of
from agreements.storage.engines import make_engine
from agreements.storage.sessions import get_engine
from agreements.web.bandwidth import hashed_name
from tests.conftest import TEST_SECRET, CsrfClient, reusable_test_app
from tests.factories import AGREEMENT_TEXT, Factory

ROLES = ("anonymous", "outsider", "member", "proposer", "facilitator", "admin")


@dataclass(frozen=True)
class Route:
    """How to call one endpoint (path template filled from the scene) and who gets what."""

    method: str
    path: str
    statuses: dict[str, int]
    data: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None


def statuses(
    *, anonymous: int, outsider: int, member: int, proposer: int, facilitator: int, admin: int
) -> dict[str, int]:
    """The status for each role (keyword-only, so no role can be forgotten)."""
    return dict(
        anonymous=anonymous,
        outsider=outsider,
        member=member,
        proposer=proposer,
        facilitator=facilitator,
        admin=admin,
    )


STYLESHEET = hashed_name(Path(__file__).parents[2] / "static" / "accord.css", "accord.css")
EVERYONE_200 = statuses(
    anonymous=200, outsider=200, member=200, proposer=200, facilitator=200, admin=200
)
SIGNED_IN_200 = {**EVERYONE_200, "anonymous": 302}
COMMUNITY_READERS = statuses(
    anonymous=404, outsider=404, member=200, proposer=200, facilitator=200, admin=200
)
MANAGERS = statuses(
    anonymous=404, outsider=404, member=403, proposer=403, facilitator=200, admin=200
)
ADMINS_PAGE = statuses(
    anonymous=303, outsider=403, member=403, proposer=403, facilitator=403, admin=200
)
ADMINS_ACTION = {**ADMINS_PAGE, "admin": 303}
FACILITATORS_PAGE = {**MANAGERS, "admin": 403}
FACILITATORS_ACTION = {**FACILITATORS_PAGE, "facilitator": 303}
# The API: no token on a private community -> 401 for actions and 404 for reads (its
# existence does not leak); outsiders 404; 403 for a role refusal; 409 for a protocol
# refusal; 422 for invalid input; 200/201 for success. An admin who is not a member
# reads everything but takes no part in a community's proposals.
API_TAKE_PART = statuses(
    anonymous=401, outsider=404, member=201, proposer=201, facilitator=201, admin=403
)
API_FACILITATORS = statuses(
    anonymous=401, outsider=404, member=403, proposer=403, facilitator=200, admin=403
)
API_MANAGERS = statuses(
    anonymous=401, outsider=404, member=403, proposer=403, facilitator=200, admin=200
)
SETTINGS = {
    "protocol": "consent",
    "quorum_rule": "organisation",
    "quorum_percent": 60,
    "default_round_days": 5,
    "is_private": True,
}
API = "/api/v1"
API_AGREEMENT = API + "/communities/{slug}/agreements/{agreement}"
API_PROPOSAL = API + "/proposals/{proposal}"
API_OBJECTION = API + "/objections/{objection}"

ROUTE_ACCESS: dict[str, Route] = {
    "auth.sign_in": Route("GET", "/sign-in", EVERYONE_200),
    "auth.sign_out": Route("POST", "/sign-out", {role: 303 for role in ROLES}),
    "auth.account": Route("GET", "/account", SIGNED_IN_200),
    "auth.preferences": Route(
        "POST",
        "/account/preferences",
        {**{role: 303 for role in ROLES}, "anonymous": 302},
        data={"language": "fr", "time_zone": "Europe/Paris"},
    ),
    "web.choose_language": Route(
        "POST", "/language", {role: 303 for role in ROLES}, data={"language": "de", "next": "/"}
    ),
    "auth.forgot_password": Route("GET", "/forgot-password", EVERYONE_200),
    "auth.reset_password": Route("GET", "/reset-password/forged-token", {r: 404 for r in ROLES}),
    "auth.accept_invitation": Route("GET", "/invitations/forged-token", {r: 404 for r in ROLES}),
    "auth.invite": Route("GET", "/c/{slug}/invite", MANAGERS),
    "auth.join": Route("GET", "/c/{slug}/join", COMMUNITY_READERS),
    "web.index": Route("GET", "/", EVERYONE_200),
    "assets.hashed": Route("GET", f"/assets/{STYLESHEET}", EVERYONE_200),
    "web.search": Route("GET", "/search?q=share", EVERYONE_200),
    "web.community": Route("GET", "/c/{slug}", COMMUNITY_READERS),
    "web.agreement": Route("GET", "/c/{slug}/a/{agreement}", COMMUNITY_READERS),
    "web.version": Route("GET", "/c/{slug}/a/{agreement}/v/1", COMMUNITY_READERS),
    "web.download": Route("GET", "/c/{slug}/a/{agreement}/v/1.md", COMMUNITY_READERS),
    "web.compare": Route("GET", "/c/{slug}/a/{agreement}/compare?from=1&to=1", COMMUNITY_READERS),
    "web.proposal": Route("GET", "/p/{proposal}", COMMUNITY_READERS),
    "web.proposal_diff": Route("GET", "/p/{proposal}/diff", COMMUNITY_READERS),
    "web.tally": Route("GET", "/p/{proposal}/tally", COMMUNITY_READERS),
    "history.community_history": Route("GET", "/c/{slug}/history", COMMUNITY_READERS),
    "history.agreement_history": Route("GET", "/c/{slug}/a/{agreement}/history", COMMUNITY_READERS),
    "history.proposal_history": Route("GET", "/p/{proposal}/history", COMMUNITY_READERS),
    "history.decision_record": Route("GET", "/c/{slug}/a/{recorded}/v/2/record", COMMUNITY_READERS),
    "history.decision_record_download": Route(
        "GET", "/c/{slug}/a/{recorded}/v/2/record.json", COMMUNITY_READERS
    ),
    "tokens.index": Route(
        "GET",
        "/account/tokens",
        statuses(anonymous=302, outsider=200, member=200, proposer=200, facilitator=200, admin=200),
    ),
    "tokens.create": Route(
        "POST",
        "/account/tokens",
        statuses(anonymous=302, outsider=201, member=201, proposer=201, facilitator=201, admin=201),
        {"name": "laptop"},
    ),
    "tokens.revoke": Route(
        "POST",
        "/account/tokens/{member_token}/revoke",
        statuses(anonymous=302, outsider=404, member=302, proposer=404, facilitator=404, admin=404),
    ),
    # Membership is managed by facilitators and instance administrators, on pages and API.
    "web.members": Route(
        "GET",
        "/c/{slug}/members",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=200, admin=200),
    ),
    "web.change_member": Route(
        "POST",
        "/c/{slug}/members/{member_id}",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=303),
        {"role": "member", "organisation": "Org"},
    ),
    "web.propose": Route("GET", "/c/{slug}/a/{agreement}/propose", COMMUNITY_READERS),
    "web.preview": Route(
        "POST", "/c/{slug}/a/{agreement}/preview", COMMUNITY_READERS, {"text": "# New"}
    ),
    "web.submit_amendment": Route(
        "POST",
        "/c/{slug}/a/{agreement}/propose",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {
            "title": "Shorter",
            "rationale": "Less is more.",
            "text": "# New text",
            "intent": "submit",
        },
    ),
    "web.comment": Route(
        "POST",
        "/p/{proposal}/comment",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"body": "Why?"},
    ),
    "web.concern": Route(
        "POST",
        "/p/{proposal}/concern",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"text": "Hmm."},
    ),
    "web.raise_objection": Route(
        "POST",
        "/p/{objection_proposal}/object",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"reason": "Unclear."},
    ),
    "web.stance": Route(
        "POST",
        "/p/{consent_proposal}/stance",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"position": "consent"},
    ),
    "web.reconfirm": Route(
        "POST",
        "/p/{consent_proposal}/reconfirm",
        statuses(anonymous=404, outsider=404, member=409, proposer=409, facilitator=409, admin=403),
    ),
    # The world's proposals build on the current version: proposer and facilitator may
    # rebase but there is nothing to rebase (409); members may not (403).
    "web.rebase": Route(
        "POST",
        "/p/{proposal}/rebase",
        statuses(anonymous=404, outsider=404, member=403, proposer=409, facilitator=409, admin=403),
    ),
    "web.revise": Route(
        "POST",
        "/p/{proposal}/revise",
        statuses(anonymous=404, outsider=404, member=403, proposer=303, facilitator=403, admin=403),
        {"text": "# Revised", "note": "Shorter."},
    ),
    "web.move": Route(
        "POST",
        "/p/{proposal}/move/withdraw",
        statuses(anonymous=404, outsider=404, member=403, proposer=303, facilitator=403, admin=403),
        {"confirm": "yes"},
    ),
    "web.open_objection_round": Route(
        "POST",
        "/p/{proposal}/open_objection_round",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=403),
    ),
    "web.open_consent_round": Route(
        "POST",
        "/p/{objection_proposal}/open_consent_round",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=409, admin=403),
    ),
    "web.adopt": Route(
        "POST",
        "/p/{consent_proposal}/adopt",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=403),
        {"confirm": "yes", "outcome_statement": "Ok."},
    ),
    "web.close": Route(
        "POST",
        "/p/{proposal}/reject",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=403),
        {"confirm": "yes", "reason": "Out of scope."},
    ),
    # Deadlines and reminders: a facilitator's tools on the open round; proposing a lapsed
    # proposal again is the proposer's (the scene's proposal has not lapsed: 409).
    "web.extend_deadline": Route(
        "POST",
        "/p/{consent_proposal}/deadline",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=403),
        {"deadline": "2099-01-01T12:00", "reason": "Holidays."},
    ),
    "web.remind": Route(
        "POST",
        "/p/{consent_proposal}/remind",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=403),
    ),
    "web.propose_again": Route(
        "POST",
        "/p/{proposal}/propose-again",
        statuses(anonymous=404, outsider=404, member=403, proposer=409, facilitator=403, admin=403),
    ),
    "web.set_review_date": Route(
        "POST", "/c/{slug}/a/{agreement}/review", FACILITATORS_ACTION, {"review_on": "2099-01-01"}
    ),
    # Translations: members propose a translated text, a facilitator confirms or declines it.
    "web.translations": Route("GET", "/c/{slug}/a/{agreement}/translations", COMMUNITY_READERS),
    "web.propose_translation": Route(
        "POST",
        "/c/{slug}/a/{agreement}/translations",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"language": "de", "text": "# Unsere Vereinbarung"},
    ),
    "web.translation": Route("GET", "/c/{slug}/a/{agreement}/translations/fr", COMMUNITY_READERS),
    "web.update_translation": Route(
        "POST",
        "/c/{slug}/a/{agreement}/translations/fr",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"text": "# Notre accord, revu"},
    ),
    "web.decide_translation": Route(
        "POST",
        "/c/{slug}/a/{agreement}/translations/fr/{translation}/confirm",
        FACILITATORS_ACTION,
    ),
    "web.needs_you": Route("GET", "/needs-you", {**SIGNED_IN_200, "anonymous": 303}),
    "web.objection_move": Route(
        "POST",
        "/p/{objection_proposal}/objections/{objection}/withdraw",
        statuses(anonymous=404, outsider=404, member=303, proposer=403, facilitator=403, admin=403),
    ),
    # Setting up: the instance administrator's page, a facilitator's agreements and settings.
    "web.admin": Route("GET", "/admin", ADMINS_PAGE),
    "web.admin_create_community": Route(
        "POST",
        "/admin/communities",
        ADMINS_ACTION,
        {
            "slug": "new-one",
            "name": "New",
            "facilitator_account": "new",
            "facilitator_email": "first@example.org",
            "facilitator_name": "First",
            "facilitator_password": "long enough password",
        },
    ),
    "web.admin_create_account": Route(
        "POST",
        "/admin/accounts",
        ADMINS_ACTION,
        {"email": "new@example.org", "display_name": "New", "password": "long enough password"},
    ),
    "web.new_agreement": Route("GET", "/c/{slug}/agreements/new", FACILITATORS_PAGE),
    "web.create_agreement": Route(
        "POST", "/c/{slug}/agreements/new", FACILITATORS_ACTION, {"title": "Second", "text": "# 2"}
    ),
    # No file is sent (a stream cannot be shared by every role's request): the facilitator
    # gets past the access check to the refusal of an empty upload.
    "web.import_agreement": Route(
        "POST",
        "/c/{slug}/agreements/import",
        {**FACILITATORS_ACTION, "facilitator": 422},
        {"title": "Imported"},
    ),
    "web.settings": Route("GET", "/c/{slug}/settings", FACILITATORS_PAGE),
    "web.update_settings": Route(
        "POST",
        "/c/{slug}/settings",
        FACILITATORS_ACTION,
        {**SETTINGS, "quorum_percent": "60", "default_round_days": "5", "is_private": "yes"},
    ),
    "web.invite_member": Route(
        "POST",
        "/c/{slug}/members/invite",
        statuses(anonymous=404, outsider=404, member=403, proposer=403, facilitator=303, admin=303),
        {"email": "new@example.org", "role": "member"},
    ),
    # Feeds: made and revoked on the community page; read with the secret, without a session.
    "web.create_feed": Route(
        "POST",
        "/c/{slug}/feeds",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=303),
    ),
    "web.revoke_feed": Route(
        "POST",
        "/c/{slug}/feeds/revoke",
        statuses(anonymous=404, outsider=404, member=303, proposer=404, facilitator=404, admin=404),
    ),
    "web.decisions_feed": Route("GET", "/feeds/{member_feed}/decisions.atom", EVERYONE_200),
    "web.deadlines_calendar": Route("GET", "/feeds/{member_feed}/deadlines.ics", EVERYONE_200),
    # Notifications: one's own; preferences per community; unsubscribe works without a session.
    "web.notifications": Route("GET", "/notifications", {**EVERYONE_200, "anonymous": 303}),
    "web.read_all_notifications": Route("POST", "/notifications/read", {r: 303 for r in ROLES}),
    "web.unread_badge": Route("GET", "/notifications/unread", EVERYONE_200),
    "web.read_notification": Route(
        "POST",
        "/notifications/{member_notification}/read",
        statuses(anonymous=303, outsider=404, member=303, proposer=404, facilitator=404, admin=404),
    ),
    "web.notification_preferences": Route(
        "GET", "/c/{slug}/notifications", {**COMMUNITY_READERS, "admin": 403}
    ),
    "web.save_notification_preferences": Route(
        "POST",
        "/c/{slug}/notifications",
        statuses(anonymous=404, outsider=404, member=303, proposer=303, facilitator=303, admin=403),
        {"delivery": "digest", "digest_hour": "7", "time_zone": "Europe/Brussels"},
    ),
    "web.unsubscribe": Route("GET", "/unsubscribe/{member_unsubscribe}", EVERYONE_200),
    "web.confirm_unsubscribe": Route("POST", "/unsubscribe/{member_unsubscribe}", EVERYONE_200),
    "web.admin_mail": Route("GET", "/admin/mail", ADMINS_PAGE),
    "web.retry_failed_mails": Route("POST", "/admin/mail/retry", ADMINS_ACTION),
    "web.answer": Route("GET", "/answer/{member_answer}", EVERYONE_200),
    "web.confirm_answer": Route("POST", "/answer/{member_answer}", EVERYONE_200),
    "api.openapi_json": Route("GET", API + "/openapi.json", EVERYONE_200),
    "api.reference": Route("GET", API + "/docs", EVERYONE_200),
    "api.get_me": Route(
        "GET",
        API + "/me",
        statuses(anonymous=401, outsider=200, member=200, proposer=200, facilitator=200, admin=200),
    ),
    "api.list_communities": Route("GET", API + "/communities", EVERYONE_200),
    # kept to the private community: outsiders are told it is not there (404)
    "api.search_texts": Route("GET", API + "/search?q=share&community={slug}", COMMUNITY_READERS),
    "api.create_community": Route(
        "POST",
        API + "/communities",
        statuses(anonymous=401, outsider=403, member=403, proposer=403, facilitator=403, admin=201),
        json={"slug": "new-one", "name": "New"},
    ),
    "api.get_community": Route("GET", API + "/communities/{slug}", COMMUNITY_READERS),
    "api.update_settings": Route(
        "PUT", API + "/communities/{slug}/settings", API_FACILITATORS, json=SETTINGS
    ),
    "api.list_members": Route("GET", API + "/communities/{slug}/members", API_MANAGERS),
    "api.add_member": Route(
        "POST",
        API + "/communities/{slug}/members",
        statuses(anonymous=401, outsider=404, member=403, proposer=403, facilitator=201, admin=201),
        json={"user_id": "{newcomer_id}"},
    ),
    "api.change_member": Route(
        "PATCH",
        API + "/communities/{slug}/members/{member_id}",
        API_MANAGERS,
        json={"role": "member"},
    ),
    "api.list_community_events": Route(
        "GET", API + "/communities/{slug}/events", COMMUNITY_READERS
    ),
    "api.list_agreements": Route("GET", API + "/communities/{slug}/agreements", COMMUNITY_READERS),
    "api.create_agreement": Route(
        "POST",
        API + "/communities/{slug}/agreements",
        statuses(anonymous=401, outsider=404, member=403, proposer=403, facilitator=201, admin=403),
        json={"title": "Second", "text": "# Two"},
    ),
    "api.get_agreement": Route("GET", API_AGREEMENT, COMMUNITY_READERS),
    "api.list_agreement_events": Route("GET", API_AGREEMENT + "/events", COMMUNITY_READERS),
    "api.list_versions": Route("GET", API_AGREEMENT + "/versions", COMMUNITY_READERS),
    "api.get_version": Route("GET", API_AGREEMENT + "/versions/1", COMMUNITY_READERS),
    "api.compare_versions": Route("GET", API_AGREEMENT + "/compare?from=1&to=1", COMMUNITY_READERS),
    "api.get_decision_record": Route(
        "GET",
        API + "/communities/{slug}/agreements/{recorded}/versions/2/record",
        COMMUNITY_READERS,
    ),
    "api.list_proposals": Route("GET", API_AGREEMENT + "/proposals", COMMUNITY_READERS),
    "api.create_proposal": Route(
        "POST", API_AGREEMENT + "/proposals", API_TAKE_PART, json={"title": "T", "text": "# New"}
    ),
    "api.get_proposal": Route("GET", API_PROPOSAL, COMMUNITY_READERS),
    "api.list_proposal_events": Route("GET", API_PROPOSAL + "/events", COMMUNITY_READERS),
    "api.list_revisions": Route("GET", API_PROPOSAL + "/revisions", COMMUNITY_READERS),
    "api.get_revision": Route("GET", API_PROPOSAL + "/revisions/1", COMMUNITY_READERS),
    "api.diff_revision": Route("GET", API_PROPOSAL + "/revisions/1/diff", COMMUNITY_READERS),
    "api.revise": Route(
        "POST",
        API_PROPOSAL + "/revisions",
        statuses(anonymous=401, outsider=404, member=403, proposer=201, facilitator=403, admin=403),
        json={"text": "# Revised"},
    ),
    "api.list_comments": Route("GET", API_PROPOSAL + "/comments", COMMUNITY_READERS),
    "api.add_comment": Route(
        "POST", API_PROPOSAL + "/comments", API_TAKE_PART, json={"body": "Why?"}
    ),
    "api.list_concerns": Route("GET", API_PROPOSAL + "/concerns", COMMUNITY_READERS),
    "api.raise_concern": Route(
        "POST", API_PROPOSAL + "/concerns", API_TAKE_PART, json={"text": "Hmm."}
    ),
    "api.list_objections": Route(
        "GET", API + "/proposals/{objection_proposal}/objections", COMMUNITY_READERS
    ),
    "api.raise_objection": Route(
        "POST",
        API + "/proposals/{objection_proposal}/objections",
        API_TAKE_PART,
        json={"reason": "No."},
    ),
    "api.get_objection": Route("GET", API_OBJECTION, COMMUNITY_READERS),
    "api.withdraw_objection": Route(
        "POST",
        API_OBJECTION + "/withdraw",
        statuses(anonymous=401, outsider=404, member=200, proposer=403, facilitator=403, admin=403),
        json={},
    ),
    "api.reopen_objection": Route(
        "POST",
        API_OBJECTION + "/reopen",
        statuses(anonymous=401, outsider=404, member=409, proposer=409, facilitator=409, admin=403),
        json={},
    ),
    "api.resolve_objection": Route(
        "POST",
        API_OBJECTION + "/resolve",
        statuses(anonymous=401, outsider=404, member=409, proposer=409, facilitator=409, admin=403),
        json={},
    ),
    "api.reclassify_objection": Route(
        "POST",
        API_OBJECTION + "/reclassify",
        statuses(anonymous=401, outsider=404, member=200, proposer=409, facilitator=409, admin=403),
        json={},
    ),
    "api.overrule_objection": Route(
        "POST", API_OBJECTION + "/overrule", API_FACILITATORS, json={"reason": "Not paramount."}
    ),
    "api.submit": Route(
        "POST",
        API_PROPOSAL + "/submit",
        statuses(anonymous=401, outsider=404, member=409, proposer=409, facilitator=409, admin=409),
        json={},
    ),
    "api.open_comments": Route(
        "POST",
        API_PROPOSAL + "/open-comments",
        statuses(anonymous=401, outsider=404, member=409, proposer=409, facilitator=409, admin=409),
        json={},
    ),
    "api.open_objection_round": Route(
        "POST", API_PROPOSAL + "/open-objection-round", API_FACILITATORS, json={}
    ),
    "api.open_consent_round": Route(
        "POST",
        API + "/proposals/{objection_proposal}/open-consent-round",
        statuses(anonymous=401, outsider=404, member=403, proposer=403, facilitator=409, admin=403),
        json={},
    ),
    "api.withdraw": Route(
        "POST",
        API_PROPOSAL + "/withdraw",
        statuses(anonymous=401, outsider=404, member=403, proposer=200, facilitator=403, admin=403),
        json={},
    ),
    "api.reject": Route(
        "POST", API_PROPOSAL + "/reject", API_FACILITATORS, json={"reason": "Out of scope."}
    ),
    "api.lapse": Route(
        "POST",
        API + "/proposals/{consent_proposal}/lapse",
        statuses(anonymous=401, outsider=404, member=403, proposer=403, facilitator=409, admin=403),
        json={"reason": "Quiet."},
    ),
    "api.adopt": Route(
        "POST",
        API + "/proposals/{consent_proposal}/adopt",
        API_FACILITATORS,
        json={"outcome_statement": "Agreed."},
    ),
    "api.extend_deadline": Route(
        "POST",
        API + "/proposals/{consent_proposal}/extend-deadline",
        API_FACILITATORS,
        json={"deadline": "2099-01-01T12:00:00Z", "reason": "Holidays."},
    ),
    "api.remind": Route(
        "POST", API + "/proposals/{consent_proposal}/remind", API_FACILITATORS, json={}
    ),
    "api.propose_again": Route(
        "POST",
        API_PROPOSAL + "/propose-again",
        statuses(anonymous=401, outsider=404, member=403, proposer=409, facilitator=403, admin=403),
        json={},
    ),
    "api.set_review_date": Route(
        "PUT", API_AGREEMENT + "/review-date", API_FACILITATORS, json={"review_on": "2099-01-01"}
    ),
    "api.list_translations": Route("GET", API_AGREEMENT + "/translations", COMMUNITY_READERS),
    "api.propose_translation": Route(
        "POST",
        API_AGREEMENT + "/translations",
        API_TAKE_PART,
        json={"language": "es", "text": "# Nuestro acuerdo"},
    ),
    "api.confirm_translation": Route(
        "POST", API + "/translations/{translation}/confirm", API_FACILITATORS, json={}
    ),
    "api.decline_translation": Route(
        "POST",
        API + "/translations/{translation}/decline",
        API_FACILITATORS,
        json={"reason": "Too literal."},
    ),
    "api.list_rounds": Route("GET", API_PROPOSAL + "/rounds", COMMUNITY_READERS),
    "api.get_round": Route("GET", API + "/rounds/{round}", COMMUNITY_READERS),
    "api.list_stances": Route("GET", API + "/rounds/{round}/stances", COMMUNITY_READERS),
    "api.register_stance": Route(
        "POST",
        API + "/proposals/{consent_proposal}/stances",
        API_TAKE_PART,
        json={"position": "consent"},
    ),
    "api.rebase": Route(
        "POST",
        API + "/proposals/{proposal}/rebase",
        statuses(anonymous=401, outsider=404, member=403, proposer=409, facilitator=409, admin=403),
        json={},
    ),
    "api.reconfirm_stance": Route(
        "POST",
        API + "/proposals/{consent_proposal}/stances/reconfirm",
        statuses(anonymous=401, outsider=404, member=409, proposer=409, facilitator=409, admin=403),
        json={},
    ),
}


def test_every_route_has_an_entry(app) -> None:
    """A route without a decided access rule fails here (list printed for the author)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    missing = sorted(endpoints - set(ROUTE_ACCESS))
    unknown = sorted(set(ROUTE_ACCESS) - endpoints)
    assert not missing, f"routes missing from ROUTE_ACCESS: {missing}"
    assert not unknown, f"ROUTE_ACCESS names routes that do not exist: {unknown}"


@dataclass(frozen=True)
class Situation:
    """A database file with a private community, and who is who in it."""

    path: Path
    places: dict[str, Any]
    people: dict[str, int | None]
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
def situation(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Situation:
    """Built once; each test acts on its own copy of the file."""
    path = tmp_path_factory.mktemp("routes") / "accord.sqlite"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as db:
        places, people, tokens = make_scene(db)
    engine.dispose()
    return Situation(path, places, people, tokens)


def make_scene(
    db: Session,
) -> tuple[dict[str, Any], dict[str, int | None], dict[str, str | None]]:
    """A private community with a proposal at each stage, and who is who: the places
    that fill ROUTE_ACCESS's paths, each role's user id and each role's API token."""
    make = Factory(db)
    world = make.community(members=2)
    member, proposer, facilitator = world.members[1], world.members[0], world.facilitator
    proposal = make.proposal(world, proposer, stage="comment")
    objecting = make.proposal(
        world, proposer, stage="objection", text=AGREEMENT_TEXT.replace("respect", "care")
    )
    objection = services.raise_objection(db, member, proposal_id=objecting.id, reason="Unclear.")
    consenting = make.proposal(
        world, proposer, stage="consent", text=AGREEMENT_TEXT.replace("consent", "accord")
    )
    for person in (facilitator, proposer):
        services.register_stance(db, person, proposal_id=consenting.id, position="consent")
    round_id = db.exec(
        select(Round.id).where(Round.proposal_id == consenting.id).order_by(Round.id.desc())
    ).first()
    recorded = services.create_agreement(
        db, facilitator, community_id=world.community.id, title="Record", text=AGREEMENT_TEXT
    )
    make.proposal(replace(world, agreement=recorded), proposer, stage="adopted")
    newcomer = make.user("Newcomer")
    people = {
        "anonymous": None,
        "outsider": make.user("Outsider").id,
        "member": member.id,
        "proposer": proposer.id,
        "facilitator": facilitator.id,
        "admin": make.user("Admin", admin=True).id,
    }
    tokens: dict[str, str | None] = {"anonymous": None}
    token_ids: dict[str, int] = {}
    for role, user_id in people.items():
        if user_id is not None:
            token, tokens[role] = services.create_api_token(
                db, db.get(User, user_id), name="matrix"
            )
            token_ids[role] = token.id
    feed = services.create_feed(db, member, community_id=world.community.id)
    german = services.propose_translation(
        db, member, agreement_id=world.agreement.id, language="de", text="# Unsere Vereinbarung"
    )
    services.confirm_translation(db, facilitator, translation_id=german.id)
    translation = services.propose_translation(
        db, member, agreement_id=world.agreement.id, language="fr", text="# Notre accord"
    )
    db.commit()
    places = {
        "slug": world.community.slug,
        "agreement": world.agreement.slug,
        "proposal": proposal.id,
        "objection_proposal": objecting.id,
        "objection": objection.id,
        "consent_proposal": consenting.id,
        "round": round_id,
        "recorded": recorded.slug,
        "member_id": member.id,
        "newcomer_id": newcomer.id,
        "member_token": token_ids["member"],
        "member_feed": feed.secret,
        "translation": translation.id,
        "member_notification": db.exec(
            select(Notification.id).where(Notification.recipient_id == member.id)
        ).first(),
        "member_unsubscribe": URLSafeSerializer(TEST_SECRET, salt=links.SALT).dumps(
            [member.id, world.community.id]
        ),
        "member_answer": URLSafeSerializer(TEST_SECRET, salt=links.ANSWER_SALT).dumps(
            [member.id, round_id, revisions_of(db, consenting)[-1].text_sha256, "consent"]
        ),
    }
    return places, people, tokens


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(ROUTE_ACCESS))
def test_route_gives_each_role_exactly_the_table_status(
    situation: Situation, tmp_path: Path, login, endpoint: str, role: str
) -> None:
    """The status each role gets is the one in ROUTE_ACCESS."""
    route = ROUTE_ACCESS[endpoint]
    path = tmp_path / "accord.sqlite"
    shutil.copyfile(situation.path, path)
    app = reusable_test_app(f"sqlite:///{path}")
    api = endpoint.startswith("api.")
    app.test_client_class = FlaskClient if api else CsrfClient
    client = app.test_client()
    try:
        person = situation.people[role]
        url = route.path.format(**situation.places)
        if api:
            # The API ignores cookies: each role calls with its own Bearer token.
            token = situation.tokens[role]
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = fill_body(route.json, situation.places)
            response = client.open(url, method=route.method, json=body, headers=headers)
        else:
            if person is not None:
                with Session(get_engine(app)) as db:
                    login(client, db.get(User, person))
            response = client.open(url, method=route.method, data=route.data)
        assert response.status_code == route.statuses[role], response.get_data(as_text=True)[:300]
    finally:
        get_engine(app).dispose()


def fill_body(body: dict[str, Any] | None, places: dict[str, Any]) -> dict[str, Any] | None:
    """A JSON body with "{place}" values replaced by the scene's ids (kept as numbers)."""
    if body is None:
        return None
    return {
        key: places[value[1:-1]]
        if isinstance(value, str) and value.startswith("{") and value.endswith("}")
        else value
        for key, value in body.items()
    }
