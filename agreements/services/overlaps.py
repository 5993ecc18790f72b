"""Warning when two open proposals change the same passages of one agreement.

A facilitator sees the warning on both proposals before opening a round, so they can
sequence or bundle them instead of discovering a merge conflict at adoption.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from workflows import get_protocol

from ..models import Proposal, Revision, Version
from ..text.merge import overlapping_passages, three_way_merge
from .adoption import current_version


@dataclass(frozen=True)
class Overlap:
    """Another open proposal and the passages (of the current version) both change."""

    other: Proposal
    passages: tuple[str, ...]


def _latest_revision(session: Session, proposal: Proposal) -> Revision:
    return session.exec(
        select(Revision)
        .where(Revision.proposal_id == proposal.id)
        .order_by(col(Revision.number).desc())
        .limit(1)
    ).one()


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
    mine = _against_current(session, _latest_revision(session, proposal), current)
    others = session.exec(
        select(Proposal).where(
            Proposal.agreement_id == proposal.agreement_id,
            Proposal.id != proposal.id,
            col(Proposal.state).not_in(("draft", "adopted", "withdrawn", "rejected", "lapsed")),
        )
    ).all()
    overlaps = []
    for other in others:
        theirs = _against_current(session, _latest_revision(session, other), current)
        if mine is None or theirs is None:
            continue  # a stale conflicting proposal is reported by its own rebase check
        passages = overlapping_passages(current.text, mine, theirs)
        if passages:
            overlaps.append(Overlap(other, tuple(passages)))
    return overlaps
