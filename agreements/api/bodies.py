"""What the API accepts: request bodies and query strings, as pydantic models.

These check shape, type and size (422 on failure), with the services' own limits, so the
OpenAPI document promises exactly what is enforced and a conforming client is never
refused for the form of its input. The services check the rules again (they serve the
pages too) and alone check what a schema cannot say: a passage that must occur in the
text, a state that allows the action. Unknown fields are refused, so a typo is not lost.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from ..limits import (
    MAX_AGREEMENT_CHARS,
    MAX_DISCUSSION_CHARS,
    MAX_ID,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
)
from ..services.queries.search import MAX_QUERY_CHARS
from ..text.slugs import SLUG_PATTERN

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

# Written text: something besides white space and no NUL character, as the services require; a
# line has no line break. White space is spelt out as str.strip() sees it, because "\s" means
# something else in the ECMA regular expressions that clients check the schema with.
_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
WRITTEN = rf"^[^\x00]*[^{_SPACE}\x00][^\x00]*$"
ONE_LINE = rf"^[^\x00\r\n]*[^{_SPACE}\x00][^\x00\r\n]*$"
NO_NUL = r"^[^\x00]*$"
Title = Annotated[str, Field(min_length=1, max_length=MAX_TITLE_CHARS, pattern=ONE_LINE)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_CHARS, pattern=ONE_LINE)]
Writing = Annotated[str, Field(min_length=1, max_length=MAX_DISCUSSION_CHARS, pattern=WRITTEN)]
OptionalWriting = Annotated[str, Field(max_length=MAX_DISCUSSION_CHARS, pattern=NO_NUL)]
Organisation = Annotated[str, Field(max_length=160, pattern=r"^[^\x00\r\n]*$")]
AgreementText = Annotated[str, Field(min_length=1, max_length=MAX_AGREEMENT_CHARS, pattern=WRITTEN)]


class Body(BaseModel):
    """A request body: a JSON object with no unknown fields."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")


class PageQuery(BaseModel):
    """?page=&per_page= on every list."""

    model_config = ConfigDict(extra="ignore")
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)


class ProposalListQuery(PageQuery):
    """Filter proposals by state."""

    state: str | None = Field(default=None, max_length=32)


class SearchQuery(PageQuery):
    """The words to look for, and optionally the one community to look in."""

    q: str = Field(
        max_length=MAX_QUERY_CHARS,
        description="Words that must all appear; quotes, operators and punctuation are ignored.",
    )
    community: str | None = Field(
        default=None, pattern=SLUG_PATTERN, description="Only this community (its slug)."
    )


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

    slug: str = Field(pattern=SLUG_PATTERN)
    name: Name
    description: OptionalWriting = ""
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
    organisation: Organisation | None = None


class MemberChange(Body):
    """Change a member's role or organisation."""

    role: Literal["member", "facilitator"]
    organisation: Organisation | None = None


class AgreementCreate(Body):
    """A new agreement; its text becomes version 1."""

    title: Title
    text: AgreementText
    language: str = Field(
        default="en",
        max_length=64,
        description="The BCP 47 tag of the language the text is written in (en, fr, ar, pt-BR).",
    )


class ProposalCreate(Body):
    """Propose a new text for the agreement (against the current version unless given)."""

    title: Title
    text: AgreementText
    rationale: OptionalWriting = ""
    base_version: RowId | None = None
    submit: bool = True


class RevisionCreate(Body):
    """A new text from the proposer, citing the objections it integrates."""

    text: AgreementText
    note: OptionalWriting = ""
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


class DeadlineExtension(Body):
    """A later deadline for the open round, and why (everyone in the round is told)."""

    deadline: AwareDatetime
    reason: Writing


class ReviewDate(Body):
    """The day the agreement is to be reviewed; null removes the review date."""

    review_on: date | None


class Reason(Body):
    """A written reason (required where the protocol asks for one)."""

    reason: OptionalWriting = ""


class RequiredReason(Body):
    """A reason the protocol always asks for: rejecting, letting lapse, overruling."""

    reason: Writing


class Adoption(Body):
    """The outcome statement recorded with the adopted version: what was decided and why."""

    outcome_statement: Writing


class CommentCreate(Body):
    """A comment, a reply (parent_id), or a remark on a quoted passage (anchor)."""

    body: Writing
    kind: Literal["question", "reaction", "suggestion"] = "reaction"
    parent_id: RowId | None = None
    anchor: OptionalWriting | None = None


class ConcernCreate(Body):
    """A non-blocking concern, optionally about a quoted passage."""

    text: Writing
    passage: OptionalWriting | None = None


class ObjectionCreate(Body):
    """An objection to the current text, with its reason."""

    reason: Writing
    passage: OptionalWriting | None = None


class StanceCreate(Body):
    """A position in the open consent round (a reason is required to object)."""

    # Declared in the document too, so a client generating requests from it knows the rule.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"position": {"const": "object"}}},
            "then": {
                "properties": {"reason": {"minLength": 1, "pattern": WRITTEN}},
                "required": ["reason"],
            },
        }
    )
    position: Literal["consent", "stand_aside", "object"]
    reason: OptionalWriting = ""


class TranslationCreate(Body):
    """A translated text for one language, made from an adopted version (the current one
    unless given); it waits for a facilitator's confirmation."""

    language: str = Field(
        max_length=64,
        description="The BCP 47 tag of the translation's language (fr, de-CH, ar, pt-BR).",
    )
    text: AgreementText
    source_version: RowId | None = Field(
        default=None, description="The number of the version translated (default: current)."
    )
    note: OptionalWriting = ""
