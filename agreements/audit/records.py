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
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from ..wording import _

# Says a marked text in the reader's language (agreements.saying.say); `str` keeps English.
Say = Callable[[str], str]


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
class TranslationEntry:
    """A confirmed translation made from the adopted version: its language (BCP 47), the
    sha256 of its text and when a facilitator confirmed it."""

    language: str
    text_sha256: str
    confirmed_at: datetime | None


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
    translations: list[TranslationEntry]
    adoption_event_hash: str
    head_seq: int
    head_hash: str
    generated_at: datetime

    def to_json(self) -> str:
        """The record as indented JSON (dates in ISO 8601, UTC)."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False, default=_iso, sort_keys=True)

    def to_markdown(self, say: Say = str) -> str:
        """The record as a Markdown document a person can read, print or archive, its words
        said by `say` (the reader's language; English unless given). Dates stay in UTC and
        ISO order, the same in every language, and a line that no renderer shows carries the
        chain head for `audit verify --record`, whatever language the rest is in."""
        lines = [
            "# " + say(_("Decision record: %(agreement)s, version %(version)s",
                         agreement=self.agreement, version=self.version)),
            "",
            say(_("**%(community)s** adopted version %(version)s of *%(agreement)s* on %(day)s "
                  "by consent, from proposal #%(proposal)s \u201c%(title)s\u201d.",
                  community=self.community, version=self.version, agreement=self.agreement,
                  day=_day(self.adopted_at), proposal=self.proposal_id, title=self.title)),
            "",
            *_section(say, _("Outcome statement"),
                      [_quote(self.outcome_statement or say(_("(none given)")))]),
            *_section(say, _("Why it was proposed"),
                      [_quote(self.rationale or say(_("(no rationale given)")))]),
            *_section(say, _("Facts"), _facts(self, say)),
            *_section(say, _("What changed (%(summary)s)", summary=self.diff_summary),
                      _changes(self.changes)),
            *_section(say, _("Revisions"), [_revision_line(r, say) for r in self.revisions]),
            *_section(say, _("Who consented"), [_stance_line(s) for s in self.consents]),
            *_section(say, _("Who stood aside"), [_stance_line(s) for s in self.stand_asides]),
            *_section(say, _("Objections"),
                      [line for o in self.objections for line in _objection(o, say)]),
            *_section(say, _("Concerns kept with this decision"),
                      [_concern(c, say) for c in self.concerns]),
            *_section(say, _("Translations of this version"),
                      [_translation(t, say) for t in self.translations]),
            *_section(say, _("Verifying this record"), _verification(self, say)),
        ]  # fmt: skip
        return "\n".join(lines).rstrip() + "\n"


def _day(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _section(say: Say, title: str, body: list[str]) -> list[str]:
    return [f"## {say(title)}", "", *(body or [say(_("None."))]), ""]


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _facts(record: DecisionRecord, say: Say) -> list[str]:
    return [
        "- " + say(_("Proposed by %(person)s on %(day)s, against version %(version)s",
                     person=record.proposer, day=_day(record.proposed_at),
                     version=record.base_version)),
        "- " + say(_("Adopted by %(person)s on %(day)s", person=record.adopted_by,
                     day=_day(record.adopted_at))),
        "- " + say(_("sha256 of the adopted text: `%(hash)s`", hash=record.adopted_text_sha256)),
    ]  # fmt: skip


def _changes(changes: list[dict[str, str | None]]) -> list[str]:
    lines: list[str] = []
    for change in changes:
        for sign, text in (("-", change["before"]), ("+", change["after"])):
            if text is not None:
                lines.extend(f"{sign} {line}" for line in text.strip("\n").splitlines())
        lines.append("")
    return ["```diff", *lines[:-1], "```"] if lines else []


def _translation(translation: TranslationEntry, say: Say) -> str:
    told = {"language": translation.language, "hash": translation.text_sha256[:12]}
    if translation.confirmed_at is None:
        return "- " + say(_("`%(language)s` (sha256 `%(hash)s`)", **told))
    day = _day(translation.confirmed_at)
    return "- " + say(_("`%(language)s` (sha256 `%(hash)s`), confirmed %(day)s", day=day, **told))


def _revision_line(revision: dict[str, Any], say: Say) -> str:
    told = {"number": revision["number"], "author": revision["author"],
            "day": _day(revision["at"]), "hash": revision["sha256"][:12]}  # fmt: skip
    if revision["note"]:
        said = _("Revision %(number)s by %(author)s, %(day)s: %(note)s (sha256 `%(hash)s`)",
                 note=revision["note"], **told)  # fmt: skip
    else:
        said = _("Revision %(number)s by %(author)s, %(day)s (sha256 `%(hash)s`)", **told)
    return "- " + say(said)


def _person(name: str, organisation: str | None) -> str:
    return f"{name} ({organisation})" if organisation else name


def _stance_line(stance: StanceEntry) -> str:
    reason = f": {stance.reason}" if stance.reason else ""
    return f"- {_person(stance.person, stance.organisation)}, {_day(stance.at)}{reason}"


def _objection(objection: ObjectionEntry, say: Say) -> list[str]:
    author = _person(objection.author, objection.organisation)
    lines = [
        "- " + say(_("**%(person)s** objected on %(day)s:", person=author,
                     day=_day(objection.raised_at))),
        "",
        _quote(objection.reason),
        "",
    ]  # fmt: skip
    if objection.integrated_by_revision:
        said = _("Integrated by revision %(number)s.", number=objection.integrated_by_revision)
        lines.append("  - " + say(said))
    for step in objection.settlements:
        lines.append("  - " + say(_settlement(step, say)))
    lines.append("  - " + say(_("Final state: `%(state)s`.", state=objection.state)))
    return [*lines, ""]


def _settlement(step: dict[str, Any], say: Say) -> str:
    outcome = say(step["outcome"])
    told = {"outcome": outcome[:1].upper() + outcome[1:], "person": step["by"],
            "day": _day(step["at"])}  # fmt: skip
    if step["by_facilitator"]:
        said = _("%(outcome)s by %(person)s (as facilitator), %(day)s", **told)
    else:
        said = _("%(outcome)s by %(person)s, %(day)s", **told)
    if step["reason"]:
        return _("%(settled)s: %(reason)s", settled=said, reason=step["reason"])
    return said


def _concern(concern: dict[str, Any], say: Say) -> str:
    if concern["from_objection"]:
        said = _("%(person)s (reclassified objection): %(text)s", person=concern["author"],
                 text=concern["text"])  # fmt: skip
    else:
        said = _("%(person)s: %(text)s", person=concern["author"], text=concern["text"])
    return "- " + say(said)


def _verification(record: DecisionRecord, say: Say) -> list[str]:
    head = _("Head of the audit chain when this record was made (event %(seq)s, %(day)s): "
             "`%(hash)s`", seq=record.head_seq, day=_day(record.generated_at),
             hash=record.head_hash)  # fmt: skip
    return [
        "- " + say(_("Event that adopted this version: `%(hash)s`",
                     hash=record.adoption_event_hash)),
        "- " + say(head),
        "",
        say(_("Keep this file. Anyone can check that the history it was made from is still "
              "complete and untouched (not cut short, not rewritten and re-hashed):")),
        "",
        "    flask --app wsgi audit verify --record THIS-FILE",
        "",
        f'<!-- <accord:chain-head seq="{record.head_seq}" hash="{record.head_hash}"/> -->',
    ]  # fmt: skip


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
