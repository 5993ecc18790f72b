"""The engine that runs a protocol: a transitions Machine on a small flow object.

transitions cannot be bound to a SQLModel row (pydantic refuses the attributes it adds), so
`Flow` wraps any object with a `state` attribute (a Proposal or an Objection row)
and exposes it to the Machine via
`model_attribute`. Before a trigger fires, the engine checks the actor's roles and each
guard itself, so a refusal is a sentence, never a bare False or a MachineError.

Refusals are built by `Flow.words` from texts marked with `N_`: plain English by default;
the services pass `agreements.wording.Wording`, so the same sentence can be said in the
reader's language where it is shown (see `Words`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from typing import Protocol as TypingProtocol

from transitions import Machine
from transitions.extensions import GraphMachine

from .protocols import N_, Protocol, Transition, n_


class Words(TypingProtocol):
    """How the engine builds a sentence from a marked English text and its named parameters.

    The default (`english`) gives plain English. The service layer passes
    `agreements.wording.Wording`, which is the same English string but remembers the message
    and its parameters, so a page or the API can say the refusal in the reader's language
    (workflows may not import agreements, hence this seam).
    """

    def __call__(
        self,
        msgid: str,
        params: Mapping[str, Any] | None = None,
        /,
        *,
        plural: str | None = None,
        count: int | None = None,
    ) -> str: ...


def english(
    msgid: str,
    params: Mapping[str, Any] | None = None,
    /,
    *,
    plural: str | None = None,
    count: int | None = None,
) -> str:
    """The sentence in English: the plural form unless `count` is 1, parameters filled in."""
    text = plural if plural is not None and count != 1 else msgid
    return text % dict(params) if params else text


class Refusal(Exception):
    """A move the protocol does not allow now; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message  # as built (a Wording keeps its translation; str() would not)


class NotYourMove(Refusal):
    """A move the protocol allows now, but not to someone in the actor's roles."""


@dataclass(frozen=True)
class Facts:
    """What the guards may look at, gathered by the service layer from the database."""

    open_objections: int = 0
    objecting_stances: int = 0
    quorum_met: bool = False
    quorum_detail: str = ""
    deadline_passed: bool = False
    deadline_text: str = ""


def _counted(forms: tuple[str, str], count: int, words: Words) -> str:
    """The form of a `n_` pair that `count` needs, with the count as `num`."""
    singular, plural = forms
    return words(singular, {"num": count}, plural=plural, count=count)


def _no_open_objections(facts: Facts, words: Words) -> str | None:
    if facts.open_objections:
        return _counted(
            n_("%(num)s objection is still open", "%(num)s objections are still open"),
            facts.open_objections,
            words,
        )
    return None


def _no_objecting_stances(facts: Facts, words: Words) -> str | None:
    if facts.objecting_stances:
        return _counted(
            n_("%(num)s participant objects", "%(num)s participants object"),
            facts.objecting_stances,
            words,
        )
    return None


def _quorum_met(facts: Facts, words: Words) -> str | None:
    if facts.quorum_met:
        return None
    return words(N_("quorum is not met (%(detail)s)"), {"detail": facts.quorum_detail})


def _quorum_not_met(facts: Facts, words: Words) -> str | None:
    if not facts.quorum_met:
        return None
    return words(
        N_("quorum is met (%(detail)s); adopt it instead"), {"detail": facts.quorum_detail}
    )


def _deadline_passed(facts: Facts, words: Words) -> str | None:
    if facts.deadline_passed:
        return None
    return words(
        N_("the deadline has not passed (%(deadline)s)"), {"deadline": facts.deadline_text}
    )


GUARDS: dict[str, Callable[[Facts, Words], str | None]] = {
    "no_open_objections": _no_open_objections,
    "no_objecting_stances": _no_objecting_stances,
    "quorum_met": _quorum_met,
    "quorum_not_met": _quorum_not_met,
    "deadline_passed": _deadline_passed,
}

# What a person can do about each failing guard: a refusal says what to do next.
NEXT_STEPS: dict[str, str] = {
    "no_open_objections": N_(
        "Settle each open objection first: the proposer revises the text and the objector "
        "confirms it is resolved, or the objection is withdrawn"
    ),
    "no_objecting_stances": N_(
        "Each objection is worked through in the objection round before consent is asked again"
    ),
    "quorum_met": N_(
        "Wait for more people to answer, or close the round without a decision if it cannot "
        "reach quorum"
    ),
    "quorum_not_met": "",
    "deadline_passed": N_("It is adopted automatically then, unless an objection is open"),
}

# Who may make a move, as a refusal names them.
ROLE_NAMES: dict[str, str] = {
    "facilitator": N_("the facilitator"),
    "proposer": N_("the proposer"),
    "participant": N_("the participants of the round"),
    "objector": N_("the objector"),
}

# Each move as a refusal names it: its label, lower-cased ("Cannot open comments now").
# Listed so that `pybabel extract` finds them; tests/unit/test_protocols.py checks the list
# covers every transition of every protocol.
MOVE_NAMES = (
    N_("submit"),
    N_("open comments"),
    N_("open the objection round"),
    N_("open the objection period"),
    N_("open the consent round"),
    N_("adopt"),
    N_("object"),
    N_("close without a decision"),
    N_("withdraw"),
    N_("reject"),
    N_("integrate"),
    N_("confirm it is resolved"),
    N_("keep it open"),
    N_("decide it is not paramount"),
    N_("move it to the discussion as a concern"),
)

# Why a move is not possible from this state, by what the protocol decides on.
AT_STAGE: dict[str, str] = {
    "proposal": N_("Cannot %(move)s now: the proposal is at the \u201c%(stage)s\u201d stage"),
    "objection": N_("Cannot %(move)s now: the objection is at the \u201c%(stage)s\u201d stage"),
    "translation": N_("Cannot %(move)s now: the translation is at the \u201c%(stage)s\u201d stage"),
}


def _who_may(roles: frozenset[str], words: Words) -> str:
    """`roles` in words; the scheduler (the "system" role) is Accord acting at a deadline."""
    people = _either(
        [words(ROLE_NAMES.get(role, role)) for role in sorted(roles) if role != "system"], words
    )
    if "system" in roles:
        return words(
            N_("only %(people)s may do that (Accord does it itself when the deadline passes)"),
            {"people": people},
        )
    return words(N_("only %(people)s may do that"), {"people": people})


def _either(names: list[str], words: Words) -> str:
    """The names joined with "or", each said in the reader's language."""
    if len(names) <= 1:
        return names[0] if names else ""
    return words(
        N_("%(first)s or %(second)s"), {"first": names[0], "second": _either(names[1:], words)}
    )


def _joined(parts: list[str], pattern: str, words: Words) -> str:
    """`parts` joined two by two with `pattern` ("%(first)s; %(second)s"), kept translatable."""
    if len(parts) == 1:
        return parts[0]
    return words(pattern, {"first": parts[0], "second": _joined(parts[1:], pattern, words)})


class StatefulRow(TypingProtocol):
    """Anything with a `state` string: a Proposal or Objection row, or a plain object."""

    state: str


@dataclass(frozen=True)
class Move:
    """A transition as one actor sees it now: allowed, or refused with the reason."""

    transition: Transition
    refusal: str | None

    @property
    def is_allowed(self) -> bool:
        """Whether the actor may make this move now."""
        return self.refusal is None


class Flow:
    """A protocol's state machine around one row (a proposal, or an objection)."""

    def __init__(
        self,
        row: StatefulRow,
        protocol: Protocol,
        facts: Facts | None = None,
        words: Words = english,
    ):
        self.row = row
        self.protocol = protocol
        self.facts = facts or Facts()
        self.words = words  # how refusals are worded (see Words)
        self.machine = Machine(
            model=self,
            states=[state.name for state in protocol.states],
            transitions=[_as_machine_transition(t) for t in protocol.transitions],
            initial=row.state,
            model_attribute="machine_state",
            auto_transitions=False,
            send_event=False,
        )

    @property
    def machine_state(self) -> str:
        """The row's state, read and written by the Machine."""
        return self.row.state

    @machine_state.setter
    def machine_state(self, value: str) -> None:
        if self.row.state != value:  # the Machine also sets its initial state: no change, so
            self.row.state = value  # reading a row's moves never marks the row as changed

    def transition(self, trigger: str) -> Transition | None:
        """The protocol's transition for `trigger` from the current state, if any."""
        for candidate in self.protocol.transitions:
            if candidate.trigger == trigger and self.row.state in candidate.sources:
                return candidate
        return None

    def check(self, trigger: str, roles: Iterable[str]) -> Refusal | None:
        """The refusal `trigger` would meet for someone with `roles`, or None if allowed."""
        words = self.words
        move = self.transition(trigger)
        label = words(_describe(self.protocol, trigger))
        if move is None:
            stage = words(self.protocol.state(self.row.state).label)
            at_stage = AT_STAGE[self.protocol.subject]
            return Refusal(words(at_stage, {"move": label, "stage": stage}))
        if not move.roles & set(roles):
            who = _who_may(move.roles, words)
            return NotYourMove(
                words(N_("Cannot %(move)s: %(reason)s"), {"move": label, "reason": who})
            )
        failing = [
            (guard, reason) for guard in move.guards if (reason := GUARDS[guard](self.facts, words))
        ]
        if not failing:
            return None
        reasons = _joined(
            [reason for _guard, reason in failing], N_("%(first)s; %(second)s"), words
        )
        steps = [words(step) for guard, _r in failing if (step := NEXT_STEPS[guard])]
        if not steps:
            return Refusal(
                words(N_("Cannot %(move)s: %(reasons)s"), {"move": label, "reasons": reasons})
            )
        return Refusal(
            words(
                N_("Cannot %(move)s: %(reasons)s. %(steps)s"),
                {
                    "move": label,
                    "reasons": reasons,
                    "steps": _joined(steps, N_("%(first)s. %(second)s"), words),
                },
            )
        )

    def refusal(self, trigger: str, roles: Iterable[str]) -> str | None:
        """Why `trigger` is not possible for someone with `roles`, or None if it is."""
        refused = self.check(trigger, roles)
        return refused.message if refused else None

    def fire(self, trigger: str, roles: Iterable[str], **kwargs: Any) -> Transition:
        """Make the move, or raise Refusal with the reason a person understands."""
        refused = self.check(trigger, roles)
        if refused:
            raise refused
        move = self.transition(trigger)
        assert move is not None  # refusal() returned None, so the move exists
        getattr(self, trigger)(**kwargs)
        return move

    def moves(self, roles: Iterable[str]) -> list[Move]:
        """Every move out of the current state, each allowed or refused for these roles."""
        roles = set(roles)
        return [
            Move(t, self.refusal(t.trigger, roles))
            for t in self.protocol.transitions
            if self.row.state in t.sources
        ]


def _as_machine_transition(transition: Transition) -> dict[str, Any]:
    return {
        "trigger": transition.trigger,
        "source": list(transition.sources),
        "dest": transition.dest,
    }


def _describe(protocol: Protocol, trigger: str) -> str:
    for transition in protocol.transitions:
        if transition.trigger == trigger:
            return transition.label[0].lower() + transition.label[1:]
    return trigger.replace("_", " ")


def mermaid_diagram(protocol: Protocol, current: str | None = None) -> str:
    """A Mermaid state diagram of the protocol, drawn by transitions from the same data, with
    `current` (a proposal's stage) marked as the active state.

    The machine starts in `current`: transitions draws its graph when the machine is made,
    so a state set afterwards would never be marked."""

    class _Model:
        pass

    model = _Model()
    GraphMachine(  # attaches get_graph to the model
        model=model,
        states=[state.name for state in protocol.states],
        transitions=[_as_machine_transition(t) for t in protocol.transitions],
        initial=current or protocol.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        title=protocol.title,
    )
    return model.get_graph().draw(None)  # type: ignore[attr-defined]
