"""Warning when two open proposals change the same passages of one agreement.

A facilitator sees the warning on both proposals before opening a round, so they can
sequence or bundle them instead of discovering a merge conflict at adoption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import bindparam, func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from workflows import get_protocol

from ..models import Proposal, Revision, Version
from ..text.kept import KeptByContent
from ..text.merge import overlapping_passages, three_way_merge
from .adoption import current_version


@dataclass(frozen=True)
class Overlap:
    """Another open proposal and the passages (of the current version) both change."""

    other: Proposal
    passages: tuple[str, ...]


# Read on every view of an open proposal: built once, with their values as parameters
# (building a statement and computing its cache key cost more than running it).
_NEWEST = (
    select(Revision.proposal_id, func.max(Revision.number).label("number"))
    .where(col(Revision.proposal_id).in_(bindparam("proposal_ids", expanding=True)))
    .group_by(col(Revision.proposal_id))
    .subquery()
)
# Without their texts, read when first used: what is compared is kept by the texts' hashes,
# so each comes with its base version's.
_LATEST_REVISIONS = (
    select(Revision, Version.text_sha256)
    .join(
        _NEWEST,
        (col(Revision.proposal_id) == _NEWEST.c.proposal_id)
        & (col(Revision.number) == _NEWEST.c.number),
    )
    .join(Version, col(Version.id) == Revision.base_version_id)
    .options(defer(Revision.text))  # type: ignore[arg-type]
)
_OTHERS_OPEN = (
    select(Proposal)
    .where(
        Proposal.agreement_id == bindparam("agreement_id"),
        Proposal.id != bindparam("proposal_id"),
        col(Proposal.closed_at).is_(None),  # found by its index, not among every proposal
        col(Proposal.state).not_in(("draft", "adopted", "withdrawn", "rejected", "lapsed")),
    )
    .order_by(col(Proposal.id))  # warnings in the order the proposals were made
)


class Latest(NamedTuple):
    """A proposal's newest revision, and the hash of the version it was written on."""

    revision: Revision
    base_sha256: str


def latest_revisions(session: Session, proposals: list[Proposal]) -> dict[int | None, Latest]:
    """Each proposal's newest revision, by proposal id, in one statement."""
    params = {"proposal_ids": [p.id for p in proposals]}
    return {
        revision.proposal_id: Latest(revision, base_sha256)
        for revision, base_sha256 in session.exec(_LATEST_REVISIONS, params=params)
    }


def _against_current(session: Session, revision: Revision, current: Version) -> str | None:
    """The revision's text as an edit of the current version (None when it conflicts)."""
    if revision.base_version_id == current.id:
        return revision.text
    base = session.get(Version, revision.base_version_id)
    assert base is not None
    return three_way_merge(base.text, current.text, revision.text).text


def overlapping_proposals(session: Session, proposal: Proposal) -> list[Overlap]:
    """Open proposals on the same agreement whose changes touch the same passages."""
    protocol = get_protocol(proposal.protocol)
    if protocol.state(proposal.state).is_final:
        return []
    current = current_version(session, proposal.agreement_id)
    params = {"agreement_id": proposal.agreement_id, "proposal_id": proposal.id}
    others = session.exec(_OTHERS_OPEN, params=params).all()
    latest = latest_revisions(session, [proposal, *others])
    overlaps = []
    for other in others:
        passages = _shared_passages(session, current, latest[proposal.id], latest[other.id])
        if passages:
            overlaps.append(Overlap(other, passages))
    return overlaps


_passages_kept: KeptByContent[tuple[str, ...]] = KeptByContent(size=1024)


def _shared_passages(
    session: Session, current: Version, mine: Latest, theirs: Latest
) -> tuple[str, ...]:
    """The passages of the current version both revisions change, kept by the five texts'
    hashes (never by ids, which another database, or a restored one, gives to other texts)."""

    def compare() -> tuple[str, ...]:
        mine_text = _against_current(session, mine.revision, current)
        theirs_text = _against_current(session, theirs.revision, current)
        if mine_text is None or theirs_text is None:
            return ()  # a stale conflicting proposal is reported by its own rebase check
        return tuple(overlapping_passages(current.text, mine_text, theirs_text))

    key = (
        current.text_sha256,
        (mine.base_sha256, mine.revision.text_sha256),
        (theirs.base_sha256, theirs.revision.text_sha256),
    )
    return _passages_kept.get(key, compare)
