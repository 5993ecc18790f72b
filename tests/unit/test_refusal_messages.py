"""The sentences people read when Accord refuses or describes a move, and the words in them.

People read these refusals on the page and in the API, so their wording is the contract:
plurals, the list of roles that may act, moves the protocol does not know at all, and what
to do next. They also keep to everyday words: jargon (rebase, reclassify, overrule, lapse,
"invalid input", snake_case names) may stand only in brackets or after "In sociocracy:",
beside the plain words, never instead of them. The checks read the protocols, every
refusal the engine can give, every message a service or view raises, and the visible text
of every template, so jargon cannot come back unnoticed.
"""

from __future__ import annotations

import ast
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from agreements import errors
from agreements.audit import sentences
from tests.conftest import REPO_ROOT
from workflows import CONSENT, Facts, Flow
from workflows.engine import GUARDS, NEXT_STEPS
from workflows.protocols import OBJECTION_LIFECYCLE, PROTOCOLS

JARGON = re.compile(
    r"\b(rebas\w*|reclassif\w*|overrul\w*|lapse[sd]?|invalid input|system)\b|\b[a-z]+_[a-z_]+\b",
    re.IGNORECASE,
)
ALL_PROTOCOLS = (*PROTOCOLS.values(), OBJECTION_LIFECYCLE)
ROLES = ("proposer", "facilitator", "participant", "objector", "system")
ERROR_NAMES = {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.DomainError)
}
MESSAGE_SOURCES = (
    "agreements/services",
    "agreements/web",
    "agreements/auth",
    "agreements/access.py",
)


def jargon_in(text: str) -> list[str]:
    """The jargon in `text`, leaving out what stands beside the plain words."""
    text = re.sub(r"\([^)]*\)", " ", text)  # "(in version control: a rebase)"
    text = re.sub(r"In sociocracy:[^.]*\.", " ", text)
    return [match.group(0) for match in JARGON.finditer(text)]


@dataclass
class Row:
    state: str


@pytest.mark.parametrize(
    ("objecting", "sentence"),
    [(1, "Cannot adopt: 1 participant objects. "), (2, "Cannot adopt: 2 participants object. ")],
)
def test_objecting_stances_are_counted_in_words(objecting: int, sentence: str) -> None:
    facts = Facts(objecting_stances=objecting, quorum_met=True)
    refusal = Flow(Row("consent"), CONSENT, facts).refusal("adopt", {"facilitator"})
    assert refusal == sentence + NEXT_STEPS["no_objecting_stances"]


def test_a_move_names_every_role_that_may_make_it() -> None:
    refusal = Flow(Row("consent"), CONSENT).refusal("lapse", {"participant"})
    assert refusal == (
        "Cannot close without a decision: only the facilitator may do that "
        "(Accord does it itself when the deadline passes)"
    )


def test_an_unknown_move_is_refused_in_words() -> None:
    refusal = Flow(Row("draft"), CONSENT).refusal("open_the_gates", {"facilitator"})
    assert refusal == "Cannot open the gates now: the proposal is at the \u201cDraft\u201d stage"


def test_every_guard_says_what_to_do_next() -> None:
    assert set(NEXT_STEPS) == set(GUARDS)
    refusal = Flow(Row("objection"), CONSENT, Facts(open_objections=1)).refusal(
        "open_consent_round", {"facilitator"}
    )
    assert refusal == (
        "Cannot open the consent round: 1 objection is still open. "
        + NEXT_STEPS["no_open_objections"]
    )


@pytest.mark.parametrize("protocol", ALL_PROTOCOLS, ids=lambda p: p.name)
def test_protocol_words_are_plain(protocol) -> None:
    words = [protocol.title, protocol.description]
    words += [text for state in protocol.states for text in (state.label, state.waiting_for)]
    words += [transition.label for transition in protocol.transitions]
    assert [(text, jargon_in(text)) for text in words if jargon_in(text)] == []


@pytest.mark.parametrize("protocol", ALL_PROTOCOLS, ids=lambda p: p.name)
def test_every_refusal_the_engine_gives_is_plain(protocol) -> None:
    """Every move from every state, by every role, with every guard failing or not."""
    failing = Facts(
        open_objections=2, objecting_stances=1, quorum_met=False, quorum_detail="1 of 4"
    )
    passing = Facts(quorum_met=True, deadline_passed=True)
    triggers = {t.trigger for t in protocol.transitions}
    refusals = {
        refusal
        for state, trigger, role, facts in itertools.product(
            protocol.states, triggers, ROLES, (failing, passing)
        )
        if (refusal := Flow(Row(state.name), protocol, facts).refusal(trigger, {role}))
    }
    assert refusals
    assert [(text, jargon_in(text)) for text in refusals if jargon_in(text)] == []


def raised_messages(path: Path) -> list[tuple[int, str]]:
    """The literal text of each domain error raised in `path` (its first argument)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and node.args):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", ""))
        if name not in ERROR_NAMES:
            continue
        message = node.args[0]
        parts = message.values if isinstance(message, ast.JoinedStr) else [message]
        text = "".join(
            part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else " "
            for part in parts
        )
        found.append((node.lineno, text))
    return found


def test_refusals_raised_by_services_and_views_are_plain() -> None:
    files = [
        file
        for source in MESSAGE_SOURCES
        for file in (sorted((REPO_ROOT / source).rglob("*.py")) or [REPO_ROOT / source])
    ]
    messages = [
        (f"{file.name}:{line}", text) for file in files for line, text in raised_messages(file)
    ]
    assert len(messages) > 50  # the scan finds the refusals
    assert [(where, text) for where, text in messages if jargon_in(text)] == []


def visible_text(template: str) -> str:
    """What a template shows people: its text outside Jinja and HTML tags."""
    for pattern in (r"\{#.*?#\}", r"\{%.*?%\}", r"\{\{.*?\}\}", r"<script.*?</script>", r"<[^>]*>"):
        template = re.sub(pattern, " ", template, flags=re.DOTALL)
    return template


def test_history_sentences_and_filters_are_plain() -> None:
    """The history's filter labels (its sentences are checked in test_event_sentences)."""
    assert [label for label in sentences.LABELS.values() if jargon_in(label)] == []


def test_templates_speak_plainly() -> None:
    """The API reference page is for developers and names parameters as the API spells them."""
    templates = [
        path
        for path in sorted((REPO_ROOT / "templates").rglob("*.html"))
        if path.parent.name != "api"
    ]
    found = [
        (path.relative_to(REPO_ROOT).as_posix(), words)
        for path in templates
        if (words := jargon_in(visible_text(path.read_text(encoding="utf-8"))))
    ]
    assert found == []
