"""The engine that runs a protocol: a transitions Machine on a small flow object.

transitions cannot be bound to a SQLModel row (pydantic refuses the attributes it adds), so
`Flow` wraps any object with a `state` attribute (a Proposal or an Objection row)
and exposes it to the Machine via
`model_attribute`. Before a trigger fires, the engine checks the actor's roles and each
guard itself, so a refusal is a sentence, never a bare False or a MachineError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from typing import Protocol as TypingProtocol

from transitions import Machine
from transitions.extensions import GraphMachine

from .protocols import Protocol, Transition


class Refusal(Exception):
    """A move the protocol does not allow now; the message is for people."""


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


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _no_open_objections(facts: Facts) -> str | None:
    if facts.open_objections:
        verb = "is" if facts.open_objections == 1 else "are"
        return f"{_plural(facts.open_objections, 'objection', 'objections')} {verb} still open"
    return None


def _no_objecting_stances(facts: Facts) -> str | None:
    if facts.objecting_stances:
        return f"{_plural(facts.objecting_stances, 'participant objects', 'participants object')}"
    return None


def _quorum_met(facts: Facts) -> str | None:
    return None if facts.quorum_met else f"quorum is not met ({facts.quorum_detail})"


def _quorum_not_met(facts: Facts) -> str | None:
    return f"quorum is met ({facts.quorum_detail}); adopt it instead" if facts.quorum_met else None


def _deadline_passed(facts: Facts) -> str | None:
    return None if facts.deadline_passed else f"the deadline has not passed ({facts.deadline_text})"


GUARDS: dict[str, Callable[[Facts], str | None]] = {
    "no_open_objections": _no_open_objections,
    "no_objecting_stances": _no_objecting_stances,
    "quorum_met": _quorum_met,
    "quorum_not_met": _quorum_not_met,
    "deadline_passed": _deadline_passed,
}

# What a person can do about each failing guard: a refusal says what to do next.
NEXT_STEPS: dict[str, str] = {
    "no_open_objections": (
        "Settle each open objection first: the proposer revises the text and the objector "
        "confirms it is resolved, or the objection is withdrawn"
    ),
    "no_objecting_stances": (
        "Each objection is worked through in the objection round before consent is asked again"
    ),
    "quorum_met": (
        "Wait for more people to answer, or close the round without a decision if it cannot "
        "reach quorum"
    ),
    "quorum_not_met": "",
    "deadline_passed": "It is adopted automatically then, unless an objection is open",
}

# Who may make a move, as a refusal names them.
ROLE_NAMES: dict[str, str] = {
    "facilitator": "the facilitator",
    "proposer": "the proposer",
    "participant": "the participants of the round",
    "objector": "the objector",
}


def _who_may(roles: frozenset[str]) -> str:
    """`roles` in words; the scheduler (the "system" role) is Accord acting at a deadline."""
    people = " or ".join(sorted(ROLE_NAMES.get(role, role) for role in roles if role != "system"))
    at_deadline = " (Accord does it itself when the deadline passes)" if "system" in roles else ""
    return f"only {people} may do that{at_deadline}"


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

    def __init__(self, row: StatefulRow, protocol: Protocol, facts: Facts | None = None):
        self.row = row
        self.protocol = protocol
        self.facts = facts or Facts()
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
        self.row.state = value

    def transition(self, trigger: str) -> Transition | None:
        """The protocol's transition for `trigger` from the current state, if any."""
        for candidate in self.protocol.transitions:
            if candidate.trigger == trigger and self.row.state in candidate.sources:
                return candidate
        return None

    def check(self, trigger: str, roles: Iterable[str]) -> Refusal | None:
        """The refusal `trigger` would meet for someone with `roles`, or None if allowed."""
        move = self.transition(trigger)
        label = _describe(self.protocol, trigger)
        stage = self.protocol.state(self.row.state).label
        if move is None:
            subject = self.protocol.subject
            return Refusal(f"Cannot {label} now: the {subject} is at the \u201c{stage}\u201d stage")
        if not move.roles & set(roles):
            return NotYourMove(f"Cannot {label}: {_who_may(move.roles)}")
        failing = [
            (guard, reason) for guard in move.guards if (reason := GUARDS[guard](self.facts))
        ]
        if failing:
            reasons = "; ".join(reason for _guard, reason in failing)
            steps = ". ".join(step for guard, _r in failing if (step := NEXT_STEPS[guard]))
            return Refusal(f"Cannot {label}: {reasons}" + (f". {steps}" if steps else ""))
        return None

    def refusal(self, trigger: str, roles: Iterable[str]) -> str | None:
        """Why `trigger` is not possible for someone with `roles`, or None if it is."""
        refused = self.check(trigger, roles)
        return str(refused) if refused else None

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
