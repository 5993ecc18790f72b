"""The exact sentences the protocol engine refuses a move with (workflows/engine.py).

People read these refusals on the page and in the API, so their wording is the contract:
plurals, the list of roles that may act, and moves the protocol does not know at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from workflows import CONSENT, Facts, Flow


@dataclass
class Row:
    state: str


@pytest.mark.parametrize(
    ("objecting", "sentence"),
    [(1, "Cannot adopt: 1 participant objects"), (2, "Cannot adopt: 2 participants object")],
)
def test_objecting_stances_are_counted_in_words(objecting: int, sentence: str) -> None:
    facts = Facts(objecting_stances=objecting, quorum_met=True)
    assert Flow(Row("consent"), CONSENT, facts).refusal("adopt", {"facilitator"}) == sentence


def test_a_move_names_every_role_that_may_make_it() -> None:
    refusal = Flow(Row("consent"), CONSENT).refusal("lapse", {"participant"})
    assert refusal == "Cannot let it lapse: only the facilitator or system may do that"


def test_an_unknown_move_is_refused_in_words() -> None:
    refusal = Flow(Row("draft"), CONSENT).refusal("open_the_gates", {"facilitator"})
    assert refusal == "Cannot open the gates now: the proposal is at the \u201cDraft\u201d stage"
