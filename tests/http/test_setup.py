"""Setting up in the browser: the administrator's page, new agreements, settings, members.

Each page is tried by the role it is for and by the others (private community: outsiders
get 404, members 403), with bad input (a clear 4xx, the input kept, nothing changed),
without a CSRF token, and under htmx (the partial comes back).
"""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlmodel import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from agreements.models import Agreement, AuditEvent, Community, Invitation, Membership, User
from agreements.services import authenticate
from tests.factories import AGREEMENT_TEXT, PASSWORD

from .conftest import HX

NEW_FACILITATOR = {
    "name": "Peer Support Cohort",
    "slug": "peer-support",
    "description": "Twelve people learning together.",
    "is_private": "yes",
    "facilitator_account": "new",
    "facilitator_email": "amara@example.org",
    "facilitator_name": "Amara",
    "facilitator_password": "a long first password",
}
SETTINGS = {
    "protocol": "lazy_consensus",
    "quorum_rule": "organisation",
    "quorum_percent": "60",
    "default_round_days": "10",
    "is_private": "yes",
    "allow_self_registration": "yes",
}


def count(db, model, *where) -> int:
    """Rows of `model` matching `where`, read in a fresh transaction."""
    db.rollback()
    return db.exec(select(func.count()).select_from(model).where(*where)).one()


def fresh(db, model, row_id):
    """A row as the app left it (objects the test session already holds would be stale)."""
    db.rollback()
    db.expire_all()
    return db.get(model, row_id)


def events(db) -> int:
    """How many audit events the chain holds."""
    return count(db, AuditEvent)


def markdown_file(text: str | bytes, name: str = "charter.md") -> FileStorage:
    """An uploaded file."""
    data = text.encode() if isinstance(text, str) else text
    return FileStorage(io.BytesIO(data), filename=name)


def post_files(client, url: str, title: str, files: list[FileStorage]):
    """POST a multipart form encoded here: the test client spools bodies over 500 kB to a
    temporary file it never closes (a ResourceWarning), a bytes body it does not."""
    fields = MultiDict([("title", title), *(("files", upload) for upload in files)])
    boundary, body = encode_multipart(fields)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def admin(make):
    """An instance administrator who belongs to no community."""
    user = make.user("Admin", admin=True)
    make.session.rollback()
    return user


# --- the administrator's page ----------------------------------------------------------


def test_admin_page_shows_the_instance_health(client, login, admin, world):
    """Counts, database, migration and a verified audit chain; the partial under htmx."""
    login(client, admin)
    page = client.get("/admin")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "Health of this Accord",
        "SQLite",
        "Up to date",
        "Verified",
        "events verified",
    ):
        assert expected in text
    assert 'href="/admin"' in text  # the header links admins to it
    partial = client.get("/admin", headers=HX)
    assert partial.status_code == 200 and b"<html" not in partial.data
    assert partial.get_data(as_text=True).lstrip().startswith('<div id="admin">')


def test_admin_page_is_for_administrators_only(client, login, world):
    """Anonymous people are asked to sign in; everyone else is refused; no header link."""
    assert client.get("/admin").status_code in (302, 303)
    for person in (world.facilitator, world.members[0]):
        login(client, person)
        refused = client.get("/admin")
        assert refused.status_code == 403
        assert b"Only an administrator" in refused.data
        assert b'href="/admin"' not in client.get("/").data


def test_admin_creates_a_community_with_a_new_facilitator(client, login, admin, db):
    """One event records the community, its facilitator and that the account is new."""
    login(client, admin)
    before = events(db)
    response = client.post("/admin/communities", data=NEW_FACILITATOR)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/c/peer-support")
    db.rollback()
    community = db.exec(select(Community).where(Community.slug == "peer-support")).one()
    amara = authenticate(db, email="amara@example.org", password="a long first password")
    assert amara is not None and amara.display_name == "Amara"
    membership = db.exec(select(Membership).where(Membership.user_id == amara.id)).one()
    assert (membership.community_id, membership.role) == (community.id, "facilitator")
    assert count(db, Membership, Membership.user_id == admin.id) == 0
    assert events(db) == before + 1
    event = db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "community.created"
    assert json.loads(event.payload)["facilitator_account_created"] is True


def test_admin_names_an_existing_account_as_facilitator(client, login, admin, db, make):
    """An existing account is found by its address; no account is created."""
    lucia = make.user("Lucía")
    make.session.rollback()
    login(client, admin)
    people = count(db, User)
    data = {**NEW_FACILITATOR, "facilitator_account": "existing", "facilitator_email": lucia.email}
    response = client.post("/admin/communities", data=data, headers=HX)
    assert response.status_code == 200
    assert "Peer Support Cohort is created" in response.get_data(as_text=True)
    assert count(db, User) == people
    assert count(db, Membership, Membership.user_id == lucia.id) == 1


@pytest.mark.parametrize(
    "change, status, message",
    [
        ({"facilitator_account": "existing", "facilitator_email": "nobody@example.org"}, 422,
         "No account has the address nobody@example.org"),
        ({"slug": "Peer Support!"}, 422, "Slug may contain only lowercase letters"),
        ({"name": ""}, 422, "Name is required"),
        ({"facilitator_password": "short"}, 422, "at least 10 characters"),
        ({"facilitator_email": "not-an-address"}, 422, "valid email address"),
    ],
)  # fmt: skip
def test_refused_community_changes_nothing_and_keeps_the_input(
    client, login, admin, db, change, status, message
):
    """A clear refusal next to the form, what was typed still there, nothing written."""
    login(client, admin)
    before = (events(db), count(db, Community), count(db, User))
    response = client.post("/admin/communities", data={**NEW_FACILITATOR, **change})
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text
    assert 'id="admin_create_community-error"' in text
    assert 'value="Twelve people' not in text  # a textarea keeps its text as content
    assert "Twelve people learning together." in text
    assert (events(db), count(db, Community), count(db, User)) == before


def test_a_taken_address_is_refused_with_what_to_do(client, login, admin, db, world):
    """The address of an existing community: 409, saying it is taken."""
    login(client, admin)
    response = client.post(
        "/admin/communities", data={**NEW_FACILITATOR, "slug": world.community.slug}
    )
    assert response.status_code == 409
    assert b"is already taken" in response.data
    assert count(db, User, User.email == "amara@example.org") == 0


def test_admin_creates_an_account(client, login, admin, db):
    """The new person can sign in; creating it twice is refused."""
    login(client, admin)
    data = {"email": "noor@example.org", "display_name": "Noor", "password": PASSWORD}
    assert client.post("/admin/accounts", data=data).status_code == 303
    db.rollback()
    assert authenticate(db, email="noor@example.org", password=PASSWORD) is not None
    again = client.post("/admin/accounts", data=data)
    assert again.status_code == 409 and b"already exists" in again.data
    assert b'value="noor@example.org"' in again.data


def test_only_administrators_create_communities_and_accounts(client, login, world, db):
    """A facilitator posting to the administrator's forms is refused; nothing is created."""
    login(client, world.facilitator)
    before = (events(db), count(db, Community), count(db, User))
    assert client.post("/admin/communities", data=NEW_FACILITATOR).status_code == 403
    account = {"email": "x@example.org", "display_name": "X", "password": PASSWORD}
    assert client.post("/admin/accounts", data=account).status_code == 403
    assert (events(db), count(db, Community), count(db, User)) == before


# --- a facilitator's new agreement -----------------------------------------------------


def test_facilitator_writes_a_new_agreement(client, login, world, db):
    """The text becomes version 1; the person lands on the new agreement."""
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/agreements/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"title": "Code of conduct", "text": "# Be kind\n"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{world.community.slug}/a/code-of-conduct")
    assert count(db, Agreement, Agreement.title == "Code of conduct") == 1


def test_facilitator_imports_an_agreement_with_its_history(client, login, world, db):
    """Several files become versions in the order of their names."""
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/agreements/import"
    files = [
        markdown_file(AGREEMENT_TEXT + "\nVersion two.\n", "2-charter.md"),
        markdown_file("\ufeff" + AGREEMENT_TEXT, "1-charter.md"),  # a BOM is not text
    ]
    response = post_files(client, url, "Charter", files)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert b"Version two." in page.data
    version_one = client.get(response.headers["Location"] + "/v/1.md")
    assert version_one.get_data(as_text=True) == AGREEMENT_TEXT


@pytest.mark.parametrize(
    "data, status, message",
    [
        ({"title": "", "text": "# Text"}, 422, "Title is required"),
        ({"title": "T", "text": "  "}, 422, "is required"),
        ({"title": "T", "text": "x" * 300_001}, 413, "too long"),
    ],
)
def test_a_refused_new_agreement_keeps_the_text(client, login, world, db, data, status, message):
    """Empty or oversized: refused with a message, the typed text kept, nothing created."""
    login(client, world.facilitator)
    before = (events(db), count(db, Agreement))
    response = client.post(f"/c/{world.community.slug}/agreements/new", data=data)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    if status == 422:
        assert data["text"] in response.get_data(as_text=True)
    assert (events(db), count(db, Agreement)) == before


@pytest.mark.parametrize(
    "files, status, message",
    [
        ([], 422, "Please choose a Markdown file"),
        ([markdown_file("# Text", "charter.docx")], 422, "is not a Markdown file"),
        ([markdown_file(b"\xff\xfe# Text", "latin.md")], 422, "is not UTF-8 text"),
        ([markdown_file("x" * 300_001, "big.md")], 413, "big.md is too long"),
        ([markdown_file("x" * 1_200_001, "huge.md")], 413, "huge.md is too long"),
        ([markdown_file("   ", "empty.md")], 422, "is required"),
    ],
)
def test_a_refused_import_says_why_and_changes_nothing(
    client, login, world, db, files, status, message
):
    """Wrong kind, wrong encoding, too long or empty: a clear 4xx and the title kept."""
    login(client, world.facilitator)
    before = (events(db), count(db, Agreement))
    response = post_files(client, f"/c/{world.community.slug}/agreements/import", "Charter", files)
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text
    assert 'value="Charter"' in text
    assert (events(db), count(db, Agreement)) == before


# --- settings --------------------------------------------------------------------------


def test_facilitator_changes_every_setting(client, login, world, db):
    """Protocol, quorum rule and share, round length, privacy and self-registration."""
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/settings"
    page = client.get(url).get_data(as_text=True)
    assert 'value="consent" checked' in page and 'name="allow_self_registration"' in page
    response = client.post(url, data=SETTINGS)
    assert response.status_code == 303
    community = fresh(db, Community, world.community.id)
    assert (community.protocol, community.quorum_rule) == ("lazy_consensus", "organisation")
    assert (community.quorum_percent, community.default_round_days) == (60, 10)
    assert community.is_private and community.allow_self_registration
    event = db.exec(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.action == "community.settings_changed"
    assert json.loads(event.payload)["allow_self_registration"] is True


def test_settings_under_htmx_answer_the_partial(client, login, world):
    """A save under htmx returns the settings partial with the outcome in it."""
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/settings"
    response = client.post(url, data=SETTINGS, headers=HX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    assert text.lstrip().startswith('<div id="settings">') and "The settings are saved" in text
    refused = client.post(url, data={**SETTINGS, "quorum_percent": "500"}, headers=HX)
    assert refused.status_code == 200 and refused.headers["X-Accord-Status"] == "422"
    assert "between 0 and 100" in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"protocol": "majority_vote"}, "Protocol must be one of"),
        ({"quorum_rule": "household"}, "Quorum rule must be one of"),
        ({"quorum_percent": "500"}, "between 0 and 100"),
        ({"quorum_percent": "-1"}, "Quorum must be a whole number"),
        ({"quorum_percent": "fifty"}, "Quorum must be a whole number"),
        ({"quorum_percent": ""}, "Quorum must be a whole number"),
        ({"default_round_days": "400"}, "between 0 and 365"),
        ({"default_round_days": "7.5"}, "Round length must be a whole number"),
        ({"is_private": ""}, "tick the box"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(client, login, world, db, change, message):
    """422 with the reason, the typed values kept, the community as it was."""
    login(client, world.facilitator)
    before = events(db)
    response = client.post(f"/c/{world.community.slug}/settings", data={**SETTINGS, **change})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert 'id="update_settings-error"' in text
    assert 'value="lazy_consensus" checked' in text or change.get("protocol")
    community = fresh(db, Community, world.community.id)
    assert (community.protocol, community.quorum_percent, community.is_private) == (
        "consent",
        50,
        True,
    )
    assert events(db) == before


def test_making_the_community_public_needs_the_confirmation(client, login, world, db):
    """Unticking Private works once the consequence is confirmed."""
    login(client, world.facilitator)
    data = {**SETTINGS, "is_private": "", "confirm": "yes"}
    assert client.post(f"/c/{world.community.slug}/settings", data=data).status_code == 303
    assert fresh(db, Community, world.community.id).is_private is False


@pytest.mark.parametrize(
    "path", ["/settings", "/agreements/new"], ids=["settings", "new-agreement"]
)
def test_facilitator_pages_refuse_everyone_else(client, login, world, make, admin, path):
    """Members and administrators get 403; outsiders and anonymous visitors 404."""
    url = f"/c/{world.community.slug}{path}"
    assert client.get(url).status_code == 404
    outsider = make.user("Outsider")
    make.session.rollback()
    for person, status in ((outsider, 404), (world.members[0], 403), (admin, 403)):
        login(client, person)
        assert client.get(url).status_code == status, person.display_name


@pytest.mark.parametrize(
    "path, data",
    [
        ("/settings", SETTINGS),
        ("/agreements/new", {"title": "T", "text": "# T"}),
        ("/agreements/import", {"title": "T", "files": [markdown_file("# T")]}),
        ("/members/invite", {"email": "new@example.org", "role": "member"}),
    ],
    ids=["settings", "new-agreement", "import", "invite"],
)
def test_members_cannot_post_the_facilitator_forms(client, login, world, db, path, data):
    """The services refuse (403) and nothing is written."""
    login(client, world.members[0])
    before = events(db)
    assert client.post(f"/c/{world.community.slug}{path}", data=data).status_code == 403
    assert events(db) == before


@pytest.mark.parametrize(
    "path, data",
    [
        ("/admin/communities", NEW_FACILITATOR),
        ("/admin/accounts", {"email": "x@example.org", "display_name": "X", "password": PASSWORD}),
        ("/c/{slug}/settings", SETTINGS),
        ("/c/{slug}/agreements/new", {"title": "T", "text": "# T"}),
        ("/c/{slug}/agreements/import", {"title": "T"}),
        ("/c/{slug}/members/invite", {"email": "new@example.org"}),
    ],
)
def test_setup_forms_refuse_requests_without_a_csrf_token(
    client_without_csrf, login, world, admin, db, path, data
):
    """A forged cross-site form is refused before anything happens."""
    person = admin if path.startswith("/admin") else world.facilitator
    login(client_without_csrf, person)
    before = events(db)
    response = client_without_csrf.post(path.format(slug=world.community.slug), data=data)
    assert response.status_code == 400
    assert events(db) == before


# --- members, invitations and the links people see -------------------------------------


def test_members_page_lists_organisations_and_invites(client, login, world, db):
    """Organisations are summarised; an invitation sent from the page is recorded."""
    world.member("Piotr", organisation="Green Lawyers")
    world.factory.session.rollback()
    login(client, world.facilitator)
    url = f"/c/{world.community.slug}/members"
    page = client.get(url).get_data(as_text=True)
    assert "Green Lawyers: 1 person" in page and "Invite someone" in page
    assert "<table" not in page  # cards, which stack on a phone
    response = client.post(
        f"{url}/invite", data={"email": "Noor@Example.org", "role": "member"}, headers=HX
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and text.lstrip().startswith('<div id="members">')
    assert "Invitation sent to noor@example.org" in text
    assert count(db, Invitation, Invitation.email == "noor@example.org") == 1


def test_a_refused_invitation_keeps_the_input(client, login, world, db):
    """Inviting an existing member: 409, with the address still in the form."""
    login(client, world.facilitator)
    member = world.members[0]
    response = client.post(
        f"/c/{world.community.slug}/members/invite",
        data={"email": member.email, "role": "member", "organisation": "Bar Council"},
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "is already a member" in text and 'value="Bar Council"' in text
    assert count(db, Invitation) == 0


def test_links_are_shown_only_to_people_who_can_use_them(client, login, world, admin):
    """Members see no management links; administrators no settings; facilitators both."""
    slug = world.community.slug
    members_link = f'href="/c/{slug}/members"'
    settings_link = f'href="/c/{slug}/settings"'
    new_link = f'href="/c/{slug}/agreements/new"'
    seen = {}
    for name, person in (("member", world.members[0]), ("facilitator", world.facilitator),
                         ("admin", admin)):  # fmt: skip
        login(client, person)
        page = client.get(f"/c/{slug}").get_data(as_text=True)
        seen[name] = (members_link in page, settings_link in page, new_link in page)
    assert seen == {
        "member": (False, False, False),
        "facilitator": (True, True, True),
        "admin": (True, False, False),
    }


def test_pages_link_the_favicon(client):
    """Every page names the icon, so browsers stop asking for a missing /favicon.ico."""
    page = client.get("/sign-in").get_data(as_text=True)
    icon_url = re.search(r'<link rel="icon" href="(/assets/favicon\.[0-9a-f]{12}\.svg)"', page)
    assert icon_url is not None
    with client.get(icon_url.group(1)) as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
