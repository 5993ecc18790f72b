"""Decision protocols declared as data: states, transitions, who may trigger each, guards.

Nothing here knows about Flask or the database. A protocol names its guards; the engine
(workflows/engine.py) evaluates them against the facts the service layer gathers, and a
failing guard gives the sentence a person reads ("2 objections are still open").
Every text a person reads is marked with `N_` (see below) and translated where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROPOSER = "proposer"
FACILITATOR = "facilitator"
PARTICIPANT = "participant"
SYSTEM = "system"  # deadlines, run by the scheduler command
OBJECTOR = "objector"


def N_(text: str) -> str:
    """Mark a text people read for translation, and return it unchanged.

    workflows may not import agreements (it knows no request and no reader), so its labels,
    "what happens next" texts, titles and refusals stay English here: `pybabel extract` finds
    them by this name (one of its default keywords), and the layer that shows them says them
    in the reader's language (`_(state.label)` in a template, `Wording` in the services).
    """
    return text


def n_(singular: str, plural: str) -> tuple[str, str]:
    """Mark the two forms of a text that depends on a count, and return them unchanged.

    As `N_`, for the engine's refusals ("1 objection is still open"): `pybabel extract` reads
    it as a plural pair (the Makefile's `-k n_:1,2`, shared with `agreements.wording.n_`).
    """
    return singular, plural


@dataclass(frozen=True)
class State:
    """A proposal state; `waiting_for` tells a reader what happens next."""

    name: str
    label: str
    waiting_for: str
    is_final: bool = False
    round_kind: str | None = None  # the kind of round that is open while in this state


@dataclass(frozen=True)
class Transition:
    """A move between states, who may make it, and the guards that must hold."""

    trigger: str
    sources: tuple[str, ...]
    dest: str
    roles: frozenset[str]
    label: str
    guards: tuple[str, ...] = ()
    needs_reason: bool = False


@dataclass(frozen=True)
class Protocol:
    """A whole decision protocol; communities choose one by `name` in their settings."""

    name: str
    title: str
    description: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    stance_positions: tuple[str, ...] = field(default=("consent", "stand_aside", "object"))
    subject: str = "proposal"
    objection_states: tuple[str, ...] = ("comment", "objection", "consent")
    # Whether a clean rebase onto a newer version needs consent again before adoption.
    # Consent does not: every passage the merge changes was consented to, here or earlier.
    reconsent_after_rebase: bool = False

    def state(self, name: str) -> State:
        """The State called `name` (KeyError for a state this protocol does not have)."""
        return {state.name: state for state in self.states}[name]

    @property
    def open_states(self) -> tuple[str, ...]:
        """States in which a proposal is still being decided."""
        return tuple(state.name for state in self.states if not state.is_final)


_FINAL = (
    State("adopted", N_("Adopted"), N_("Adopted: this text is now part of the agreement."), True),
    State("withdrawn", N_("Withdrawn"), N_("Withdrawn by the proposer."), True),
    State("rejected", N_("Rejected"), N_("Rejected by a facilitator."), True),
)


def _closing_moves(open_states: tuple[str, ...]) -> tuple[Transition, ...]:
    """Withdraw and reject, which every protocol offers from every open state."""
    return (
        Transition("withdraw", open_states, "withdrawn", frozenset({PROPOSER}), N_("Withdraw")),
        Transition(
            "reject",
            open_states,
            "rejected",
            frozenset({FACILITATOR}),
            N_("Reject"),
            needs_reason=True,
        ),
    )


_CONSENT_OPEN = ("draft", "proposed", "comment", "objection", "consent")

CONSENT = Protocol(
    name="consent",
    title=N_("Consent (sociocratic)"),
    description=(
        N_(
            "A proposal is discussed, objections are raised and integrated, then every "
            "participant consents, stands aside or objects. Any objection stops adoption until "
            "it is resolved."
        )
    ),
    initial="draft",
    states=(
        State("draft", N_("Draft"), N_("Waiting for the proposer to submit it.")),
        State("proposed", N_("Proposed"), N_("Waiting for a facilitator to open comments.")),
        State(
            "comment",
            N_("Comments open"),
            N_("Waiting for a facilitator to open the objection round."),
        ),
        State(
            "objection",
            N_("Objection round"),
            N_("Waiting for a facilitator to open the consent round."),
            round_kind="objection",
        ),
        State(
            "consent",
            N_("Consent round"),
            N_(
                "Waiting for participants to give their consent, "
                "then for a facilitator to adopt it."
            ),
            round_kind="consent",
        ),
        State(
            "lapsed",
            N_("Closed without a decision"),
            N_("Closed without a decision: too few people answered the consent round (quorum)."),
            True,
        ),
        *_FINAL,
    ),
    transitions=(
        Transition("submit", ("draft",), "proposed", frozenset({PROPOSER}), N_("Submit")),
        Transition(
            "open_comments", ("proposed",), "comment", frozenset({FACILITATOR}), N_("Open comments")
        ),
        Transition(
            "open_objection_round",
            ("comment",),
            "objection",
            frozenset({FACILITATOR}),
            N_("Open the objection round"),
        ),
        Transition(
            "open_consent_round",
            ("objection",),
            "consent",
            frozenset({FACILITATOR}),
            N_("Open the consent round"),
            guards=("no_open_objections",),
        ),
        Transition(
            "adopt",
            ("consent",),
            "adopted",
            frozenset({FACILITATOR}),
            N_("Adopt"),
            guards=("no_open_objections", "no_objecting_stances", "quorum_met"),
        ),
        Transition("object", ("consent",), "objection", frozenset({PARTICIPANT}), N_("Object")),
        Transition(
            "lapse",
            ("consent",),
            "lapsed",
            frozenset({FACILITATOR, SYSTEM}),
            N_("Close without a decision"),
            guards=("quorum_not_met",),
            needs_reason=True,
        ),
        *_closing_moves(_CONSENT_OPEN),
    ),
)

_LAZY_OPEN = ("draft", "proposed", "objection")

LAZY_CONSENSUS = Protocol(
    name="lazy_consensus",
    title=N_("Lazy consensus"),
    description=(
        N_(
            "A proposal is announced with a deadline. If nobody objects before the deadline "
            "passes, it is adopted automatically; an objection stops it until it is settled."
        )
    ),
    initial="draft",
    states=(
        State("draft", N_("Draft"), N_("Waiting for the proposer to submit it.")),
        State(
            "proposed",
            N_("Proposed"),
            N_("Waiting for a facilitator to open the objection period."),
        ),
        State(
            "objection",
            N_("Objection period"),
            N_("Adopted automatically when the deadline passes with no open objection."),
            round_kind="objection",
        ),
        *_FINAL,
    ),
    transitions=(
        Transition("submit", ("draft",), "proposed", frozenset({PROPOSER}), N_("Submit")),
        Transition(
            "open_objection_round",
            ("proposed",),
            "objection",
            frozenset({FACILITATOR}),
            N_("Open the objection period"),
        ),
        Transition(
            "adopt",
            ("objection",),
            "adopted",
            frozenset({FACILITATOR, SYSTEM}),
            N_("Adopt"),
            guards=("deadline_passed", "no_open_objections"),
        ),
        *_closing_moves(_LAZY_OPEN),
    ),
    stance_positions=(),
    objection_states=("objection",),
)

_UNSETTLED = ("open", "integrating")

OBJECTION_LIFECYCLE = Protocol(
    name="objection",
    title=N_("Objection lifecycle"),
    description=(
        N_(
            "An objection blocks until it is resolved, withdrawn, decided not paramount "
            "(overruled) or moved to the discussion as a concern (reclassified). The proposer "
            "integrates it in a revision; the objector confirms or reopens."
        )
    ),
    initial="open",
    states=(
        State(
            "open", N_("Open"), N_("Waiting for the proposer to integrate it in a new revision.")
        ),
        State("integrating", N_("Being integrated"), N_("Waiting for the objector to confirm.")),
        State(
            "resolved", N_("Resolved"), N_("The objector confirmed the new text resolves it."), True
        ),
        State("withdrawn", N_("Withdrawn"), N_("Withdrawn by the objector."), True),
        State(
            "overruled", N_("Not paramount"), N_("A facilitator decided it is not paramount."), True
        ),
        State("reclassified", N_("Now a concern"), N_("Kept as a non-blocking concern."), True),
    ),
    transitions=(
        Transition("integrate", ("open",), "integrating", frozenset({PROPOSER}), N_("Integrate")),
        Transition(
            "confirm_resolved",
            ("integrating",),
            "resolved",
            frozenset({OBJECTOR, FACILITATOR}),
            N_("Confirm it is resolved"),
        ),
        Transition("reopen", ("integrating",), "open", frozenset({OBJECTOR}), N_("Keep it open")),
        Transition("withdraw", _UNSETTLED, "withdrawn", frozenset({OBJECTOR}), N_("Withdraw")),
        Transition(
            "overrule",
            _UNSETTLED,
            "overruled",
            frozenset({FACILITATOR}),
            N_("Decide it is not paramount"),
            needs_reason=True,
        ),
        Transition(
            "reclassify",
            _UNSETTLED,
            "reclassified",
            frozenset({OBJECTOR, FACILITATOR}),
            N_("Move it to the discussion as a concern"),
        ),
    ),
    stance_positions=(),
    subject="objection",
    objection_states=(),
)

TRANSLATION_UPDATE = Protocol(
    name="translation_update",
    title=N_("Translation update"),
    description=(
        N_(
            "A translated text, made from an adopted version, is proposed for one language; a "
            "facilitator confirms it, and it becomes that language's translation, or declines it. "
            "The decision that adopted the source text is not made again."
        )
    ),
    initial="proposed",
    states=(
        State(
            "proposed", N_("Proposed"), N_("Waiting for a facilitator to confirm or decline it.")
        ),
        State(
            "confirmed",
            N_("Confirmed"),
            N_("Confirmed: this is the translation of its version."),
            True,
        ),
        State("declined", N_("Declined"), N_("Declined by a facilitator."), True),
    ),
    transitions=(
        Transition("confirm", ("proposed",), "confirmed", frozenset({FACILITATOR}), N_("Confirm")),
        Transition(
            "decline",
            ("proposed",),
            "declined",
            frozenset({FACILITATOR}),
            N_("Decline"),
            needs_reason=True,
        ),
    ),
    stance_positions=(),
    subject="translation",
    objection_states=(),
)

PROTOCOLS: dict[str, Protocol] = {p.name: p for p in (CONSENT, LAZY_CONSENSUS)}


def get_protocol(name: str) -> Protocol:
    """The protocol called `name`; unknown names are a programming error."""
    return PROTOCOLS[name]
