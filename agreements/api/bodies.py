"""What the API accepts: request bodies and query strings, as pydantic models.

These check shape and type only (422 on failure); the services check the rules (sizes,
quorum bounds, passages that must occur in the text), so a rule lives in one place and
reads the same on the pages. Unknown fields are refused, so a typo is not silently lost.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..limits import MAX_ID

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Body(BaseModel):
    """A request body: a JSON object with no unknown fields."""

    model_config = ConfigDict(extra="forbid")


class PageQuery(BaseModel):
    """?page=&per_page= on every list."""

    model_config = ConfigDict(extra="ignore")
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class ProposalListQuery(PageQuery):
    """Filter proposals by state."""

    state: str | None = Field(default=None, max_length=32)


class CompareQuery(BaseModel):
    """Which two versions to compare, and how."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    from_version: int = Field(alias="from", ge=1, le=MAX_ID)
    to_version: int = Field(alias="to", ge=1, le=MAX_ID)
    mode: Literal["rendered", "source"] = "rendered"


class RevisionDiffQuery(BaseModel):
    """Compare a revision with the base version or with the previous revision."""

    model_config = ConfigDict(extra="ignore")
    against: Literal["base", "previous"] = "base"
    mode: Literal["rendered", "source"] = "rendered"


class CommunityCreate(Body):
    """A new community (administrators only); the creator becomes its facilitator."""

    slug: str
    name: str
    description: str = ""
    protocol: Literal["consent", "lazy_consensus"] = "consent"
    quorum_rule: Literal["person", "organisation"] = "person"
    quorum_percent: int = Field(default=50, ge=0, le=100)
    default_round_days: int = Field(default=7, ge=0, le=365)
    is_private: bool = True


class CommunitySettings(Body):
    """A community's decision settings (facilitators only)."""

    protocol: Literal["consent", "lazy_consensus"]
    quorum_rule: Literal["person", "organisation"]
    quorum_percent: int = Field(ge=0, le=100)
    default_round_days: int = Field(ge=0, le=365)
    is_private: bool


class MemberAdd(Body):
    """Add an existing account to the community."""

    user_id: RowId
    role: Literal["member", "facilitator"] = "member"
    organisation: str | None = None


class MemberChange(Body):
    """Change a member's role or organisation."""

    role: Literal["member", "facilitator"]
    organisation: str | None = None


class AgreementCreate(Body):
    """A new agreement; its text becomes version 1."""

    title: str
    text: str


class ProposalCreate(Body):
    """Propose a new text for the agreement (against the current version unless given)."""

    title: str
    text: str
    rationale: str = ""
    base_version: RowId | None = None
    submit: bool = True


class RevisionCreate(Body):
    """A new text from the proposer, citing the objections it integrates."""

    text: str
    note: str = ""
    integrates: list[RowId] = Field(default_factory=list, max_length=100)
    rebase: bool = False


class ObjectionRoundOpen(Body):
    """Open the objection round, with an optional deadline."""

    deadline: AwareDatetime | None = None


class ConsentRoundOpen(Body):
    """Open the consent round, optionally overriding the community's quorum."""

    deadline: AwareDatetime | None = None
    quorum_percent: int | None = Field(default=None, ge=0, le=100)
    quorum_rule: Literal["person", "organisation"] | None = None


class Reason(Body):
    """A written reason (required where the protocol asks for one)."""

    reason: str = ""


class Closing(Body):
    """Why a proposal is rejected or lapses: its outcome statement, required."""

    reason: str


class Adoption(Body):
    """The outcome statement recorded with the adopted version: what was decided and why."""

    outcome_statement: str


class CommentCreate(Body):
    """A comment, a reply (parent_id), or a remark on a quoted passage (anchor)."""

    body: str
    kind: Literal["question", "reaction", "suggestion"] = "reaction"
    parent_id: RowId | None = None
    anchor: str | None = None


class ConcernCreate(Body):
    """A non-blocking concern, optionally about a quoted passage."""

    text: str
    passage: str | None = None


class ObjectionCreate(Body):
    """An objection to the current text, with its reason."""

    reason: str
    passage: str | None = None


class StanceCreate(Body):
    """A position in the open consent round (a reason is required to object)."""

    position: Literal["consent", "stand_aside", "object"]
    reason: str = ""
