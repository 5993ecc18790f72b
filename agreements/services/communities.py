"""Use cases for communities, their settings and their membership."""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit
from ..access import require_admin, require_facilitator, require_manager
from ..errors import InvalidInput, NotFound, Refused
from ..languages import DEFAULT_LANGUAGE, check_interface_language
from ..limits import MAX_DISCUSSION_CHARS, MAX_NAME_CHARS, choice, clean_line, clean_text
from ..models import PROTOCOLS, QUORUM_RULES, ROLES, Community, Membership, Organisation, User
from ..text.slugs import MAX_SLUG_CHARS, is_slug, slugify
from ..wording import _
from ._unit import get_or_404, is_system, use_case
from .accounts import clean_email, new_user


def clean_slug(value: object) -> str:
    """A community's address: lowercase letters of any script, digits and single hyphens."""
    slug = clean_line(value, field="slug", limit=MAX_SLUG_CHARS)
    if not is_slug(slug):
        raise InvalidInput(
            _(
                "Slug may contain only lowercase letters (of any script), digits and single "
                "hyphens between words, for example '%(example)s'.",
                example=slugify(slug) or "our-community",
            ),
            "slug",
        )
    return slug


def _settings(
    *, protocol: object, quorum_rule: object, quorum_percent: object, default_round_days: object
) -> dict[str, object]:
    try:
        percent = int(quorum_percent)  # type: ignore[call-overload]
        days = int(default_round_days)  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        raise InvalidInput(_("Quorum and round length must be whole numbers."), "quorum") from error
    if not 0 <= percent <= 100:
        raise InvalidInput(_("Quorum must be between 0 and 100 percent."), "quorum_percent")
    if not 0 <= days <= 365:
        raise InvalidInput(_("Round length must be between 0 and 365 days."), "default_round_days")
    return {
        "protocol": choice(protocol, PROTOCOLS, field="protocol"),
        "quorum_rule": choice(quorum_rule, QUORUM_RULES, field="quorum rule"),
        "quorum_percent": percent,
        "default_round_days": days,
    }


def _subject(community: Community) -> audit.Subject:
    return audit.Subject("community", community.id, community_id=community.id)


@use_case
def create_community(
    session: Session,
    actor: User | None,
    *,
    slug: str,
    name: str,
    description: str = "",
    protocol: str = "consent",
    quorum_rule: str = "person",
    quorum_percent: int = 50,
    default_round_days: int = 7,
    is_private: bool = True,
    facilitator_id: int | None = None,
    facilitator_email: str | None = None,
    create_facilitator: bool = False,
    facilitator_name: str = "",
    facilitator_password: str = "",
) -> Community:
    """An administrator creates a community and names its first facilitator.

    The facilitator is the account `facilitator_id`, or the one with `facilitator_email`,
    or (with `create_facilitator`) a new account made on the spot with that address, name
    and password, so a community never starts without someone to run it. Without any of
    these the administrator becomes the facilitator (the command-line system account never
    joins a community). One event records it all, including whether an account was made.
    """
    admin = require_admin(actor)
    slug = clean_slug(slug)
    if session.exec(select(Community).where(Community.slug == slug)).first():
        raise Refused(_("The address '%(slug)s' is already taken by another community.", slug=slug))
    community = Community(
        slug=slug,
        name=clean_line(name, field="name", limit=MAX_NAME_CHARS),
        description=clean_text(
            description, field="description", limit=MAX_DISCUSSION_CHARS, required=False
        ),
        is_private=bool(is_private),
        **_settings(  # type: ignore[arg-type]
            protocol=protocol,
            quorum_rule=quorum_rule,
            quorum_percent=quorum_percent,
            default_round_days=default_round_days,
        ),
    )
    session.add(community)
    session.flush()
    first, created = _first_facilitator(
        session,
        admin,
        facilitator_id=facilitator_id,
        email=facilitator_email,
        create=create_facilitator,
        name=facilitator_name,
        password=facilitator_password,
    )
    if not is_system(first):
        session.add(Membership(community_id=community.id, user_id=first.id, role="facilitator"))
    audit.record(
        session,
        admin,
        "community.created",
        _subject(community),
        {
            "slug": slug,
            "name": community.name,
            "protocol": community.protocol,
            "facilitator_id": None if is_system(first) else first.id,
            "facilitator_account_created": created,
        },
    )
    return community


def _first_facilitator(
    session: Session,
    admin: User,
    *,
    facilitator_id: int | None,
    email: str | None,
    create: bool,
    name: str,
    password: str,
) -> tuple[User, bool]:
    """The first facilitator of a new community, and whether their account was just made."""
    if facilitator_id:
        return get_or_404(session, User, facilitator_id), False
    if create:
        return new_user(session, email=email or "", display_name=name, password=password), True
    if email is None:
        return admin, False
    address = clean_email(email)
    found = session.exec(select(User).where(User.email == address)).first()
    if found is None or not found.is_active:
        raise InvalidInput(
            _(
                "No account has the address %(address)s. Check it, or choose to create a new "
                "account for the facilitator.",
                address=address,
            ),
            "facilitator_email",
        )
    return found, False


@use_case
def update_community_settings(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    protocol: str,
    quorum_rule: str,
    quorum_percent: int,
    default_round_days: int,
    is_private: bool,
    allow_self_registration: bool | None = None,
    language: str | None = None,
) -> Community:
    """A facilitator changes the decision protocol, quorum, round length, privacy,
    whether people may join on their own and the default interface language of the
    community's pages (None keeps either as it is).

    Proposals already under way keep the protocol they started with.
    """
    community = get_or_404(session, Community, community_id)
    require_facilitator(session, actor, community)
    changes = _settings(
        protocol=protocol,
        quorum_rule=quorum_rule,
        quorum_percent=quorum_percent,
        default_round_days=default_round_days,
    )
    changes["is_private"] = bool(is_private)
    if allow_self_registration is not None:
        changes["allow_self_registration"] = bool(allow_self_registration)
    if language is not None:
        changes["language"] = check_interface_language(language) or DEFAULT_LANGUAGE
    for key, value in changes.items():
        setattr(community, key, value)
    session.add(community)
    audit.record(session, actor, "community.settings_changed", _subject(community), changes)
    return community


def organisation_named(session: Session, community: Community, name: str | None) -> int | None:
    """The id of the community's organisation with this name, created on first use."""
    if not name or not name.strip():
        return None
    name = clean_line(name, field="organisation", limit=160)
    found = session.exec(
        select(Organisation).where(
            Organisation.community_id == community.id, Organisation.name == name
        )
    ).first()
    if found is None:
        found = Organisation(community_id=community.id, name=name)
        session.add(found)
        session.flush()
    return found.id


@use_case
def add_member(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    user_id: int,
    role: str = "member",
    organisation: str | None = None,
) -> Membership:
    """A facilitator (or an administrator) adds an existing account to the community."""
    community = get_or_404(session, Community, community_id)
    require_manager(session, actor, community)
    user = get_or_404(session, User, user_id)
    role = choice(role, ROLES, field="role")
    existing = session.exec(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user.id
        )
    ).first()
    if existing:
        raise Refused(
            _(
                "%(person)s is already a member of %(community)s.",
                person=user.display_name,
                community=community.name,
            )
        )
    membership = Membership(
        community_id=community.id,
        user_id=user.id,  # type: ignore[arg-type]
        role=role,
        organisation_id=organisation_named(session, community, organisation),
    )
    session.add(membership)
    session.flush()
    audit.record(
        session,
        actor,
        "member.added",
        audit.Subject("membership", membership.id, community_id=community.id),
        {"user_id": user.id, "role": role, "organisation": organisation or None},
    )
    return membership


@use_case
def change_member(
    session: Session,
    actor: User | None,
    *,
    community_id: int,
    user_id: int,
    role: str,
    organisation: str | None = None,
) -> Membership:
    """A facilitator changes someone's role or organisation; the last facilitator stays."""
    community = get_or_404(session, Community, community_id)
    require_manager(session, actor, community)
    role = choice(role, ROLES, field="role")
    membership = session.exec(
        select(Membership).where(
            Membership.community_id == community.id, Membership.user_id == user_id
        )
    ).first()
    if membership is None:
        raise NotFound(_("That person is not a member of this community."))
    if membership.role == "facilitator" and role != "facilitator":
        facilitators = session.exec(
            select(Membership).where(
                Membership.community_id == community.id, Membership.role == "facilitator"
            )
        ).all()
        if len(facilitators) <= 1:
            raise Refused(_("A community needs at least one facilitator; appoint another first."))
    membership.role = role
    membership.organisation_id = organisation_named(session, community, organisation)
    session.add(membership)
    audit.record(
        session,
        actor,
        "member.changed",
        audit.Subject("membership", membership.id, community_id=community.id),
        {"user_id": user_id, "role": role, "organisation": organisation or None},
    )
    return membership
