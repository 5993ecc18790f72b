"""Ending a decision: adopting the consented text as the next version, or letting it lapse.

Adoption locks the agreement so two adoptions on one agreement are serialised, then takes
the consented revision. If another amendment was adopted since the revision's base, the
proposal is rebased by a three-way merge: a clean merge of changes to different
paragraphs is adopted (and recorded as a revision); a clean merge inside a paragraph the
proposal itself changed is refused until people consent to it, as a rebased revision that
makes their stances stale; a conflict is refused with the passages shown and never
guessed (invariant 4).
"""

from __future__ import annotations

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from workflows import Flow
from workflows.protocols import FACILITATOR, PROPOSER

from .. import audit
from ..audit.canonical import sha256_text
from ..errors import Forbidden, Refused
from ..limits import MAX_DISCUSSION_CHARS, clean_text
from ..models import Agreement, Revision, User, Version, utcnow
from ..storage.remembered import remembered
from ..text.kept import KeptByContent
from ..text.merge import MergeResult, three_way_merge
from ..wording import _, n_
from ._context import ProposalContext, load_proposal
from ._unit import is_system, lock, use_case
from .documents import append_version
from .rounds import close_round


def current_version(session: Session, agreement_id: int) -> Version:
    """The newest adopted version of an agreement (read once per transaction while nothing
    is written: a proposal page compares against it in several places)."""
    return remembered(
        session,
        ("current version", agreement_id),
        lambda: session.exec(_CURRENT_VERSION, params={"agreement_id": agreement_id}).one(),
    )


# Pages compare against the current version on every view: built once, with the agreement as
# a parameter (building a statement and computing its cache key cost more than running it).
_CURRENT_VERSION = (
    select(Version)
    .where(Version.agreement_id == bindparam("agreement_id"))
    .order_by(col(Version.number).desc())
    .limit(1)
)


def rebase_preview(session: Session, revision: Revision, current: Version) -> MergeResult:
    """What adopting this revision onto the current version would give (no writes). A
    stale proposal's page shows it on every view: it is kept by the three texts' hashes
    (never by ids, which another database, or a restored one, gives to other texts)."""
    if revision.base_version_id == current.id:
        return MergeResult(revision.text, ())
    base = session.get(Version, revision.base_version_id)  # the page has read it already
    assert base is not None
    key = (base.text_sha256, current.text_sha256, revision.text_sha256)
    return _previews.get(key, lambda: three_way_merge(base.text, current.text, revision.text))


_previews: KeptByContent[MergeResult] = KeptByContent(size=256)


# What the page calls a rebase (three-way merge onto the newest version), in people's words.
UPDATE_BUTTON = _("Update the proposal to the latest version")


def _quoted(passages: list[str]) -> str:
    return "; ".join(f"\u201c{passage}\u201d" for passage in passages)


def _conflict_message(current: Version, merge: MergeResult, *, updating: bool = False) -> str:
    """Why the proposal cannot be adopted (or updated): the same passages changed meanwhile."""
    passages = _quoted([c.base.strip()[:80] or "(new text)" for c in merge.conflicts])
    count, number = len(merge.conflicts), current.number
    if updating:
        return n_(
            "Cannot update the proposal to the latest version: version %(version)s was adopted "
            "meanwhile and changed the same passage (%(passages)s). The proposer must resolve "
            "this in a new revision, which then needs consent again.",
            "Cannot update the proposal to the latest version: version %(version)s was adopted "
            "meanwhile and changed the same %(num)s passages (%(passages)s). The proposer must "
            "resolve this in a new revision, which then needs consent again.",
            count,
            version=number,
            passages=passages,
        )
    return n_(
        "Cannot adopt: version %(version)s was adopted meanwhile and changed the same passage "
        "(%(passages)s). The proposer must resolve this in a new revision, which then needs "
        "consent again.",
        "Cannot adopt: version %(version)s was adopted meanwhile and changed the same %(num)s "
        "passages (%(passages)s). The proposer must resolve this in a new revision, which then "
        "needs consent again.",
        count,
        version=number,
        passages=passages,
    )


def _reconsent_message(current: Version, merge: MergeResult) -> str:
    """Why adoption waits for consent to the rebased text (see finish_adoption)."""
    if not merge.merged_within:
        return _(
            "Cannot adopt yet: version %(version)s was adopted meanwhile. Use \u201c%(button)s"
            "\u201d: this protocol asks for consent to the combined text.",
            version=current.number,
            button=UPDATE_BUTTON,
        )
    return _(
        "Cannot adopt yet: version %(version)s was adopted meanwhile and changed passages this "
        "proposal changes too (%(passages)s). The two changes merge, but nobody has consented "
        "to the merged wording. Use \u201c%(button)s\u201d: the merged text becomes a new "
        "revision, and people confirm their stances on it.",
        version=current.number,
        passages=_quoted([passage[:80] for passage in merge.merged_within]),
        button=UPDATE_BUTTON,
    )


def rebased_revision(
    ctx: ProposalContext, revision: Revision, current: Version, text: str
) -> Revision:
    """Record the merge of `revision` onto `current` as the proposal's next revision."""
    rebased = Revision(
        proposal_id=ctx.proposal.id,  # type: ignore[arg-type]
        number=revision.number + 1,
        base_version_id=current.id,  # type: ignore[arg-type]
        text=text,
        text_sha256=sha256_text(text),
        author_id=None,
        note=f"Updated to the latest version ({current.number}): the changes merged cleanly.",
    )
    ctx.session.add(rebased)
    ctx.session.flush()
    return rebased


def finish_adoption(ctx: ProposalContext, flow: Flow, outcome_statement: str) -> Version:
    """Fire `adopt`, create the next version from the consented text, record it."""
    lock(ctx.session, Agreement, ctx.agreement.id)  # type: ignore[arg-type]
    revision = ctx.latest_revision()
    current = current_version(ctx.session, ctx.agreement.id)  # type: ignore[arg-type]
    merge = rebase_preview(ctx.session, revision, current)
    if not merge.is_clean:
        raise Refused(_conflict_message(current, merge))
    if revision.base_version_id != current.id and (
        ctx.protocol.reconsent_after_rebase or merge.merged_within
    ):
        raise Refused(_reconsent_message(current, merge))
    flow.fire("adopt", ctx.roles)
    adopted_revision = revision
    if revision.base_version_id != current.id:
        assert merge.text is not None
        adopted_revision = rebased_revision(ctx, revision, current, merge.text)
    version = append_version(
        ctx.session,
        ctx.agreement,
        adopted_revision.text,
        parent=current,
        actor=ctx.actor,
        proposal_id=ctx.proposal.id,
    )
    ctx.proposal.adopted_version_id = version.id
    ctx.proposal.outcome_statement = outcome_statement
    ctx.proposal.closed_at = utcnow()
    ctx.session.add(ctx.proposal)
    close_round(ctx, "adopted")
    audit.record(
        ctx.session,
        ctx.actor,
        "proposal.adopted",
        ctx.subject(),
        {
            "version": version.number,
            "version_sha256": version.text_sha256,
            "revision": adopted_revision.number,
            "consented_sha256": revision.text_sha256,
            "rebased_onto": current.number if adopted_revision is not revision else None,
            "outcome_statement": outcome_statement,
            **_by_deadline(ctx),
        },
    )
    return version


def _by_deadline(ctx: ProposalContext) -> dict[str, bool]:
    """Marks an adoption or lapse the scheduler made at a deadline (the only way the system
    account may make either), so the history can say the deadline decided, not a person."""
    return {"at_deadline": True} if is_system(ctx.actor) else {}


def finish_lapse(ctx: ProposalContext, flow: Flow, reason: str) -> None:
    """Fire `lapse`, close the round, record why."""
    flow.fire("lapse", ctx.roles)
    ctx.proposal.outcome_statement = reason
    ctx.proposal.closed_at = utcnow()
    ctx.session.add(ctx.proposal)
    close_round(ctx, "lapsed")
    audit.record(
        ctx.session,
        ctx.actor,
        "proposal.lapsed",
        ctx.subject(),
        {"reason": reason, **_by_deadline(ctx)},
    )


@use_case
def adopt_proposal(
    session: Session, actor: User | None, *, proposal_id: int, outcome_statement: str
) -> Version:
    """A facilitator adopts a proposal whose consent round has no objection and met quorum.

    The outcome statement is required: the decision record is what people read later to
    learn what was decided and why, and "(none given)" tells them nothing.
    """
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    statement = clean_text(outcome_statement, field="outcome statement", limit=MAX_DISCUSSION_CHARS)
    return finish_adoption(ctx, ctx.flow(), statement)


@use_case
def lapse_proposal(session: Session, actor: User | None, *, proposal_id: int, reason: str) -> None:
    """A facilitator lets a consent round that did not reach quorum lapse, saying why."""
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    reason = clean_text(reason, field="reason", limit=MAX_DISCUSSION_CHARS)
    finish_lapse(ctx, ctx.flow(), reason)


@use_case
def rebase_proposal(session: Session, actor: User | None, *, proposal_id: int) -> Revision:
    """Merge a stale proposal onto the current version as a new revision, if it is clean.

    The proposer or a facilitator may do it at any time; stances given on the old text
    become stale, so people confirm the rebased text.
    """
    ctx = load_proposal(session, actor, proposal_id)
    ctx.require_participant()
    if not ctx.roles & {PROPOSER, FACILITATOR}:
        raise Forbidden(
            _("Only the proposer or a facilitator can update this proposal to the latest version.")
        )
    if ctx.protocol.state(ctx.proposal.state).is_final:
        raise Refused(
            _(
                "Cannot update the proposal to the latest version: the decision on this "
                "proposal is closed."
            )
        )
    revision = ctx.latest_revision()
    current = current_version(session, ctx.agreement.id)  # type: ignore[arg-type]
    if revision.base_version_id == current.id:
        raise Refused(
            _(
                "Nothing to update: the proposal is already based on version %(version)s.",
                version=current.number,
            )
        )
    merge = rebase_preview(session, revision, current)
    if not merge.is_clean:
        raise Refused(_conflict_message(current, merge, updating=True))
    assert merge.text is not None
    rebased = rebased_revision(ctx, revision, current, merge.text)
    audit.record(
        session,
        actor,
        "proposal.rebased",
        ctx.subject("revision", rebased.id),
        {
            "revision": rebased.number,
            "onto_version": current.number,
            "revision_sha256": rebased.text_sha256,
        },
    )
    return rebased
