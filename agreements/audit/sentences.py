"""Audit events told as sentences a member understands.

The chain stores an action name ("stance.registered") and a JSON payload; people read
"Lucía consented to revision 2 of “Shorter meetings”." Each recorded action has exactly one
sentence builder here, registered with `@says`, and a label for the history filter. Every
builder returns a whole sentence (never fragments glued together), so a later translation
can translate each one. tests/services/test_event_sentences.py proves that every use case's
event has its own sentence, so a new action without one fails the suite.

The names a sentence mentions (proposal and agreement titles, people, revision numbers)
are looked up once per page by agreements.audit.events and handed in as `Names`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..models import AuditEvent
from ..wording import Day, Moment, _, n_
from .chain import IMPORT_ACTION, SEALED_ACTION


@dataclass(frozen=True)
class Names:
    """What events refer to by id or hash, as people know it."""

    proposals: dict[int, str] = field(default_factory=dict)
    agreements: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    revisions: dict[tuple[int, str], int] = field(default_factory=dict)


@dataclass(frozen=True)
class Said:
    """What a builder is given: the event, its payload and the names around it."""

    event: AuditEvent
    payload: dict[str, Any]
    names: Names

    @property
    def actor(self) -> str:
        """Who acted, by the name recorded with the event."""
        return self.event.actor_name

    @property
    def proposal(self) -> str:
        """The proposal's title, or its number if the title is not at hand."""
        pid = self.event.proposal_id
        if not pid:
            return _("a proposal")
        return self.names.proposals.get(pid) or _("proposal %(number)s", number=pid)

    @property
    def agreement(self) -> str:
        """The agreement's title, or "the agreement"."""
        aid = self.event.agreement_id
        return (self.names.agreements.get(aid) if aid else None) or _("the agreement")

    def person(self, key: str = "user_id") -> str:
        """The person a payload field (or, by default, the event's subject) names."""
        person_id = self.payload.get(key, self.event.subject_id)
        return (self.names.people.get(person_id) if person_id else None) or _("someone")

    def revision(self, key: str = "revision_sha256") -> int | None:
        """The number of the revision whose text hash a payload field holds."""
        pid, sha = self.event.proposal_id, self.payload.get(key)
        return self.names.revisions.get((pid, sha)) if pid and sha else None


Builder = Callable[[Said], str]
SENTENCES: dict[str, Builder] = {}
LABELS: dict[str, str] = {}
QUOTED = ("outcome_statement", "reason", "body", "text")


def says(action: str, label: str) -> Callable[[Builder], Builder]:
    """Register the sentence for `action` and its label in the history filter."""

    def register(builder: Builder) -> Builder:
        SENTENCES[action] = builder
        LABELS[action] = label
        return builder

    return register


def sentence(event: AuditEvent, payload: dict[str, Any], names: Names) -> str:
    """The event as one plain sentence."""
    builder = SENTENCES.get(event.action)
    if builder is None:
        return _(
            "%(actor)s did something Accord has no words for yet (%(action)s).",
            actor=event.actor_name,
            action=event.action,
        )
    return builder(Said(event, payload, names))


def label(action: str) -> str:
    """The name of an action in the history filter."""
    return LABELS.get(action, action)


def quote(payload: dict[str, Any]) -> str:
    """The words a person wrote with the action (a reason, comment or outcome), if any."""
    return next((str(payload[key]) for key in QUOTED if payload.get(key)), "")


# --- accounts ------------------------------------------------------------------------------


@says("account.created", _("Accounts created"))
def _account_created(s: Said) -> str:
    return _("An account was created for %(person)s.", person=s.person())


@says("account.password_changed", _("Passwords changed"))
def _account_password_changed(s: Said) -> str:
    return _("%(actor)s changed their password.", actor=s.actor)


@says("account.preferences_changed", _("Language and time zone settings changed"))
def _account_preferences_changed(s: Said) -> str:
    return _("%(actor)s changed their language and time zone settings.", actor=s.actor)


@says("account.password_reset_requested", _("Password resets requested"))
def _account_password_reset_requested(s: Said) -> str:
    return _("Someone asked for a link to reset the password of %(person)s.", person=s.person())


@says("account.password_reset", _("Passwords reset"))
def _account_password_reset(s: Said) -> str:
    return _("%(actor)s chose a new password with a reset link.", actor=s.actor)


@says("api_token.created", _("API tokens created"))
def _api_token_created(s: Said) -> str:
    return _(
        "%(actor)s created an API token named “%(name)s”.",
        actor=s.actor,
        name=s.payload.get("name", ""),
    )


@says("api_token.revoked", _("API tokens revoked"))
def _api_token_revoked(s: Said) -> str:
    return _(
        "%(actor)s revoked the API token named “%(name)s”.",
        actor=s.actor,
        name=s.payload.get("name", ""),
    )


@says("feed.created", _("Feed addresses made"))
def _feed_created(s: Said) -> str:
    return _("%(actor)s made a new feed address.", actor=s.actor)


@says("feed.revoked", _("Feed addresses revoked"))
def _feed_revoked(s: Said) -> str:
    return _("%(actor)s revoked a feed address.", actor=s.actor)


# --- communities and membership ------------------------------------------------------------


@says("community.created", _("Community created"))
def _community_created(s: Said) -> str:
    return _(
        "%(actor)s created the community “%(name)s”.", actor=s.actor, name=s.payload.get("name", "")
    )


@says("community.settings_changed", _("Settings changed"))
def _community_settings_changed(s: Said) -> str:
    return _("%(actor)s changed the community's settings.", actor=s.actor)


@says("member.added", _("Members added"))
def _member_added(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return _(
            "%(actor)s added %(person)s to the community as a facilitator.",
            actor=s.actor,
            person=s.person(),
        )
    return _(
        "%(actor)s added %(person)s to the community as a member.", actor=s.actor, person=s.person()
    )


@says("member.changed", _("Members changed"))
def _member_changed(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return _("%(actor)s made %(person)s a facilitator.", actor=s.actor, person=s.person())
    return _("%(actor)s made %(person)s a member.", actor=s.actor, person=s.person())


@says("member.invited", _("Invitations sent"))
def _member_invited(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return _("%(actor)s invited someone to join as a facilitator.", actor=s.actor)
    return _("%(actor)s invited someone to join as a member.", actor=s.actor)


@says("member.joined", _("Members joined"))
def _member_joined(s: Said) -> str:
    if s.payload.get("via") == "invitation":
        return _("%(actor)s accepted an invitation and joined the community.", actor=s.actor)
    return _("%(actor)s joined the community.", actor=s.actor)


# --- agreements and proposals --------------------------------------------------------------


@says("agreement.created", _("Agreements created"))
def _agreement_created(s: Said) -> str:
    title = s.payload.get("title", s.agreement)
    versions = len(s.payload.get("versions", ())) or 1
    if versions > 1:
        return _(
            "%(actor)s imported “%(title)s” with its history of %(versions)s versions.",
            actor=s.actor,
            title=title,
            versions=versions,
        )
    return _("%(actor)s created “%(title)s” as version 1.", actor=s.actor, title=title)


@says("proposal.created", _("Proposals started"))
def _proposal_created(s: Said) -> str:
    base = s.payload.get("base_version")
    if s.payload.get("proposed_again_from"):
        return _(
            "%(actor)s proposed “%(proposal)s” again after it closed without a decision, a "
            "change to version %(base)s of “%(agreement)s”.",
            actor=s.actor,
            proposal=s.proposal,
            base=base,
            agreement=s.agreement,
        )
    if s.payload.get("state") == "draft":
        return _(
            "%(actor)s started a draft, “%(proposal)s”, to change version %(base)s.",
            actor=s.actor,
            proposal=s.proposal,
            base=base,
        )
    return _(
        "%(actor)s proposed “%(proposal)s”, a change to version %(base)s of “%(agreement)s”.",
        actor=s.actor,
        proposal=s.proposal,
        base=base,
        agreement=s.agreement,
    )


@says("proposal.submit", _("Proposals submitted"))
def _proposal_submit(s: Said) -> str:
    return _(
        "%(actor)s submitted the draft “%(proposal)s” to the community.",
        actor=s.actor,
        proposal=s.proposal,
    )


@says("proposal.withdraw", _("Proposals withdrawn"))
def _proposal_withdraw(s: Said) -> str:
    return _("%(actor)s withdrew the proposal “%(proposal)s”.", actor=s.actor, proposal=s.proposal)


@says("proposal.open_comments", _("Comments opened"))
def _proposal_open_comments(s: Said) -> str:
    return _("%(actor)s opened “%(proposal)s” for comments.", actor=s.actor, proposal=s.proposal)


@says("proposal.open_objection_round", _("Objection rounds opened"))
def _proposal_open_objection_round(s: Said) -> str:
    return _(
        "%(actor)s opened the objection round on “%(proposal)s”.",
        actor=s.actor,
        proposal=s.proposal,
    )


@says("proposal.open_consent_round", _("Consent rounds opened"))
def _proposal_open_consent_round(s: Said) -> str:
    return _(
        "%(actor)s opened the consent round on “%(proposal)s”.", actor=s.actor, proposal=s.proposal
    )


@says("proposal.reject", _("Proposals rejected"))
def _proposal_reject(s: Said) -> str:
    return _("%(actor)s rejected the proposal “%(proposal)s”.", actor=s.actor, proposal=s.proposal)


@says("proposal.revised", _("Revisions posted"))
def _proposal_revised(s: Said) -> str:
    number, integrated = s.payload.get("revision"), len(s.payload.get("integrates") or ())
    if integrated:
        return n_(
            "%(actor)s posted revision %(number)s of “%(proposal)s”, integrating an objection.",
            "%(actor)s posted revision %(number)s of “%(proposal)s”, integrating "
            "%(num)s objections.",
            integrated,
            actor=s.actor,
            number=number,
            proposal=s.proposal,
        )
    return _(
        "%(actor)s posted revision %(number)s of “%(proposal)s”.",
        actor=s.actor,
        number=number,
        proposal=s.proposal,
    )


@says("proposal.rebased", _("Proposals updated onto a newer version"))
def _proposal_rebased(s: Said) -> str:
    return _(
        "%(actor)s updated “%(proposal)s” onto version %(onto_version)s, as revision %(revision)s.",
        actor=s.actor,
        proposal=s.proposal,
        onto_version=s.payload.get("onto_version"),
        revision=s.payload.get("revision"),
    )


@says("proposal.adopted", _("Versions adopted"))
def _proposal_adopted(s: Said) -> str:
    version = s.payload.get("version")
    if s.payload.get("at_deadline"):
        return _(
            "The deadline of “%(proposal)s” passed with no objection open, so the proposal "
            "was adopted as version %(version)s of “%(agreement)s”.",
            proposal=s.proposal,
            version=version,
            agreement=s.agreement,
        )
    return _(
        "%(actor)s adopted version %(version)s of “%(agreement)s”, from the proposal "
        "“%(proposal)s”.",
        actor=s.actor,
        version=version,
        agreement=s.agreement,
        proposal=s.proposal,
    )


@says("proposal.lapsed", _("Proposals closed without a decision"))
def _proposal_lapsed(s: Said) -> str:
    if s.payload.get("at_deadline"):
        return _(
            "The deadline of “%(proposal)s” passed before enough people had answered, so "
            "it closed without a decision.",
            proposal=s.proposal,
        )
    return _(
        "%(actor)s closed “%(proposal)s” without a decision: too few people answered.",
        actor=s.actor,
        proposal=s.proposal,
    )


# --- discussion, objections, stances -------------------------------------------------------


@says("comment.added", _("Comments"))
def _comment_added(s: Said) -> str:
    if s.payload.get("parent_id"):
        return _(
            "%(actor)s replied to a comment on “%(proposal)s”.", actor=s.actor, proposal=s.proposal
        )
    if s.payload.get("kind") == "question":
        return _(
            "%(actor)s asked a question about “%(proposal)s”.", actor=s.actor, proposal=s.proposal
        )
    if s.payload.get("kind") == "suggestion":
        return _(
            "%(actor)s suggested a change to “%(proposal)s”.", actor=s.actor, proposal=s.proposal
        )
    return _("%(actor)s commented on “%(proposal)s”.", actor=s.actor, proposal=s.proposal)


@says("concern.raised", _("Concerns raised"))
def _concern_raised(s: Said) -> str:
    return _("%(actor)s raised a concern about “%(proposal)s”.", actor=s.actor, proposal=s.proposal)


@says("objection.raised", _("Objections raised"))
def _objection_raised(s: Said) -> str:
    return _("%(actor)s raised an objection to “%(proposal)s”.", actor=s.actor, proposal=s.proposal)


@says("objection.confirm_resolved", _("Objections resolved"))
def _objection_confirm_resolved(s: Said) -> str:
    if s.payload.get("by_facilitator"):
        return _(
            "%(actor)s, as facilitator, confirmed that an objection to “%(proposal)s” is resolved.",
            actor=s.actor,
            proposal=s.proposal,
        )
    return _(
        "%(actor)s confirmed that the new text of “%(proposal)s” resolves their objection.",
        actor=s.actor,
        proposal=s.proposal,
    )


@says("objection.reopen", _("Objections kept open"))
def _objection_reopen(s: Said) -> str:
    return _(
        "%(actor)s said the new text of “%(proposal)s” does not resolve their objection yet.",
        actor=s.actor,
        proposal=s.proposal,
    )


@says("objection.withdraw", _("Objections withdrawn"))
def _objection_withdraw(s: Said) -> str:
    return _(
        "%(actor)s withdrew their objection to “%(proposal)s”.", actor=s.actor, proposal=s.proposal
    )


@says("objection.reclassify", _("Objections turned into concerns"))
def _objection_reclassify(s: Said) -> str:
    if s.payload.get("by_facilitator"):
        return _(
            "%(actor)s, as facilitator, turned an objection to “%(proposal)s” into a concern.",
            actor=s.actor,
            proposal=s.proposal,
        )
    return _(
        "%(actor)s turned their objection to “%(proposal)s” into a concern.",
        actor=s.actor,
        proposal=s.proposal,
    )


@says("objection.overrule", _("Objections decided not paramount (overruled)"))
def _objection_overrule(s: Said) -> str:
    return _(
        "%(actor)s decided an objection to “%(proposal)s” is not paramount "
        "(overruled): it no longer blocks.",
        actor=s.actor,
        proposal=s.proposal,
    )


def _stance(s: Said, number: int | None) -> str:
    position = s.payload.get("position")
    if number is None:
        if position == "object":
            return _(
                "%(actor)s objected to the text of “%(proposal)s”.",
                actor=s.actor,
                proposal=s.proposal,
            )
        if position == "stand_aside":
            return _(
                "%(actor)s stood aside on the text of “%(proposal)s”.",
                actor=s.actor,
                proposal=s.proposal,
            )
        return _(
            "%(actor)s consented to the text of “%(proposal)s”.", actor=s.actor, proposal=s.proposal
        )
    if position == "object":
        return _(
            "%(actor)s objected to revision %(number)s of “%(proposal)s”.",
            actor=s.actor,
            number=number,
            proposal=s.proposal,
        )
    if position == "stand_aside":
        return _(
            "%(actor)s stood aside on revision %(number)s of “%(proposal)s”.",
            actor=s.actor,
            number=number,
            proposal=s.proposal,
        )
    return _(
        "%(actor)s consented to revision %(number)s of “%(proposal)s”.",
        actor=s.actor,
        number=number,
        proposal=s.proposal,
    )


@says("stance.registered", _("Stances given"))
def _stance_registered(s: Said) -> str:
    return _stance(s, s.revision())


@says("stance.reconfirmed", _("Stances confirmed again"))
def _stance_reconfirmed(s: Said) -> str:
    number = s.revision()
    if number is None:
        return _(
            "%(actor)s confirmed their stance again on the new text of “%(proposal)s”.",
            actor=s.actor,
            proposal=s.proposal,
        )
    if s.payload.get("position") == "stand_aside":
        return _(
            "%(actor)s confirmed again that they stand aside on revision %(number)s of "
            "“%(proposal)s”.",
            actor=s.actor,
            number=number,
            proposal=s.proposal,
        )
    return _(
        "%(actor)s confirmed their consent again on revision %(number)s of “%(proposal)s”.",
        actor=s.actor,
        number=number,
        proposal=s.proposal,
    )


# --- deadlines, reminders and reviews ----------------------------------------------------


def _moment(value: object) -> str:
    """An ISO date or date-time from a payload, to be written for the reader (a `Day` or a
    `Moment`, in their locale and time zone); anything else as it was stored."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if isinstance(value, str) and "T" not in value:
        return Day(moment.date())
    return Moment(moment)


def _people_count(ids: object) -> str:
    count = len(ids) if isinstance(ids, list) else 0
    return n_("%(num)s person", "%(num)s people", count)


@says("round.deadline_extended", _("Deadlines extended"))
def _round_deadline_extended(s: Said) -> str:
    told = {"actor": s.actor, "proposal": s.proposal, "to": _moment(s.payload.get("to"))}
    if s.payload.get("from"):
        return _(
            "%(actor)s extended the deadline of the round on “%(proposal)s” to %(to)s.", **told
        )
    return _("%(actor)s set a deadline for the round on “%(proposal)s” to %(to)s.", **told)


@says("round.reminder_due", _("Reminders before a deadline"))
def _round_reminder_due(s: Said) -> str:
    hours = s.payload.get("hours")
    if not s.payload.get("to"):
        return _(
            "Everyone had answered “%(proposal)s” %(hours)s hours before its deadline.",
            proposal=s.proposal,
            hours=hours,
        )
    return _(
        "%(actor)s reminded %(to)s who had not answered “%(proposal)s”, %(hours)s "
        "hours before its deadline.",
        actor=s.actor,
        to=_people_count(s.payload.get("to")),
        proposal=s.proposal,
        hours=hours,
    )


@says("round.closing_soon", _("Closing-soon warnings"))
def _round_closing_soon(s: Said) -> str:
    waiting = _people_count(s.payload.get("not_answered"))
    return _(
        "%(actor)s told the facilitators that the round on “%(proposal)s” closes "
        "within a day; %(waiting)s had not answered.",
        actor=s.actor,
        proposal=s.proposal,
        waiting=waiting,
    )


@says("round.announced", _("Rounds announced by mail"))
def _round_announced(s: Said) -> str:
    deadline = s.payload.get("deadline")
    if deadline:
        return _(
            "Every member was sent the news that the round on “%(proposal)s” is open; it now "
            "closes on %(deadline)s.",
            proposal=s.proposal,
            deadline=_moment(deadline),
        )
    return _(
        "Every member was sent the news that the round on “%(proposal)s” is open.",
        proposal=s.proposal,
    )


@says("round.reminded", _("Reminders sent by facilitators"))
def _round_reminded(s: Said) -> str:
    return _(
        "%(actor)s reminded %(to)s who had not answered “%(proposal)s”.",
        actor=s.actor,
        to=_people_count(s.payload.get("to")),
        proposal=s.proposal,
    )


@says("agreement.review_date_set", _("Review dates set"))
def _agreement_review_date_set(s: Said) -> str:
    if not s.payload.get("review_on"):
        told = _(
            "%(actor)s removed the review date of “%(agreement)s”.",
            actor=s.actor,
            agreement=s.agreement,
        )
    else:
        told = _(
            "%(actor)s set “%(agreement)s” to be reviewed on %(when)s.",
            actor=s.actor,
            agreement=s.agreement,
            when=_moment(s.payload["review_on"]),
        )
    if s.payload.get("reviewed"):
        return _("%(sentence)s The review that was due is done.", sentence=told)
    return told


@says("agreement.review_due", _("Reviews due"))
def _agreement_review_due(s: Said) -> str:
    return _(
        "The review date of “%(agreement)s” came: the agreement is due for review.",
        agreement=s.agreement,
    )


@says("translation.proposed", _("Translations proposed"))
def _translation_proposed(s: Said) -> str:
    return _(
        "%(actor)s proposed a translation of “%(agreement)s” into %(language)s, made "
        "from version %(source_version)s.",
        actor=s.actor,
        agreement=s.agreement,
        language=s.payload.get("language"),
        source_version=s.payload.get("source_version"),
    )


@says("translation.confirmed", _("Translations confirmed"))
def _translation_confirmed(s: Said) -> str:
    return _(
        "%(actor)s confirmed the translation of “%(agreement)s” into %(language)s, "
        "made from version %(source_version)s.",
        actor=s.actor,
        agreement=s.agreement,
        language=s.payload.get("language"),
        source_version=s.payload.get("source_version"),
    )


@says("translation.declined", _("Translations declined"))
def _translation_declined(s: Said) -> str:
    return _(
        "%(actor)s declined a translation of “%(agreement)s” into %(language)s, made "
        "from version %(source_version)s.",
        actor=s.actor,
        agreement=s.agreement,
        language=s.payload.get("language"),
        source_version=s.payload.get("source_version"),
    )


# --- the trail itself ----------------------------------------------------------------------


@says(IMPORT_ACTION, _("History imported"))
def _history_imported(s: Said) -> str:
    return _("This community's history was imported from an archive and checked.")


@says(SEALED_ACTION, _("Sealed events"))
def _event_sealed(s: Said) -> str:
    return _("An event of another community was sealed when an archive was imported.")
