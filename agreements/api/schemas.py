"""The API's response shapes: pydantic models that serialise rows and also write the spec.

The OpenAPI document is generated from these models (and the request models in
bodies.py), and every response passes through them, so what the spec promises is what the
API sends. Timestamps are always UTC with an offset (SQLite hands them back naive).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
T = TypeVar("T")


class Out(BaseModel):
    """A response model, read straight from a row's attributes."""

    model_config = ConfigDict(from_attributes=True)


class FieldError(BaseModel):
    """One invalid field and what is wrong with it."""

    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details: every error the API answers."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str = Field(description="A short, human summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, in the words the pages use.")
    errors: list[FieldError] = Field(default_factory=list, description="Per-field errors (422).")


class Page(Out, Generic[T]):
    """One page of a list; `next` is the URL of the following page, or null on the last."""

    items: list[T]
    page: int
    per_page: int
    total: int
    next: str | None


class Me(Out):
    """The person the token belongs to."""

    id: int
    display_name: str
    email: str
    is_admin: bool


class Community(Out):
    """A community and its decision settings."""

    id: int
    slug: str
    name: str
    description: str
    protocol: str
    quorum_rule: str
    quorum_percent: int
    default_round_days: int
    is_private: bool
    created_at: UtcDatetime


class CommunityDetail(Community):
    """A community with the caller's role in it (null when not a member)."""

    my_role: str | None


class Member(Out):
    """A person's membership (no email address: members' contact details stay private)."""

    user_id: int
    display_name: str
    role: str
    organisation: str | None
    joined_at: UtcDatetime


class Agreement(Out):
    """An agreement and the number of its current adopted version."""

    id: int
    community_slug: str
    slug: str
    title: str
    language: str = Field(
        default="en", description="The BCP 47 tag of the language the text is written in."
    )
    current_version: int
    created_at: UtcDatetime
    review_on: date | None = Field(
        default=None, description="The day the agreement is to be reviewed, if one is set."
    )
    review_due: bool = Field(
        default=False, description="Whether the review date has come (a review is due)."
    )


class VersionSummary(Out):
    """An adopted version without its text."""

    number: int
    text_sha256: str
    proposal_id: int | None
    adopted_by_id: int | None
    adopted_at: UtcDatetime


class Version(VersionSummary):
    """An adopted version: its Markdown source and its sanitised rendering."""

    text: str
    html: str


class Move(Out):
    """A protocol move out of the current state: allowed for the caller, or why not."""

    trigger: str
    is_allowed: bool
    refusal: str | None


class ProposalSummary(Out):
    """A proposal in a list."""

    id: int
    agreement_id: int
    title: str
    state: str
    proposer_id: int
    base_version_id: int
    created_at: UtcDatetime
    closed_at: UtcDatetime | None


class Proposal(ProposalSummary):
    """A proposal with its latest revision, its open round and what the caller can do."""

    rationale: str
    protocol: str
    outcome_statement: str
    adopted_version: int | None
    latest_revision: int
    open_round_id: int | None
    blocking_objections: int
    moves: list[Move]


class RevisionSummary(Out):
    """A revision without its text."""

    number: int
    text_sha256: str
    base_version_id: int
    author_id: int | None
    note: str
    created_at: UtcDatetime


class Revision(RevisionSummary):
    """A full text of a proposal, as Markdown and rendered."""

    text: str
    html: str


class Comment(Out):
    """A comment on a revision, possibly a reply, possibly quoting a passage."""

    id: int
    revision_id: int
    author_id: int
    parent_id: int | None
    kind: str
    body: str
    anchor: str | None
    created_at: UtcDatetime


class Concern(Out):
    """A non-blocking worry (raised directly, or reclassified from an objection)."""

    id: int
    revision_id: int
    author_id: int
    text: str
    passage: str | None
    from_objection_id: int | None
    created_at: UtcDatetime


class Objection(Out):
    """An objection and how it was settled."""

    id: int
    proposal_id: int
    revision_id: int
    author_id: int
    reason: str
    passage: str | None
    state: str
    integrated_by_revision_id: int | None
    settled_by_id: int | None
    settlement_reason: str
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Round(Out):
    """An objection or consent round."""

    id: int
    proposal_id: int
    revision_id: int
    kind: str
    opened_at: UtcDatetime
    deadline: UtcDatetime | None
    quorum_rule: str
    quorum_percent: int
    closed_at: UtcDatetime | None
    outcome: str | None


class ParticipantStatus(Out):
    """An eligible participant's standing: pending, stale, or their current position."""

    user_id: int
    organisation_id: int | None
    status: str
    joined_late: bool = Field(
        description="Joined the community after the round opened: may answer, and counts "
        "towards quorum only once their answer counts."
    )


class Tally(Out):
    """The count of a round against the current text, with its quorum verdict."""

    counts: dict[str, int]
    quorum_met: bool
    quorum_detail: str
    participants: list[ParticipantStatus]


class RoundDetail(Round):
    """A round with its tally."""

    tally: Tally


class Stance(Out):
    """A participant's position, bound to the text (hash) it was given on.

    `is_current` marks the person's latest answer; `stale` says that answer was given on
    an earlier text than the one now proposed, so it does not count until reconfirmed.
    A stance counts only when it is current and not stale (`counts`).
    """

    id: int
    round_id: int
    participant_id: int
    revision_id: int
    text_sha256: str
    position: str
    reason: str
    cast_at: UtcDatetime
    is_current: bool
    stale: bool = Field(
        description="Given on an earlier text than the proposal's latest revision: it no "
        "longer counts until the participant reconfirms it on the new text."
    )
    counts: bool = Field(
        description="This answer counts in the tally now: the person's latest, on the latest text."
    )


class AuditEvent(Out):
    """One hash-chained audit event."""

    seq: int
    occurred_at: UtcDatetime
    actor_id: int | None
    actor_name: str
    action: str
    subject_type: str
    subject_id: int | None
    community_id: int | None
    agreement_id: int | None
    proposal_id: int | None
    payload: dict[str, object]
    prev_hash: str
    hash: str


class SnippetPiece(Out):
    """A stretch of a matched passage; `is_match` marks a word that was looked for."""

    text: str
    is_match: bool


class SearchHit(Out):
    """A text the caller may read that holds every word searched for."""

    kind: str = Field(description="version, proposal or comment")
    title: str = Field(description="The agreement's title for a version, else the proposal's.")
    community_slug: str
    agreement_slug: str
    moment: UtcDatetime = Field(description="When it was adopted, proposed or written.")
    version_number: int | None
    is_current: bool = Field(description="For a version: whether it is the current text.")
    proposal_id: int | None
    comment_id: int | None
    snippet: list[SnippetPiece]


class Translation(Out):
    """A translation of an agreement, made from one adopted version; `is_stale` says the
    agreement has a newer version than its source."""

    id: int
    agreement_id: int
    language: str = Field(description="Its BCP 47 language tag.")
    source_version: int = Field(description="The number of the version it translates.")
    state: str = Field(description="proposed, confirmed or declined")
    is_current: bool = Field(description="Whether it is its language's translation now.")
    is_stale: bool
    text: str
    note: str
    reason: str = Field(description="Why a facilitator declined it.")
    proposer_id: int
    decided_by_id: int | None
    created_at: UtcDatetime
    decided_at: UtcDatetime | None
