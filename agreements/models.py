"""Every table of Accord, one typed module so the whole data model reads at a glance.

The database itself keeps the invariants it can: version numbers are unique per agreement
and immutable (triggers in agreements/storage/triggers.py), one current stance per participant per
round (a partial unique index), foreign keys everywhere, and an append-only, single-chain
audit table (unique sequence and previous-hash columns plus triggers).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

ROLES = ("member", "facilitator")
PROTOCOLS = ("consent", "lazy_consensus")
QUORUM_RULES = ("person", "organisation")
POSITIONS = ("consent", "stand_aside", "object")
COMMENT_KINDS = ("question", "reaction", "suggestion")
OBJECTION_STATES = ("open", "integrating", "resolved", "withdrawn", "overruled", "reclassified")
BLOCKING_OBJECTION_STATES = ("open", "integrating")
ROUND_KINDS = ("objection", "consent")


def utcnow() -> datetime:
    """Timestamps are timezone-aware UTC; SQLModel stores and returns them as UTC."""
    return datetime.now(UTC)


def long_text(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    """Unbounded text column (agreement texts, reasons); sizes are limited in the services."""
    return Column(Text, nullable=nullable)


# --- people and communities -------------------------------------------------------------


class User(SQLModel, table=True):
    """A person with an account; `is_admin` is the instance-level role that creates communities."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    password_hash: str = Field(default="", max_length=255)
    is_admin: bool = False
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Raised on sign-out and password change: every session signed before it stops working.
    session_version: int = Field(default=0)
    # The interface language the person chose (None: follow the browser), and the IANA time
    # zone their dates are shown in (agreements/languages.py checks both).
    language: str | None = Field(default=None, max_length=35)
    time_zone: str = Field(default="UTC", max_length=64)

    # flask-login's user protocol (is_active is the column above).
    @property
    def is_authenticated(self) -> bool:
        """A loaded account is always signed in; anonymous visitors are not Users."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous (see is_authenticated)."""
        return False

    def get_id(self) -> str:
        """The id flask-login keeps in the session."""
        return str(self.id)


class Community(SQLModel, table=True):
    """A group deciding together; its settings choose the protocol and the quorum rule."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=120)
    description: str = Field(default="", sa_column=long_text())
    protocol: str = Field(default="consent", max_length=32)
    quorum_rule: str = Field(default="person", max_length=16)
    quorum_percent: int = Field(default=50, ge=0, le=100)
    default_round_days: int = Field(default=7, ge=0, le=365)
    is_private: bool = True
    allow_self_registration: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # The interface language of the community's pages for visitors who state none.
    language: str = Field(default="en", max_length=35)


class Organisation(SQLModel, table=True):
    """An organisation whose people belong to a community; quorum may count per organisation."""

    __table_args__ = (UniqueConstraint("community_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    name: str = Field(max_length=160)


class Membership(SQLModel, table=True):
    """A user's place in a community: role and organisation affiliation."""

    __table_args__ = (UniqueConstraint("community_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str = Field(default="member", max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    joined_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """A single-use, expiring invitation to join a community with a given role."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    email: str = Field(max_length=254)
    role: str = Field(default="member", max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    token_hash: str = Field(max_length=64, unique=True)
    invited_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    accepted_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token; only its sha256 is stored, the token is shown once."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class FeedToken(SQLModel, table=True):
    """A person's secret feed address for one community (Atom feed and calendar file).

    The address works without a session, so it is the secret: kept whole (the page shows it
    again), read-only, showing only what its person may see. Revoking it, or making a new
    one, ends it at once.
    """

    __tablename__ = "feed_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    secret: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None


# --- the agreement and its history ------------------------------------------------------


class Agreement(SQLModel, table=True):
    """A community's living document; its adopted texts are its Versions."""

    __table_args__ = (UniqueConstraint("community_id", "slug"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    slug: str = Field(max_length=64)
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow)
    # The BCP 47 tag of the language its text is written in: shown with that lang and dir.
    language: str = Field(default="en", max_length=35)
    # When the community means to review the agreement (services/reviews.py). The day it
    # comes, the scheduler records that a review is due, once: `review_noticed_on` is the
    # date it was recorded for. Concerns raised since `reviewed_at` (or since the agreement
    # began) are listed for the review.
    review_on: date | None = None
    review_noticed_on: date | None = None
    reviewed_at: datetime | None = None


class Version(SQLModel, table=True):
    """An adopted text. Immutable: triggers refuse UPDATE and DELETE; numbers are dense."""

    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        UniqueConstraint("agreement_id", "parent_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    number: int = Field(ge=1)
    text: str = Field(sa_column=long_text())
    text_sha256: str = Field(max_length=64)
    parent_id: int | None = Field(default=None, foreign_key="version.id")
    proposal_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("proposal.id", use_alter=True, name="fk_version_proposal_id"),
            nullable=True,
        ),
    )
    adopted_by_id: int | None = Field(default=None, foreign_key="user.id")
    adopted_at: datetime = Field(default_factory=utcnow)
    # For each paragraph, the number of the version that last changed it (a JSON list),
    # computed from the parent's when the version is adopted (text/merge.py); empty only
    # for versions adopted before it was kept, which are computed when read.
    provenance: str | None = Field(default=None, sa_column=long_text(nullable=True))


TRANSLATION_STATES = ("proposed", "confirmed", "declined")


class Translation(SQLModel, table=True):
    """A translated text of an agreement, made from one adopted source version.

    Proposing a translation (the first of a language, or an update) adds a row in
    "proposed"; a facilitator confirms it (workflows/protocols.py, TRANSLATION_UPDATE) or
    declines it. The confirmed row with `is_current` is the language's translation now (one
    per agreement and language, a partial unique index); earlier ones stay, as versions do.
    """

    __table_args__ = (
        Index(
            "uq_translation_current",
            "agreement_id",
            "language",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_translation_agreement_language", "agreement_id", "language"),
    )
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id")
    language: str = Field(max_length=35)
    source_version_id: int = Field(foreign_key="version.id", index=True)
    text: str = Field(sa_column=long_text())
    text_sha256: str = Field(max_length=64)
    note: str = Field(default="", sa_column=long_text())
    proposer_id: int = Field(foreign_key="user.id")
    state: str = Field(default="proposed", max_length=16)
    is_current: bool = False
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = None
    reason: str = Field(default="", sa_column=long_text())
    created_at: datetime = Field(default_factory=utcnow)


# --- amendments and their discussion -----------------------------------------------------


class Proposal(SQLModel, table=True):
    """An amendment against a base version, moved through its community's protocol."""

    # An agreement's open proposals (closed_at still NULL) without reading its closed ones.
    __table_args__ = (Index("ix_proposal_agreement_closed", "agreement_id", "closed_at"),)
    id: int | None = Field(default=None, primary_key=True)
    agreement_id: int = Field(foreign_key="agreement.id", index=True)
    base_version_id: int = Field(foreign_key="version.id")
    proposer_id: int = Field(foreign_key="user.id", index=True)
    title: str = Field(max_length=200)
    rationale: str = Field(default="", sa_column=long_text())
    protocol: str = Field(default="consent", max_length=32)
    state: str = Field(default="draft", max_length=32, index=True)
    outcome_statement: str = Field(default="", sa_column=long_text())
    adopted_version_id: int | None = Field(default=None, foreign_key="version.id")
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class Revision(SQLModel, table=True):
    """An immutable full text of a proposal; the newest one is what people decide on."""

    __table_args__ = (UniqueConstraint("proposal_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    number: int = Field(ge=1)
    base_version_id: int = Field(foreign_key="version.id")
    text: str = Field(sa_column=long_text())
    text_sha256: str = Field(max_length=64)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", sa_column=long_text())
    created_at: datetime = Field(default_factory=utcnow)


class Comment(SQLModel, table=True):
    """Discussion on a revision, threaded, optionally quoting a passage."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    author_id: int = Field(foreign_key="user.id")
    parent_id: int | None = Field(default=None, foreign_key="comment.id")
    kind: str = Field(default="reaction", max_length=16)
    body: str = Field(sa_column=long_text())
    anchor: str | None = Field(default=None, sa_column=long_text(nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class Objection(SQLModel, table=True):
    """A participant's blocking objection to a revision, and how it was settled."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    author_id: int = Field(foreign_key="user.id")
    reason: str = Field(sa_column=long_text())
    passage: str | None = Field(default=None, sa_column=long_text(nullable=True))
    state: str = Field(default="open", max_length=16, index=True)
    integrated_by_revision_id: int | None = Field(default=None, foreign_key="revision.id")
    settled_by_id: int | None = Field(default=None, foreign_key="user.id")
    settlement_reason: str = Field(default="", sa_column=long_text())
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Concern(SQLModel, table=True):
    """A non-blocking worry kept with the decision record and in the concern register."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    author_id: int = Field(foreign_key="user.id")
    text: str = Field(sa_column=long_text())
    passage: str | None = Field(default=None, sa_column=long_text(nullable=True))
    from_objection_id: int | None = Field(default=None, foreign_key="objection.id")
    created_at: datetime = Field(default_factory=utcnow)


# --- rounds and stances ----------------------------------------------------------------


class Round(SQLModel, table=True):
    """An objection or consent round on a proposal, with its quorum rule and outcome."""

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True)
    revision_id: int = Field(foreign_key="revision.id")
    kind: str = Field(max_length=16)
    opened_at: datetime = Field(default_factory=utcnow)
    opened_by_id: int | None = Field(default=None, foreign_key="user.id")
    deadline: datetime | None = None
    quorum_rule: str = Field(default="person", max_length=16)
    quorum_percent: int = Field(default=50, ge=0, le=100)
    closed_at: datetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="user.id")
    outcome: str | None = Field(default=None, max_length=32)
    # When the last announcement mail was delivered (services/outbox.py); a lazy round adopts
    # by silence only after it, and its deadline counts from then.
    announced_at: datetime | None = None
    # The scheduler's bookkeeping (services/deadlines.py): the last reminder threshold written
    # (48, then 24 hours before the deadline), when facilitators were told it closes soon,
    # when a facilitator last reminded those who have not answered, and the proposal's newest
    # event seq when the round was due but could not close (it is looked at again only after
    # a newer event). Extending the deadline clears the first two.
    reminded_hours: int | None = None
    closing_soon_at: datetime | None = None
    reminded_at: datetime | None = None
    close_blocked_seq: int | None = None


class RoundParticipant(SQLModel, table=True):
    """The eligible participants of a round, snapshotted when it opens."""

    __table_args__ = (UniqueConstraint("round_id", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")


class Stance(SQLModel, table=True):
    """A participant's position, bound to the exact text (hash) it was given on.

    Changes add a row and mark the previous one not current, so every change is kept.
    """

    __table_args__ = (
        Index(
            "uq_stance_current",
            "round_id",
            "participant_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    participant_id: int = Field(foreign_key="user.id")
    revision_id: int = Field(foreign_key="revision.id")
    text_sha256: str = Field(max_length=64)
    position: str = Field(max_length=16)
    reason: str = Field(default="", sa_column=long_text())
    cast_at: datetime = Field(default_factory=utcnow)
    is_current: bool = True


# --- the audit trail ---------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """One append-only, hash-chained record of a state-changing action (see audit/chain.py)."""

    __tablename__ = "audit_event"
    # History pages read one scope newest first, a page at a time: (scope, seq) indexes
    # make that a short index walk however long the log grows.
    __table_args__ = (
        Index("ix_audit_event_community_seq", "community_id", "seq"),
        Index("ix_audit_event_agreement_seq", "agreement_id", "seq"),
        Index("ix_audit_event_proposal_seq", "proposal_id", "seq"),
    )
    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(unique=True)
    occurred_at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_name: str = Field(default="system", max_length=120)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    action: str = Field(max_length=64, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: int | None = None
    payload: str = Field(sa_column=long_text())
    prev_hash: str = Field(max_length=64, unique=True)
    hash: str = Field(max_length=64, unique=True)
    # HMAC-SHA256 of `hash` under the instance key (AUDIT_KEY), when one is configured: a
    # chain re-hashed after an edit needs new ones, which nobody without the key can make.
    mac: str | None = Field(default=None, max_length=64)


# --- requests already answered ------------------------------------------------------------


class IdempotencyKey(SQLModel, table=True):
    """A write request's key and the response it got, so a retry is answered, not redone.

    `scope` says whose key it is (an API caller or a page's signed-in person), `fingerprint`
    what the request was (method, path, body). `status` stays empty while the first request
    is still running. Rows expire: after `expires_at` the key may be used afresh.
    """

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("scope", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status: int | None = None
    headers: str | None = Field(default=None, sa_column=long_text(nullable=True))
    body: str | None = Field(default=None, sa_column=long_text(nullable=True))
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)


# --- notifications and the mail outbox (services/notices.py, services/outbox.py) ---------

DELIVERIES = ("each", "digest", "none")
MAIL_STATES = ("pending", "sending", "sent", "failed")


class Notification(SQLModel, table=True):
    """What one person is told about one audit event, in the app; at most one per event."""

    __table_args__ = (
        UniqueConstraint("event_seq", "recipient_id"),
        Index("ix_notification_recipient_read", "recipient_id", "read_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(foreign_key="user.id")
    community_id: int | None = Field(default=None, foreign_key="community.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    event_seq: int
    kind: str = Field(max_length=64)
    # What it says, kept to be said in each reader's language (stored_wording.keep); rows
    # written before that hold plain English.
    text: str = Field(sa_column=long_text())
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = None


class OutboxMail(SQLModel, table=True):
    """An email waiting to be sent, being sent (leased until `next_attempt_at`), sent or failed.

    Written in the transaction of the event that causes it; the worker renders the message
    from `kind` and `context` when it sends, and keeps what it sent (subject and bodies).
    """

    __tablename__ = "outbox_mail"
    __table_args__ = (Index("ix_outbox_mail_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int | None = Field(default=None, foreign_key="user.id")
    to_address: str = Field(max_length=254)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")
    round_id: int | None = Field(default=None, foreign_key="round.id", index=True)
    notification_id: int | None = Field(default=None, foreign_key="notification.id")
    kind: str = Field(max_length=64)
    context: str = Field(default="{}", sa_column=long_text())
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_error: str = Field(default="", sa_column=long_text())
    message_id: str = Field(max_length=255, unique=True)
    subject: str = Field(default="", sa_column=long_text())
    body_text: str = Field(default="", sa_column=long_text())
    body_html: str = Field(default="", sa_column=long_text())
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class NotificationPreference(SQLModel, table=True):
    """How one person hears from one community: each notification, a daily digest, or none."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    community_id: int = Field(foreign_key="community.id")
    delivery: str = Field(default="each", max_length=16)
    digest_hour: int = Field(default=8, ge=0, le=23)
    time_zone: str = Field(default="UTC", max_length=64)
    last_digest_at: datetime | None = None


class WorkerRun(SQLModel, table=True):
    """The mail worker's last pass (one row), so the admin page can tell a stopped worker."""

    __tablename__ = "worker_run"
    id: int | None = Field(default=None, primary_key=True)
    finished_at: datetime = Field(default_factory=utcnow)
    sent: int = 0
    failed: int = 0
    rounds_moved: int = 0
