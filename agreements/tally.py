"""Counting a round: who consented, stood aside, objected, is stale or has not answered.

Pure functions over rows already loaded, so the count a page shows, the count the API
returns and the count the adopt guard checks are the same computation.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .models import Round, RoundParticipant, Stance

STATUSES = ("consent", "stand_aside", "object", "stale", "pending")
STATUS_LABELS = {
    "consent": "Consent",
    "stand_aside": "Stand aside",
    "object": "Object",
    "stale": "Answered an earlier text",
    "pending": "Not yet answered",
}


@dataclass(frozen=True)
class ParticipantStatus:
    """One eligible participant's standing in the round."""

    user_id: int
    organisation_id: int | None
    status: str
    stance: Stance | None


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
    def quorum_detail(self) -> str:
        """E.g. "3 of 8 people answered, 50% needed"."""
        unit = "organisations" if self.rule == "organisation" else "people"
        return (
            f"{self.units_answered} of {self.units_total} {unit} answered, {self.percent}% needed"
        )

    @property
    def objecting(self) -> int:
        """Current (not stale) object stances."""
        return self.counts["object"]


def _unit(participant: RoundParticipant) -> str:
    """Per-organisation quorum counts unaffiliated people as a unit of their own."""
    if participant.organisation_id is None:
        return f"person:{participant.user_id}"
    return f"org:{participant.organisation_id}"


def tally_round(
    round_: Round,
    participants: list[RoundParticipant],
    current_stances: list[Stance],
    current_text_sha256: str,
) -> Tally:
    """Classify each eligible participant; stances on an older text count as stale."""
    by_user = {stance.participant_id: stance for stance in current_stances}
    statuses = []
    for participant in participants:
        stance = by_user.get(participant.user_id)
        if stance is None:
            status = "pending"
        elif stance.text_sha256 != current_text_sha256:
            status = "stale"
        else:
            status = stance.position
        statuses.append(
            ParticipantStatus(participant.user_id, participant.organisation_id, status, stance)
        )
    counts = {status: 0 for status in STATUSES}
    per_org: dict[int | None, Counter[str]] = {}
    units: dict[str, bool] = {}
    for participant, entry in zip(participants, statuses, strict=True):
        counts[entry.status] += 1
        per_org.setdefault(entry.organisation_id, Counter())[entry.status] += 1
        key = _unit(participant) if round_.quorum_rule == "organisation" else str(entry.user_id)
        answered = entry.status not in ("pending", "stale")
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
