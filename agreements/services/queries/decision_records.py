"""Building a decision record from the audit events of the proposal that adopted a version.

The events are the source of what happened (stances, objections and how each was settled,
the outcome statement, who acted when); rows add what events only point at (revision
notes, organisations, concerns). Reading only, no writes: a record can be rebuilt any time
and always says the same, except for the chain head it was made at.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from ... import audit
from ...audit.canonical import sha256_text
from ...audit.records import DecisionRecord, ObjectionEntry, StanceEntry, TranslationEntry
from ...errors import NotFound
from ...models import (
    AuditEvent,
    Community,
    Concern,
    Membership,
    Organisation,
    Proposal,
    Revision,
    Round,
    User,
    Version,
    utcnow,
)
from ...text.kept import kept_diff
from ...wording import _
from .agreements import agreement_at, translations_of_version, version_by_number

SETTLEMENTS = {
    "confirm_resolved": _("resolved"),
    "reopen": _("reopened"),
    "withdraw": _("withdrawn"),
    "overrule": _("decided not paramount (overruled)"),
    "reclassify": _("moved to the discussion as a concern (reclassified)"),
}

# A record is read on every view of its page: its statements are built once, with their
# values as parameters (building one costs more than running it).
_EVENTS = (  # the columns a record replays, as rows: a proposal may have hundreds of events
    sa_select(
        col(AuditEvent.seq),
        col(AuditEvent.action),
        col(AuditEvent.actor_id),
        col(AuditEvent.actor_name),
        col(AuditEvent.occurred_at),
        col(AuditEvent.subject_id),
        col(AuditEvent.payload),
        col(AuditEvent.hash),
    )
    .where(AuditEvent.proposal_id == bindparam("proposal_id"))
    .order_by(col(AuditEvent.seq))
)
_ORGANISATIONS = (
    select(Membership.user_id, Organisation.name)
    .join(Organisation, col(Membership.organisation_id) == Organisation.id)
    .where(Membership.community_id == bindparam("community_id"))
)
_REVISIONS = (
    select(Revision, User.display_name)
    .outerjoin(User, col(Revision.author_id) == User.id)
    .where(Revision.proposal_id == bindparam("proposal_id"))
    .order_by(col(Revision.number))
)
_ADOPTING_ROUND = select(Round).where(
    Round.proposal_id == bindparam("proposal_id"), Round.outcome == "adopted"
)
_CONCERNS = (
    select(Concern, User.display_name)
    .join(User, col(Concern.author_id) == User.id)
    .where(Concern.proposal_id == bindparam("proposal_id"))
    .order_by(col(Concern.id))
)


def build_record(
    session: Session, actor: User | None, community_slug: str, agreement_slug: str, number: int
) -> DecisionRecord:
    """The decision record of an adopted version; NotFound for imported versions."""
    community, agreement = agreement_at(session, actor, community_slug, agreement_slug)
    version = version_by_number(session, agreement, number)
    proposal = session.get(Proposal, version.proposal_id) if version.proposal_id else None
    if proposal is None:
        raise NotFound(
            _(
                "Version %(number)s was imported, not decided in Accord: it has no record.",
                number=version.number,
            )
        )
    events = session.execute(_EVENTS, {"proposal_id": proposal.id}).all()
    adoption = next((e for e in events if e.action == "proposal.adopted"), None)
    if adoption is None:
        raise NotFound(
            _("The audit trail has no adoption of version %(number)s.", number=version.number)
        )
    adopted = json.loads(adoption.payload)
    base = session.get(Version, proposal.base_version_id)
    assert base is not None
    organisations = _organisations(session, community)
    diff = kept_diff(base.text, version.text, mode="source")
    head = audit.head(session)
    assert head is not None
    return DecisionRecord(
        community=community.name,
        agreement=agreement.title,
        version=version.number,
        base_version=base.number,
        proposal_id=proposal.id,  # type: ignore[arg-type]
        title=proposal.title,
        rationale=proposal.rationale,
        proposer=events[0].actor_name,
        proposed_at=events[0].occurred_at,
        adopted_at=adoption.occurred_at,
        adopted_by=adoption.actor_name,
        outcome_statement=adopted["outcome_statement"],
        adopted_text_sha256=sha256_text(version.text),
        diff_summary=diff.summary,  # a Wording: the Markdown says it in the reader's language
        changes=[{"before": p.old, "after": p.new} for p in diff.paragraphs if p.op != "equal"],
        revisions=_revisions(session, proposal),
        **_stances(session, proposal, events, adopted["consented_sha256"], organisations),
        objections=_objections(events, organisations),
        concerns=_concerns(session, proposal),
        translations=[
            TranslationEntry(t.language, t.text_sha256, t.decided_at)
            for t in translations_of_version(session, version)
        ],
        adoption_event_hash=adoption.hash,
        head_seq=head.seq,
        head_hash=head.hash,
        generated_at=utcnow(),
    )


def _organisations(session: Session, community: Community) -> dict[int, str]:
    """Each member's organisation name, by user id."""
    return dict(session.exec(_ORGANISATIONS, params={"community_id": community.id}).all())


def _revisions(session: Session, proposal: Proposal) -> list[dict[str, Any]]:
    rows = session.exec(_REVISIONS, params={"proposal_id": proposal.id})
    return [
        {
            "number": revision.number,
            "sha256": revision.text_sha256,
            "author": author or "Accord (brought up to date with the latest version)",
            "note": revision.note,
            "at": revision.created_at,
        }
        for revision, author in rows
    ]


def _stances(
    session: Session,
    proposal: Proposal,
    events: Sequence[Row[Any]],
    consented_sha256: str,
    organisations: dict[int, str],
) -> dict[str, list[StanceEntry]]:
    """The last stance of each person in the adopting round, on the consented text."""
    adopting_round = session.exec(_ADOPTING_ROUND, params={"proposal_id": proposal.id}).first()
    latest: dict[int | None, tuple[Row[Any], dict[str, Any]]] = {}
    for event in events:
        if event.action in ("stance.registered", "stance.reconfirmed"):
            payload = json.loads(event.payload)
            if adopting_round is not None and payload["round_id"] == adopting_round.id:
                latest[event.actor_id] = (event, payload)
    counted = [
        StanceEntry(
            person=event.actor_name,
            organisation=organisations.get(event.actor_id or 0),
            position=payload["position"],
            reason=payload.get("reason", ""),
            at=event.occurred_at,
            event_seq=event.seq,
        )
        for event, payload in latest.values()
        if payload["revision_sha256"] == consented_sha256
    ]
    return {
        "consents": [s for s in counted if s.position == "consent"],
        "stand_asides": [s for s in counted if s.position == "stand_aside"],
    }


def _objections(events: Sequence[Row[Any]], organisations: dict[int, str]) -> list[ObjectionEntry]:
    """Every objection raised on the proposal, replayed from its events."""
    found: dict[int, ObjectionEntry] = {}
    for event in events:
        payload = json.loads(event.payload)
        objection_id: int | None = payload.get("objection_id") or event.subject_id
        if objection_id is not None and (
            event.action == "objection.raised"
            or (event.action == "stance.registered" and "objection_id" in payload)
        ):
            found[objection_id] = ObjectionEntry(
                objection_id=objection_id,
                author=event.actor_name,
                organisation=organisations.get(event.actor_id or 0),
                reason=payload["reason"],
                passage=payload.get("passage"),
                raised_at=event.occurred_at,
            )
        elif event.action == "proposal.revised":
            for cited in (c for c in payload["integrates"] if c in found):
                found[cited].integrated_by_revision = payload["revision"]
                found[cited].state = "integrating"
        elif event.action.startswith("objection.") and objection_id in found:
            trigger = event.action.removeprefix("objection.")
            entry = found[objection_id]
            entry.state = payload["state"]
            entry.settlements.append(
                {
                    "outcome": SETTLEMENTS.get(trigger, trigger),
                    "by": event.actor_name,
                    "by_facilitator": payload["by_facilitator"],
                    "reason": payload["reason"],
                    "at": event.occurred_at,
                }
            )
    return list(found.values())


def _concerns(session: Session, proposal: Proposal) -> list[dict[str, Any]]:
    rows = session.exec(_CONCERNS, params={"proposal_id": proposal.id})
    return [
        {
            "author": author,
            "text": concern.text,
            "passage": concern.passage,
            "from_objection": concern.from_objection_id,
            "at": concern.created_at,
        }
        for concern, author in rows
    ]
