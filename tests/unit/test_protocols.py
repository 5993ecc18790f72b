"""The protocols as data, run by the engine, with no database and no Flask."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workflows import (
    CONSENT,
    LAZY_CONSENSUS,
    OBJECTION_LIFECYCLE,
    TRANSLATION_UPDATE,
    Facts,
    Flow,
    Refusal,
    mermaid_diagram,
)
from workflows.engine import MOVE_NAMES, NEXT_STEPS, _either, english
from workflows.protocols import PROTOCOLS


@dataclass
class Row:
    state: str


ALL_ROLES = {"proposer", "facilitator", "participant", "system"}
OK = Facts(quorum_met=True, deadline_passed=True)

# Every transition of the default protocol: (state, trigger, role, resulting state).
CONSENT_MOVES = [
    ("draft", "submit", "proposer", "proposed"),
    ("proposed", "open_comments", "facilitator", "comment"),
    ("comment", "open_objection_round", "facilitator", "objection"),
    ("objection", "open_consent_round", "facilitator", "consent"),
    ("consent", "adopt", "facilitator", "adopted"),
    ("consent", "object", "participant", "objection"),
    *(
        (s, "withdraw", "proposer", "withdrawn")
        for s in ("draft", "proposed", "comment", "objection", "consent")
    ),
    *(
        (s, "reject", "facilitator", "rejected")
        for s in ("draft", "proposed", "comment", "objection", "consent")
    ),
]


@pytest.mark.parametrize(("state", "trigger", "role", "dest"), CONSENT_MOVES)
def test_each_consent_move_goes_where_design_says(state, trigger, role, dest):
    row = Row(state)
    Flow(row, CONSENT, OK).fire(trigger, {role})
    assert row.state == dest


def test_lapse_needs_quorum_not_met():
    row = Row("consent")
    Flow(row, CONSENT, Facts(quorum_met=False, quorum_detail="1 of 4 people answered")).fire(
        "lapse", {"system"}
    )
    assert row.state == "lapsed"


@pytest.mark.parametrize(("state", "trigger", "role", "dest"), CONSENT_MOVES)
def test_each_move_is_refused_to_every_other_role(state, trigger, role, dest):
    for other in ALL_ROLES - {role}:
        if trigger in ("reject",) and other == "facilitator":
            continue
        row = Row(state)
        with pytest.raises(Refusal, match="only the"):
            Flow(row, CONSENT, OK).fire(trigger, {other})
        assert row.state == state


@pytest.mark.parametrize("state", ["adopted", "withdrawn", "rejected", "lapsed"])
def test_final_states_allow_nothing(state):
    flow = Flow(Row(state), CONSENT, OK)
    assert flow.moves(ALL_ROLES) == []
    with pytest.raises(Refusal, match=r"Cannot withdraw now: the proposal is at the"):
        flow.fire("withdraw", ALL_ROLES)


def test_consent_round_refused_while_objections_are_open():
    flow = Flow(Row("objection"), CONSENT, Facts(open_objections=2))
    with pytest.raises(Refusal) as refused:
        flow.fire("open_consent_round", {"facilitator"})
    assert str(refused.value).startswith(
        "Cannot open the consent round: 2 objections are still open. Settle each open objection"
    )


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (
            Facts(quorum_met=False, quorum_detail="1 of 5 people answered, 50% needed"),
            "quorum is not met (1 of 5 people answered, 50% needed)",
        ),
        (Facts(quorum_met=True, objecting_stances=1), "1 participant objects"),
        (Facts(quorum_met=True, open_objections=1), "1 objection is still open"),
    ],
)
def test_adopt_refusals_say_why(facts, message):
    with pytest.raises(Refusal, match=message.replace("(", r"\(").replace(")", r"\)")):
        Flow(Row("consent"), CONSENT, facts).fire("adopt", {"facilitator"})


def test_skipping_a_stage_is_refused_with_the_current_stage():
    with pytest.raises(Refusal) as refused:
        Flow(Row("proposed"), CONSENT, OK).fire("open_consent_round", {"facilitator"})
    assert "the proposal is at the \u201cProposed\u201d stage" in str(refused.value)


def test_moves_tell_a_page_which_buttons_to_show():
    moves = {
        m.transition.trigger: m
        for m in Flow(Row("objection"), CONSENT, Facts(open_objections=1)).moves(
            {"facilitator", "participant"}
        )
    }
    assert set(moves) == {"open_consent_round", "withdraw", "reject"}
    assert not moves["open_consent_round"].is_allowed
    assert moves["reject"].is_allowed
    assert "only the proposer" in (moves["withdraw"].refusal or "")


def test_lazy_consensus_adopts_only_after_the_deadline_without_objections():
    row = Row("objection")
    with pytest.raises(Refusal, match="deadline has not passed"):
        Flow(row, LAZY_CONSENSUS, Facts(deadline_passed=False)).fire("adopt", {"system"})
    with pytest.raises(Refusal, match="still open"):
        Flow(row, LAZY_CONSENSUS, Facts(deadline_passed=True, open_objections=1)).fire(
            "adopt", {"system"}
        )
    Flow(row, LAZY_CONSENSUS, Facts(deadline_passed=True)).fire("adopt", {"system"})
    assert row.state == "adopted"


@pytest.mark.parametrize(
    ("state", "trigger", "role", "dest"),
    [
        ("open", "integrate", "proposer", "integrating"),
        ("integrating", "confirm_resolved", "objector", "resolved"),
        ("integrating", "confirm_resolved", "facilitator", "resolved"),
        ("integrating", "reopen", "objector", "open"),
        ("open", "withdraw", "objector", "withdrawn"),
        ("integrating", "overrule", "facilitator", "overruled"),
        ("open", "reclassify", "objector", "reclassified"),
        ("open", "reclassify", "facilitator", "reclassified"),
    ],
)
def test_objection_lifecycle(state, trigger, role, dest):
    row = Row(state)
    Flow(row, OBJECTION_LIFECYCLE).fire(trigger, {role})
    assert row.state == dest


def test_only_the_objector_may_reopen_or_withdraw():
    for trigger, state in (("reopen", "integrating"), ("withdraw", "open")):
        with pytest.raises(Refusal, match="only the objector"):
            Flow(Row(state), OBJECTION_LIFECYCLE).fire(trigger, {"facilitator", "proposer"})


@pytest.mark.parametrize("protocol", [CONSENT, LAZY_CONSENSUS, OBJECTION_LIFECYCLE])
def test_diagram_comes_from_the_same_data(protocol):
    diagram = mermaid_diagram(protocol, current=protocol.initial)
    assert "stateDiagram-v2" in diagram
    for transition in protocol.transitions:
        for source in transition.sources:
            assert f"{source} --> {transition.dest}: {transition.trigger}" in diagram


# The rules as ../shared/DESIGN.md states them, written out here independently of
# workflows/protocols.py. mutmut cannot mutate that data (it is built at import), so this
# table is what catches a changed source, destination, role, guard or required reason.
def rule(trigger, sources, dest, roles, guards=(), reason=False):
    """One transition as the design states it: who may make it, under which guards."""
    return (trigger, frozenset(sources), dest, frozenset(roles.split()), tuple(guards), reason)


CONSENT_OPEN = ("draft", "proposed", "comment", "objection", "consent")
LAZY_OPEN = ("draft", "proposed", "objection")
UNSETTLED = ("open", "integrating")
NO_OBJECTION = "no_open_objections"
RULES = {
    "consent": {
        rule("submit", ["draft"], "proposed", "proposer"),
        rule("open_comments", ["proposed"], "comment", "facilitator"),
        rule("open_objection_round", ["comment"], "objection", "facilitator"),
        rule("open_consent_round", ["objection"], "consent", "facilitator", [NO_OBJECTION]),
        rule(
            "adopt",
            ["consent"],
            "adopted",
            "facilitator",
            [NO_OBJECTION, "no_objecting_stances", "quorum_met"],
        ),
        rule("object", ["consent"], "objection", "participant"),
        rule("lapse", ["consent"], "lapsed", "facilitator system", ["quorum_not_met"], True),
        rule("withdraw", CONSENT_OPEN, "withdrawn", "proposer"),
        rule("reject", CONSENT_OPEN, "rejected", "facilitator", reason=True),
    },
    "lazy_consensus": {
        rule("submit", ["draft"], "proposed", "proposer"),
        rule("open_objection_round", ["proposed"], "objection", "facilitator"),
        rule(
            "adopt",
            ["objection"],
            "adopted",
            "facilitator system",
            ["deadline_passed", NO_OBJECTION],
        ),
        rule("withdraw", LAZY_OPEN, "withdrawn", "proposer"),
        rule("reject", LAZY_OPEN, "rejected", "facilitator", reason=True),
    },
    "translation_update": {
        rule("confirm", ["proposed"], "confirmed", "facilitator"),
        rule("decline", ["proposed"], "declined", "facilitator", reason=True),
    },
    "objection": {
        rule("integrate", ["open"], "integrating", "proposer"),
        rule("confirm_resolved", ["integrating"], "resolved", "objector facilitator"),
        rule("reopen", ["integrating"], "open", "objector"),
        rule("withdraw", UNSETTLED, "withdrawn", "objector"),
        rule("overrule", UNSETTLED, "overruled", "facilitator", reason=True),
        rule("reclassify", UNSETTLED, "reclassified", "objector facilitator"),
    },
}
# initial state, open states, final states, {state: kind of round open in it},
# states in which objections are heard
STATES = {
    "consent": (
        "draft",
        CONSENT_OPEN,
        {"adopted", "withdrawn", "rejected", "lapsed"},
        {"objection": "objection", "consent": "consent"},
        {"comment", "objection", "consent"},
    ),
    "lazy_consensus": (
        "draft",
        LAZY_OPEN,
        {"adopted", "withdrawn", "rejected"},
        {"objection": "objection"},
        {"objection"},
    ),
    "translation_update": ("proposed", ("proposed",), {"confirmed", "declined"}, {}, set()),
    "objection": (
        "open",
        UNSETTLED,
        {"resolved", "withdrawn", "overruled", "reclassified"},
        {},
        set(),
    ),
}
ALL_PROTOCOLS = pytest.mark.parametrize(
    "protocol",
    [CONSENT, LAZY_CONSENSUS, OBJECTION_LIFECYCLE, TRANSLATION_UPDATE],
    ids=lambda p: p.name,
)


@ALL_PROTOCOLS
def test_every_transition_is_the_one_the_design_states(protocol):
    declared = [
        (t.trigger, frozenset(t.sources), t.dest, t.roles, t.guards, t.needs_reason)
        for t in protocol.transitions
    ]
    assert set(declared) == RULES[protocol.name]
    assert len(declared) == len(RULES[protocol.name])  # no transition declared twice


@ALL_PROTOCOLS
def test_every_state_is_open_or_final_as_the_design_states(protocol):
    initial, open_states, final, rounds, objections_heard = STATES[protocol.name]
    assert protocol.initial == initial
    assert set(protocol.open_states) == set(open_states)
    assert {s.name for s in protocol.states if s.is_final} == final
    assert {s.name: s.round_kind for s in protocol.states if s.round_kind} == rounds
    assert set(protocol.objection_states) == objections_heard


@ALL_PROTOCOLS
def test_the_diagram_draws_exactly_the_protocols_moves(protocol):
    """The page's diagram: titled, starting at the initial state, every state and no move
    the protocol does not have (transitions would otherwise add a `to_<state>` for each)."""
    diagram = mermaid_diagram(protocol)
    assert diagram.startswith(f"---\n{protocol.title}\n---\nstateDiagram-v2\n")
    assert f"  [*] --> {protocol.initial}" in diagram.splitlines()
    declared = {line.strip() for line in diagram.splitlines() if line.startswith("  state ")}
    assert declared == {f'state "{s.name}" as {s.name}' for s in protocol.states}
    edges = {line.strip() for line in diagram.splitlines() if ": " in line and "-->" in line}
    assert edges == {
        f"{source} --> {t.dest}: {t.trigger}" for t in protocol.transitions for source in t.sources
    }


@pytest.mark.parametrize(
    ("protocol", "state", "trigger", "roles", "refusal"),
    [
        (
            CONSENT,
            "draft",
            "withdraw",
            {"facilitator"},
            "Cannot withdraw: only the proposer may do that",
        ),
        (
            OBJECTION_LIFECYCLE,
            "integrating",
            "confirm_resolved",
            {"proposer"},
            "Cannot confirm it is resolved: only the facilitator or the objector may do that",
        ),
    ],
)
def test_a_refusal_names_exactly_who_may_move(protocol, state, trigger, roles, refusal):
    assert Flow(Row(state), protocol, OK).refusal(trigger, roles) == refusal


def test_closing_without_a_decision_is_refused_when_quorum_is_met():
    facts = Facts(quorum_met=True, quorum_detail="3 of 4 people answered")
    refusal = Flow(Row("consent"), CONSENT, facts).refusal("lapse", {"facilitator"})
    # no next step to add: the sentence ends with what to do instead
    assert refusal == (
        "Cannot close without a decision: quorum is met (3 of 4 people answered); adopt it instead"
    )


def test_every_failing_guard_is_named_with_its_next_step():
    facts = Facts(open_objections=1, objecting_stances=2, quorum_detail="1 of 4 people answered")
    refusal = Flow(Row("consent"), CONSENT, facts).refusal("adopt", {"facilitator"})
    steps = [NEXT_STEPS[g] for g in ("no_open_objections", "no_objecting_stances", "quorum_met")]
    assert refusal == (
        "Cannot adopt: 1 objection is still open; 2 participants object; "
        "quorum is not met (1 of 4 people answered). " + ". ".join(steps)
    )


def test_the_diagram_marks_the_stage_a_proposal_is_in() -> None:
    """The proposal page's diagram shows where the proposal stands, not the first stage."""
    diagram = mermaid_diagram(CONSENT, current="consent").splitlines()
    assert "  Class consent s_active" in diagram
    assert "  Class draft s_active" not in diagram
    assert "  Class draft s_active" in mermaid_diagram(CONSENT).splitlines()


def bracketed(msgid, params=None, /, *, plural=None, count=None) -> str:
    """A stand-in for another language: each marked text, once worded, shows in brackets."""
    return f"[{english(msgid, params, plural=plural, count=count)}]"


def test_a_refusal_before_the_deadline_says_when_the_deadline_is():
    facts = Facts(deadline_passed=False, deadline_text="it is 24 December 2026, 17:30 UTC")
    refusal = Flow(Row("objection"), LAZY_CONSENSUS, facts).refusal("adopt", {"system"})
    assert refusal is not None and refusal.startswith(
        "Cannot adopt: the deadline has not passed (it is 24 December 2026, 17:30 UTC)."
    )


def test_the_people_who_may_act_are_listed_each_in_the_readers_language():
    assert _either([], bracketed) == ""
    assert _either(["[a]"], bracketed) == "[a]"
    assert _either(["[a]", "[b]", "[c]"], bracketed) == "[[a] or [[b] or [c]]]"


def test_every_part_of_a_refusal_can_be_said_in_another_language():
    facts = Facts(objecting_stances=1, quorum_met=True)
    refusal = Flow(Row("consent"), CONSENT, facts, words=bracketed).refusal(
        "adopt", {"facilitator"}
    )
    assert refusal == (
        "[Cannot [adopt]: [1 participant objects]. "
        "[Each objection is worked through in the objection round before consent is asked again]]"
    )
    refused = Flow(Row("draft"), CONSENT, words=bracketed).refusal("lapse", {"participant"})
    assert (
        refused == "[Cannot [close without a decision] now: the proposal is at the “[Draft]” stage]"
    )
    who = Flow(Row("integrating"), OBJECTION_LIFECYCLE, words=bracketed).refusal(
        "reopen", {"facilitator"}
    )
    assert who == "[Cannot [keep it open]: [only [the objector] may do that]]"


@pytest.mark.parametrize(
    "protocol", [*PROTOCOLS.values(), OBJECTION_LIFECYCLE], ids=lambda p: p.name
)
def test_every_move_is_named_in_the_translations(protocol):
    """A refusal names the move by its lower-cased label: each must be marked for extraction."""
    named = {t.label[0].lower() + t.label[1:] for t in protocol.transitions}
    assert named <= set(MOVE_NAMES)
