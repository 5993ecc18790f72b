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
        return self.names.proposals.get(pid, f"proposal {pid}") if pid else "a proposal"

    @property
    def agreement(self) -> str:
        """The agreement's title, or "the agreement"."""
        aid = self.event.agreement_id
        return self.names.agreements.get(aid, "the agreement") if aid else "the agreement"

    def person(self, key: str = "user_id") -> str:
        """The person a payload field (or, by default, the event's subject) names."""
        person_id = self.payload.get(key, self.event.subject_id)
        return self.names.people.get(person_id, "someone") if person_id else "someone"

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
        return f"{event.actor_name} did something Accord has no words for yet ({event.action})."
    return builder(Said(event, payload, names))


def label(action: str) -> str:
    """The name of an action in the history filter."""
    return LABELS.get(action, action)


def quote(payload: dict[str, Any]) -> str:
    """The words a person wrote with the action (a reason, comment or outcome), if any."""
    return next((str(payload[key]) for key in QUOTED if payload.get(key)), "")


# --- accounts ------------------------------------------------------------------------------


@says("account.created", "Accounts created")
def _(s: Said) -> str:
    return f"An account was created for {s.person()}."


@says("account.password_changed", "Passwords changed")
def _(s: Said) -> str:
    return f"{s.actor} changed their password."


@says("account.preferences_changed", "Language and time zone settings changed")
def _(s: Said) -> str:
    return f"{s.actor} changed their language and time zone settings."


@says("account.password_reset_requested", "Password resets requested")
def _(s: Said) -> str:
    return f"Someone asked for a link to reset the password of {s.person()}."


@says("account.password_reset", "Passwords reset")
def _(s: Said) -> str:
    return f"{s.actor} chose a new password with a reset link."


@says("api_token.created", "API tokens created")
def _(s: Said) -> str:
    return f"{s.actor} created an API token named “{s.payload.get('name', '')}”."


@says("api_token.revoked", "API tokens revoked")
def _(s: Said) -> str:
    return f"{s.actor} revoked the API token named “{s.payload.get('name', '')}”."


@says("feed.created", "Feed addresses made")
def _(s: Said) -> str:
    return f"{s.actor} made a new feed address."


@says("feed.revoked", "Feed addresses revoked")
def _(s: Said) -> str:
    return f"{s.actor} revoked a feed address."


# --- communities and membership ------------------------------------------------------------


@says("community.created", "Community created")
def _(s: Said) -> str:
    return f"{s.actor} created the community “{s.payload.get('name', '')}”."


@says("community.settings_changed", "Settings changed")
def _(s: Said) -> str:
    return f"{s.actor} changed the community's settings."


@says("member.added", "Members added")
def _(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return f"{s.actor} added {s.person()} to the community as a facilitator."
    return f"{s.actor} added {s.person()} to the community as a member."


@says("member.changed", "Members changed")
def _(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return f"{s.actor} made {s.person()} a facilitator."
    return f"{s.actor} made {s.person()} a member."


@says("member.invited", "Invitations sent")
def _(s: Said) -> str:
    if s.payload.get("role") == "facilitator":
        return f"{s.actor} invited someone to join as a facilitator."
    return f"{s.actor} invited someone to join as a member."


@says("member.joined", "Members joined")
def _(s: Said) -> str:
    if s.payload.get("via") == "invitation":
        return f"{s.actor} accepted an invitation and joined the community."
    return f"{s.actor} joined the community."


# --- agreements and proposals --------------------------------------------------------------


@says("agreement.created", "Agreements created")
def _(s: Said) -> str:
    title = s.payload.get("title", s.agreement)
    versions = len(s.payload.get("versions", ())) or 1
    if versions > 1:
        return f"{s.actor} imported “{title}” with its history of {versions} versions."
    return f"{s.actor} created “{title}” as version 1."


@says("proposal.created", "Proposals started")
def _(s: Said) -> str:
    base = s.payload.get("base_version")
    if s.payload.get("proposed_again_from"):
        return (
            f"{s.actor} proposed “{s.proposal}” again after it closed without a decision, "
            f"a change to version {base} of “{s.agreement}”."
        )
    if s.payload.get("state") == "draft":
        return f"{s.actor} started a draft, “{s.proposal}”, to change version {base}."
    return f"{s.actor} proposed “{s.proposal}”, a change to version {base} of “{s.agreement}”."


@says("proposal.submit", "Proposals submitted")
def _(s: Said) -> str:
    return f"{s.actor} submitted the draft “{s.proposal}” to the community."


@says("proposal.withdraw", "Proposals withdrawn")
def _(s: Said) -> str:
    return f"{s.actor} withdrew the proposal “{s.proposal}”."


@says("proposal.open_comments", "Comments opened")
def _(s: Said) -> str:
    return f"{s.actor} opened “{s.proposal}” for comments."


@says("proposal.open_objection_round", "Objection rounds opened")
def _(s: Said) -> str:
    return f"{s.actor} opened the objection round on “{s.proposal}”."


@says("proposal.open_consent_round", "Consent rounds opened")
def _(s: Said) -> str:
    return f"{s.actor} opened the consent round on “{s.proposal}”."


@says("proposal.reject", "Proposals rejected")
def _(s: Said) -> str:
    return f"{s.actor} rejected the proposal “{s.proposal}”."


@says("proposal.revised", "Revisions posted")
def _(s: Said) -> str:
    number, integrated = s.payload.get("revision"), len(s.payload.get("integrates") or ())
    if integrated == 1:
        return f"{s.actor} posted revision {number} of “{s.proposal}”, integrating an objection."
    if integrated > 1:
        return (
            f"{s.actor} posted revision {number} of “{s.proposal}”, "
            f"integrating {integrated} objections."
        )
    return f"{s.actor} posted revision {number} of “{s.proposal}”."


@says("proposal.rebased", "Proposals updated onto a newer version")
def _(s: Said) -> str:
    return (
        f"{s.actor} updated “{s.proposal}” onto version {s.payload.get('onto_version')}, "
        f"as revision {s.payload.get('revision')}."
    )


@says("proposal.adopted", "Versions adopted")
def _(s: Said) -> str:
    version = f"version {s.payload.get('version')} of “{s.agreement}”"
    if s.payload.get("at_deadline"):
        return (
            f"The deadline of “{s.proposal}” passed with no objection open, so the proposal "
            f"was adopted as {version}."
        )
    return f"{s.actor} adopted {version}, from the proposal “{s.proposal}”."


@says("proposal.lapsed", "Proposals closed without a decision")
def _(s: Said) -> str:
    if s.payload.get("at_deadline"):
        return (
            f"The deadline of “{s.proposal}” passed before enough people had answered, so it "
            "closed without a decision."
        )
    return f"{s.actor} closed “{s.proposal}” without a decision: too few people answered."


# --- discussion, objections, stances -------------------------------------------------------


@says("comment.added", "Comments")
def _(s: Said) -> str:
    if s.payload.get("parent_id"):
        return f"{s.actor} replied to a comment on “{s.proposal}”."
    if s.payload.get("kind") == "question":
        return f"{s.actor} asked a question about “{s.proposal}”."
    if s.payload.get("kind") == "suggestion":
        return f"{s.actor} suggested a change to “{s.proposal}”."
    return f"{s.actor} commented on “{s.proposal}”."


@says("concern.raised", "Concerns raised")
def _(s: Said) -> str:
    return f"{s.actor} raised a concern about “{s.proposal}”."


@says("objection.raised", "Objections raised")
def _(s: Said) -> str:
    return f"{s.actor} raised an objection to “{s.proposal}”."


@says("objection.confirm_resolved", "Objections resolved")
def _(s: Said) -> str:
    if s.payload.get("by_facilitator"):
        return (
            f"{s.actor}, as facilitator, confirmed that an objection to “{s.proposal}” is resolved."
        )
    return f"{s.actor} confirmed that the new text of “{s.proposal}” resolves their objection."


@says("objection.reopen", "Objections kept open")
def _(s: Said) -> str:
    return f"{s.actor} said the new text of “{s.proposal}” does not resolve their objection yet."


@says("objection.withdraw", "Objections withdrawn")
def _(s: Said) -> str:
    return f"{s.actor} withdrew their objection to “{s.proposal}”."


@says("objection.reclassify", "Objections turned into concerns")
def _(s: Said) -> str:
    if s.payload.get("by_facilitator"):
        return f"{s.actor}, as facilitator, turned an objection to “{s.proposal}” into a concern."
    return f"{s.actor} turned their objection to “{s.proposal}” into a concern."


@says("objection.overrule", "Objections decided not paramount (overruled)")
def _(s: Said) -> str:
    return (
        f"{s.actor} decided an objection to “{s.proposal}” is not paramount (overruled): "
        "it no longer blocks."
    )


def _stance(s: Said, number: int | None) -> str:
    position = s.payload.get("position")
    if number is None:
        if position == "object":
            return f"{s.actor} objected to the text of “{s.proposal}”."
        if position == "stand_aside":
            return f"{s.actor} stood aside on the text of “{s.proposal}”."
        return f"{s.actor} consented to the text of “{s.proposal}”."
    if position == "object":
        return f"{s.actor} objected to revision {number} of “{s.proposal}”."
    if position == "stand_aside":
        return f"{s.actor} stood aside on revision {number} of “{s.proposal}”."
    return f"{s.actor} consented to revision {number} of “{s.proposal}”."


@says("stance.registered", "Stances given")
def _(s: Said) -> str:
    return _stance(s, s.revision())


@says("stance.reconfirmed", "Stances confirmed again")
def _(s: Said) -> str:
    number = s.revision()
    if number is None:
        return f"{s.actor} confirmed their stance again on the new text of “{s.proposal}”."
    if s.payload.get("position") == "stand_aside":
        return (
            f"{s.actor} confirmed again that they stand aside "
            f"on revision {number} of “{s.proposal}”."
        )
    return f"{s.actor} confirmed their consent again on revision {number} of “{s.proposal}”."


# --- deadlines, reminders and reviews ----------------------------------------------------


def _moment(value: object) -> str:
    """An ISO date or date-time from a payload, as people write it."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if isinstance(value, str) and "T" not in value:
        return f"{moment:%d %B %Y}"
    return f"{moment:%d %B %Y, %H:%M} UTC"


def _people_count(ids: object) -> str:
    count = len(ids) if isinstance(ids, list) else 0
    return "1 person" if count == 1 else f"{count} people"


@says("round.deadline_extended", "Deadlines extended")
def _(s: Said) -> str:
    verb = "extended the deadline of" if s.payload.get("from") else "set a deadline for"
    return f"{s.actor} {verb} the round on “{s.proposal}” to {_moment(s.payload.get('to'))}."


@says("round.reminder_due", "Reminders before a deadline")
def _(s: Said) -> str:
    hours = s.payload.get("hours")
    if not s.payload.get("to"):
        return f"Everyone had answered “{s.proposal}” {hours} hours before its deadline."
    return (
        f"{s.actor} reminded {_people_count(s.payload.get('to'))} who had not answered "
        f"“{s.proposal}”, {hours} hours before its deadline."
    )


@says("round.closing_soon", "Closing-soon warnings")
def _(s: Said) -> str:
    waiting = _people_count(s.payload.get("not_answered"))
    return (
        f"{s.actor} told the facilitators that the round on “{s.proposal}” closes within a "
        f"day; {waiting} had not answered."
    )


@says("round.announced", "Rounds announced by mail")
def _(s: Said) -> str:
    deadline = s.payload.get("deadline")
    closes = f"; it now closes on {_moment(deadline)}" if deadline else ""
    return f"Every member was sent the news that the round on “{s.proposal}” is open{closes}."


@says("round.reminded", "Reminders sent by facilitators")
def _(s: Said) -> str:
    return (
        f"{s.actor} reminded {_people_count(s.payload.get('to'))} who had not answered "
        f"“{s.proposal}”."
    )


@says("agreement.review_date_set", "Review dates set")
def _(s: Said) -> str:
    closed = " The review that was due is done." if s.payload.get("reviewed") else ""
    if not s.payload.get("review_on"):
        return f"{s.actor} removed the review date of “{s.agreement}”.{closed}"
    when = _moment(s.payload["review_on"])
    return f"{s.actor} set “{s.agreement}” to be reviewed on {when}.{closed}"


@says("agreement.review_due", "Reviews due")
def _(s: Said) -> str:
    return f"The review date of “{s.agreement}” came: the agreement is due for review."


# --- the trail itself ----------------------------------------------------------------------


@says(IMPORT_ACTION, "History imported")
def _(s: Said) -> str:
    return "This community's history was imported from an archive and checked."


@says(SEALED_ACTION, "Sealed events")
def _(s: Said) -> str:
    return "An event of another community was sealed when an archive was imported."
