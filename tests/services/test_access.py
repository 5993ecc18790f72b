"""Who may see and do what in a community, rule by rule (agreements/access.py).

Every service calls these checks, so each actor (anonymous, outsider, instance admin,
member, facilitator) meets each check on a private and a public community, and the exact
refusal is pinned: a private community answers outsiders 404 so its existence does not
leak, a public one 403, and anonymous people are asked to sign in (401).
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, delete

from agreements import access
from agreements.errors import NOTHING_HERE, DomainError, Forbidden, NotAuthenticated, NotFound
from agreements.models import Membership, User
from tests.factories import Factory, World

ACTORS = ("anonymous", "outsider", "admin", "member", "facilitator")
SIGN_IN = (NotAuthenticated, "Please sign in to take part.")
MEMBERS_ONLY = (Forbidden, "Only members of {name} can do that.")
FACILITATORS_ONLY = (Forbidden, "Only a facilitator of this community can do that.")
HIDDEN = (NotFound, NOTHING_HERE)
ADMINS_ONLY = (Forbidden, "Only an administrator of this Accord instance can do that.")
OK = None

# check -> actor -> outcome on a (private, public) community; None means allowed.
EXPECTED: dict[str, dict[str, tuple]] = {
    "require_visible": {
        "anonymous": (HIDDEN, OK),
        "outsider": (HIDDEN, OK),
        "admin": (OK, OK),
        "member": (OK, OK),
        "facilitator": (OK, OK),
    },
    "require_member": {
        "anonymous": (SIGN_IN, SIGN_IN),
        "outsider": (HIDDEN, MEMBERS_ONLY),
        "admin": (MEMBERS_ONLY, MEMBERS_ONLY),
        "member": (OK, OK),
        "facilitator": (OK, OK),
    },
    "require_facilitator": {
        "anonymous": (SIGN_IN, SIGN_IN),
        "outsider": (HIDDEN, MEMBERS_ONLY),
        "admin": (MEMBERS_ONLY, MEMBERS_ONLY),
        "member": (FACILITATORS_ONLY, FACILITATORS_ONLY),
        "facilitator": (OK, OK),
    },
    "require_manager": {
        "anonymous": (SIGN_IN, SIGN_IN),
        "outsider": (HIDDEN, MEMBERS_ONLY),
        "admin": (OK, OK),
        "member": (FACILITATORS_ONLY, FACILITATORS_ONLY),
        "facilitator": (OK, OK),
    },
}


def actor(make: Factory, world: World, who: str) -> User | None:
    """The person `who` relative to `world`; the outsider is a member of another community."""
    if who == "anonymous":
        return None
    if who == "outsider":
        return make.community(members=1).members[0]
    if who == "admin":
        return make.user(admin=True)
    return world.facilitator if who == "facilitator" else world.members[0]


@pytest.mark.parametrize("private", [True, False], ids=["private", "public"])
@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("check", sorted(EXPECTED))
def test_each_actor_meets_each_community_check(
    any_make: Factory, any_db: Session, check: str, who: str, private: bool
) -> None:
    world = any_make.community(members=2, private=private)
    person = actor(any_make, world, who)
    column = 0 if private else 1
    expected = EXPECTED[check][who][column]
    visible = EXPECTED["require_visible"][who][column] is OK
    assert access.can_see(any_db, person, world.community) is visible
    run = getattr(access, check)
    if expected is OK:
        membership = run(any_db, person, world.community)
        if check in ("require_member", "require_facilitator"):
            assert (membership.user_id, membership.community_id) == (
                person.id,  # type: ignore[union-attr]
                world.community.id,
            )
            assert membership.role == who
        return
    error, message = expected
    with pytest.raises(DomainError) as refused:
        run(any_db, person, world.community)
    assert type(refused.value) is error
    assert refused.value.message == message.format(name=world.community.name)


@pytest.mark.parametrize(
    ("who", "outcome"),
    [("anonymous", (NotAuthenticated, "Please sign in.")), ("member", ADMINS_ONLY),
     ("facilitator", ADMINS_ONLY), ("admin", OK)],
)  # fmt: skip
def test_only_instance_administrators_pass_require_admin(
    any_make: Factory, who: str, outcome: tuple | None
) -> None:
    world = any_make.community(members=1)
    person = actor(any_make, world, who)
    if outcome is OK:
        assert access.require_admin(person) is person
        return
    error, message = outcome
    with pytest.raises(DomainError) as refused:
        access.require_admin(person)
    assert (type(refused.value), refused.value.message) == (error, message)


def test_a_user_not_yet_saved_has_no_membership(any_make: Factory, any_db: Session) -> None:
    world = any_make.community(members=1)
    unsaved = User(email="new@example.org", display_name="New", password_hash="x")
    assert access.membership_of(any_db, unsaved, world.community) is None
    assert access.can_see(any_db, unsaved, world.community) is False


def test_a_check_sees_a_membership_made_or_ended_earlier_in_the_same_transaction(
    any_make: Factory, any_db: Session
) -> None:
    """A page asks for the same membership many times and reads it once; whatever the
    transaction writes in between (an added row, a deleted one, a DELETE statement) is
    seen by the next check, flushed or not."""
    world = any_make.community(members=0)
    person = any_make.user()
    assert access.membership_of(any_db, person, world.community) is None
    joined = Membership(community_id=world.community.id, user_id=person.id)
    any_db.add(joined)
    assert access.membership_of(any_db, person, world.community) is joined
    assert access.can_see(any_db, person, world.community) is True
    any_db.delete(joined)
    assert access.membership_of(any_db, person, world.community) is None
    any_db.add(Membership(community_id=world.community.id, user_id=person.id))
    any_db.flush()
    assert access.membership_of(any_db, person, world.community) is not None
    any_db.execute(delete(Membership).where(col(Membership.user_id) == person.id))
    assert access.membership_of(any_db, person, world.community) is None
    any_db.rollback()


def test_each_person_and_community_in_one_transaction_gets_their_own_answer(
    any_make: Factory, any_db: Session
) -> None:
    """Checks read once per transaction are kept per person and community: asking about a
    member first never answers for an outsider, or for another community."""
    world, other = any_make.community(members=1), any_make.community(members=0)
    member, outsider = world.members[0], any_make.user()
    any_db.commit()
    assert access.membership_of(any_db, member, world.community) is not None
    assert access.membership_of(any_db, outsider, world.community) is None
    assert access.membership_of(any_db, member, other.community) is None
    assert access.membership_of(any_db, member, world.community) is not None
