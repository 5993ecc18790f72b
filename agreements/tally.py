"""Counting a round: who consented, stood aside, objected, is stale or has not answered.

Pure functions over rows already loaded, so the count a page shows, the count the API
returns and the count the adopt guard checks are the same computation.

Who is eligible: the participants snapshotted when the round opened, and the members who
joined while it is open ("late joiners"). A late joiner counts towards quorum only once
their answer counts, so a newcomer can take part but joining never makes quorum harder
to reach.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .models import Membership, Round, RoundParticipant
from .wording import _, n_

STATUSES = ("consent", "stand_aside", "object", "stale", "pending")
STATUS_LABELS = {
    "consent": _("Consent"),
    "stand_aside": _("Stand aside"),
    "object": _("Object"),
    "stale": _("Answered an earlier text"),
    "pending": _("Not yet answered"),
}


@dataclass(frozen=True)
class ParticipantStatus:
    """One eligible participant's standing in the round (`joined_late`: joined the
    community after the round opened)."""

    user_id: int
    organisation_id: int | None
    status: str
    stance: Answer | None
    joined_late: bool = False


@dataclass(frozen=True)
class Tally:
    """The count of a round against the current text, with its quorum verdict."""

    participants: tuple[ParticipantStatus, ...]
    counts: dict[str, int]
    rule: str
    percent: int
    units_total: int
    units_answered: int
    organisation_counts: dict[int | None, Counter[str]] = field(default_factory=dict)

    @property
    def quorum_met(self) -> bool:
        """At least `percent` of the counted units (people or organisations) answered."""
        if self.units_total == 0:
            return False
        return self.units_answered * 100 >= self.percent * self.units_total

    @property
    def units_needed(self) -> int:
        """How many units must answer for quorum: the least n with n * 100 >= percent * total."""
        return -(-self.percent * self.units_total // 100)

    @property
    def quorum_detail(self) -> str:
        """E.g. "3 of 8 people answered, 50% needed"."""
        counted = {"answered": self.units_answered, "percent": self.percent}
        if self.rule == "organisation":
            return n_(
                "%(answered)s of %(num)s organisation answered, %(percent)s%% needed",
                "%(answered)s of %(num)s organisations answered, %(percent)s%% needed",
                self.units_total,
                **counted,
            )
        return n_(
            "%(answered)s of %(num)s person answered, %(percent)s%% needed",
            "%(answered)s of %(num)s people answered, %(percent)s%% needed",
            self.units_total,
            **counted,
        )

    @property
    def objecting(self) -> int:
        """Current (not stale) object stances."""
        return self.counts["object"]


def _unit(entry: ParticipantStatus) -> str:
    """Per-organisation quorum counts unaffiliated people as a unit of their own."""
    if entry.organisation_id is None:
        return f"person:{entry.user_id}"
    return f"org:{entry.organisation_id}"


class Answer(Protocol):
    """A current stance: a Stance row, or its columns (a page that tallies a round of a
    hundred people need not build a hundred ORM objects)."""

    @property
    def participant_id(self) -> int:
        """Who answered."""

    @property
    def revision_id(self) -> int:
        """The revision they answered."""

    @property
    def text_sha256(self) -> str:
        """The hash of the text they answered: an older text's answer is stale."""

    @property
    def position(self) -> str:
        """consent, stand_aside or object."""

    @property
    def reason(self) -> str:
        """What they said with it."""


class Eligible(Protocol):
    """Who a round counts: a RoundParticipant row, or just its two columns (a page that
    tallies a round of a hundred people need not build a hundred ORM objects)."""

    @property
    def user_id(self) -> int:
        """The participant's account."""

    @property
    def organisation_id(self) -> int | None:
        """The organisation they answer for, if the community counts organisations."""


def tally_round(
    round_: Round,
    participants: Sequence[Eligible | RoundParticipant],
    current_stances: Sequence[Answer],
    current_text_sha256: str,
    late_joiners: Sequence[Membership] = (),
) -> Tally:
    """Classify each eligible participant (the snapshot, then `late_joiners`: members who
    joined after the round opened); stances on an older text count as stale."""
    by_user = {stance.participant_id: stance for stance in current_stances}
    eligible = [(p.user_id, p.organisation_id, False) for p in participants]
    eligible += [(m.user_id, m.organisation_id, True) for m in late_joiners]
    statuses = []
    for user_id, organisation_id, joined_late in eligible:
        stance = by_user.get(user_id)
        if stance is None:
            status = "pending"
        elif stance.text_sha256 != current_text_sha256:
            status = "stale"
        else:
            status = stance.position
        statuses.append(ParticipantStatus(user_id, organisation_id, status, stance, joined_late))
    counts = {status: 0 for status in STATUSES}
    per_org: dict[int | None, Counter[str]] = {}
    units: dict[str, bool] = {}
    for entry in statuses:
        counts[entry.status] += 1
        per_org.setdefault(entry.organisation_id, Counter())[entry.status] += 1
        answered = entry.status not in ("pending", "stale")
        if entry.joined_late and not answered:
            continue
        key = _unit(entry) if round_.quorum_rule == "organisation" else str(entry.user_id)
        units[key] = units.get(key, False) or answered
    return Tally(
        participants=tuple(statuses),
        counts=counts,
        rule=round_.quorum_rule,
        percent=round_.quorum_percent,
        units_total=len(units),
        units_answered=sum(units.values()),
        organisation_counts=per_org,
    )
