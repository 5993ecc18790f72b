"""Decision records: who agreed to an adopted version, and what the objections said.

A record is plain data, rebuilt on demand (agreements.services.queries.decision_records)
from the proposal's audit events and the rows they point at, and rendered here as Markdown
or JSON. It carries
the hash of the event that adopted the text and the head of the chain at the moment it was
made (seq and hash), so anyone holding a copy can later run
`flask --app wsgi audit verify --record FILE` and detect a rewritten or truncated history.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class StanceEntry:
    """One person's counted stance on the adopted text."""

    person: str
    organisation: str | None
    position: str
    reason: str
    at: datetime
    event_seq: int


@dataclass
class ObjectionEntry:
    """An objection, its reason and every step of how it was settled."""

    objection_id: int
    author: str
    organisation: str | None
    reason: str
    passage: str | None
    raised_at: datetime
    state: str = "open"
    integrated_by_revision: int | None = None
    settlements: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DecisionRecord:
    """Everything a community needs to answer "who agreed to this, and why?"."""

    community: str
    agreement: str
    version: int
    base_version: int
    proposal_id: int
    title: str
    rationale: str
    proposer: str
    proposed_at: datetime
    adopted_at: datetime
    adopted_by: str
    outcome_statement: str
    adopted_text_sha256: str
    diff_summary: str
    changes: list[dict[str, str | None]]
    revisions: list[dict[str, Any]]
    consents: list[StanceEntry]
    stand_asides: list[StanceEntry]
    objections: list[ObjectionEntry]
    concerns: list[dict[str, Any]]
    adoption_event_hash: str
    head_seq: int
    head_hash: str
    generated_at: datetime

    def to_json(self) -> str:
        """The record as indented JSON (dates in ISO 8601, UTC)."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=_iso, sort_keys=True)

    def to_markdown(self) -> str:
        """The record as a Markdown document a person can read, print or archive."""
        lines = [
            f"# Decision record: {self.agreement}, version {self.version}",
            "",
            f"**{self.community}** adopted version {self.version} of *{self.agreement}* on "
            f"{_day(self.adopted_at)} by consent, from proposal #{self.proposal_id} "
            f"\u201c{self.title}\u201d.",
            "",
            *_section("Outcome statement", [_quote(self.outcome_statement or "(none given)")]),
            *_section("Why it was proposed", [_quote(self.rationale or "(no rationale given)")]),
            *_section("Facts", _facts(self)),
            *_section(f"What changed ({self.diff_summary})", _changes(self.changes)),
            *_section("Revisions", [_revision_line(r) for r in self.revisions]),
            *_section("Who consented", [_stance_line(s) for s in self.consents]),
            *_section("Who stood aside", [_stance_line(s) for s in self.stand_asides]),
            *_section("Objections", [line for o in self.objections for line in _objection(o)]),
            *_section("Concerns kept with this decision", [_concern(c) for c in self.concerns]),
            *_section("Verifying this record", _verification(self)),
        ]
        return "\n".join(lines).rstrip() + "\n"


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _section(title: str, body: list[str]) -> list[str]:
    return [f"## {title}", "", *(body or ["None."]), ""]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _facts(record: DecisionRecord) -> list[str]:
    return [
        f"- Proposed by {record.proposer} on {_day(record.proposed_at)}, "
        f"against version {record.base_version}",
        f"- Adopted by {record.adopted_by} on {_day(record.adopted_at)}",
        f"- sha256 of the adopted text: `{record.adopted_text_sha256}`",
    ]


def _changes(changes: list[dict[str, str | None]]) -> list[str]:
    lines: list[str] = []
    for change in changes:
        for sign, text in (("-", change["before"]), ("+", change["after"])):
            if text is not None:
                lines.extend(f"{sign} {line}" for line in text.strip("\n").splitlines())
        lines.append("")
    return ["```diff", *lines[:-1], "```"] if lines else []


def _revision_line(revision: dict[str, Any]) -> str:
    note = f": {revision['note']}" if revision["note"] else ""
    return (
        f"- Revision {revision['number']} by {revision['author']}, {_day(revision['at'])}"
        f"{note} (sha256 `{revision['sha256'][:12]}`)"
    )


def _person(name: str, organisation: str | None) -> str:
    return f"{name} ({organisation})" if organisation else name


def _stance_line(stance: StanceEntry) -> str:
    reason = f": {stance.reason}" if stance.reason else ""
    return f"- {_person(stance.person, stance.organisation)}, {_day(stance.at)}{reason}"


def _objection(objection: ObjectionEntry) -> list[str]:
    lines = [
        f"- **{_person(objection.author, objection.organisation)}** objected on "
        f"{_day(objection.raised_at)}:",
        "",
        _quote(objection.reason),
        "",
    ]
    if objection.integrated_by_revision:
        lines.append(f"  - Integrated by revision {objection.integrated_by_revision}.")
    for step in objection.settlements:
        reason = f": {step['reason']}" if step["reason"] else ""
        role = " (as facilitator)" if step["by_facilitator"] else ""
        lines.append(
            f"  - {step['outcome'].capitalize()} by {step['by']}{role}, {_day(step['at'])}{reason}"
        )
    lines.append(f"  - Final state: {objection.state}.")
    return [*lines, ""]


def _concern(concern: dict[str, Any]) -> str:
    origin = " (reclassified objection)" if concern["from_objection"] else ""
    return f"- {concern['author']}{origin}: {concern['text']}"


def _verification(record: DecisionRecord) -> list[str]:
    return [
        f"- Event that adopted this version: `{record.adoption_event_hash}`",
        f"- Head of the audit chain when this record was made (event {record.head_seq}, "
        f"{_day(record.generated_at)}): `{record.head_hash}`",
        "",
        "Keep this file. Anyone can check that the history it was made from is still",
        "complete and untouched (not cut short, not rewritten and re-hashed):",
        "",
        "    flask --app wsgi audit verify --record THIS-FILE",
    ]


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
