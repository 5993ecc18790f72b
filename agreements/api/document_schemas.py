"""Response shapes for documents derived from texts: word diffs and decision records.

The record shapes restate the dataclasses of agreements.audit.records on purpose: these are the
published contract (times always in UTC with an offset, the Markdown rendering alongside),
so a change to the internal record cannot silently change the API. A test
(tests/api/test_openapi.py) keeps the field names of the two in step.
"""

from __future__ import annotations

from pydantic import Field

from .schemas import Out, UtcDatetime


class DiffSegment(Out):
    """A run of words both texts share, or that one of them adds or removes."""

    op: str
    text: str


class DiffParagraph(Out):
    """One paragraph of a diff: equal, insert, delete or change, spelled out word by word."""

    op: str
    old: str | None
    new: str | None
    segments: list[DiffSegment]


class Diff(Out):
    """A word-level comparison of two texts."""

    old_label: str
    new_label: str
    mode: str
    summary: str
    paragraphs_changed: int
    words_added: int
    words_removed: int
    note: str | None
    paragraphs: list[DiffParagraph]


class RecordStance(Out):
    """A counted stance in a decision record."""

    person: str
    organisation: str | None
    position: str
    reason: str
    at: UtcDatetime
    event_seq: int


class RecordObjection(Out):
    """An objection in a decision record, with how it was settled."""

    objection_id: int
    author: str
    organisation: str | None
    reason: str
    passage: str | None
    raised_at: UtcDatetime
    state: str
    integrated_by_revision: int | None
    settlements: list[dict[str, object]]


class RecordTranslation(Out):
    """A confirmed translation of the adopted version."""

    language: str = Field(description="BCP 47 language tag.")
    text_sha256: str
    confirmed_at: UtcDatetime | None


class DecisionRecord(Out):
    """Who agreed to an adopted version and why, with the audit hashes to verify it."""

    community: str
    agreement: str
    version: int
    base_version: int
    proposal_id: int
    title: str
    rationale: str
    proposer: str
    proposed_at: UtcDatetime
    adopted_at: UtcDatetime
    adopted_by: str
    outcome_statement: str
    adopted_text_sha256: str
    diff_summary: str
    changes: list[dict[str, str | None]]
    revisions: list[dict[str, object]]
    consents: list[RecordStance]
    stand_asides: list[RecordStance]
    objections: list[RecordObjection]
    concerns: list[dict[str, object]]
    translations: list[RecordTranslation] = Field(
        description="Confirmed translations made from this version, one per language."
    )
    adoption_event_hash: str
    head_seq: int
    head_hash: str
    generated_at: UtcDatetime
    markdown: str = Field(description="The same record as a Markdown document.")
