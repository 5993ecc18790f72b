"""The protocols as data, run by the engine, with no database and no Flask."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workflows import (
    CONSENT,
    LAZY_CONSENSUS,
    OBJECTION_LIFECYCLE,
    Facts,
    Flow,
    Refusal,
    mermaid_diagram,
)


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
