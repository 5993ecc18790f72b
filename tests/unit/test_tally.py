"""The arithmetic of a round: who counts, who answered, and whether quorum is met.

The tally decides whether a proposal may be adopted, so its boundaries are pinned one by
one (exactly at the threshold, one below, nobody eligible, stale answers, people without
an organisation, people who joined after the round opened) and then checked against a
plain restatement of the rule for any round hypothesis can build.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements.models import Membership, Round, RoundParticipant, Stance
from agreements.tally import tally_round

CURRENT = "c" * 64
OLDER = "o" * 64


def a_round(rule: str = "person", percent: int = 50) -> Round:
    return Round(id=1, proposal_id=1, revision_id=1, kind="consent", quorum_rule=rule,
                 quorum_percent=percent)  # fmt: skip


def participants(*organisations: int | None) -> list[RoundParticipant]:
    """One eligible participant per entry, user ids 1, 2, ... in the given organisations."""
    return [
        RoundParticipant(round_id=1, user_id=n, organisation_id=organisation)
        for n, organisation in enumerate(organisations, start=1)
    ]


def stance(user_id: int, position: str = "consent", text: str = CURRENT) -> Stance:
    return Stance(round_id=1, participant_id=user_id, revision_id=1, text_sha256=text,
                  position=position)  # fmt: skip


@pytest.mark.parametrize(
    ("eligible", "answered", "percent", "met"),
    [
        (2, 1, 50, True),  # exactly half of two
        (4, 2, 50, True),  # exactly at the threshold
        (5, 2, 50, False),  # 40%: one below
        (5, 3, 50, True),  # 60%
        (3, 2, 67, False),  # 66.7% is below 67%
        (3, 2, 66, True),
        (10, 9, 100, False),  # everyone means everyone
        (10, 10, 100, True),
        (7, 0, 0, True),  # a 0% quorum is met without answers
        (1, 1, 1, True),
    ],
)
def test_quorum_per_person_at_its_boundaries(
    eligible: int, answered: int, percent: int, met: bool
) -> None:
    people = participants(*([None] * eligible))
    tally = tally_round(
        a_round("person", percent), people, [stance(n) for n in range(1, answered + 1)], CURRENT
    )
    assert (tally.units_total, tally.units_answered) == (eligible, answered)
    assert tally.quorum_met is met


def test_nobody_eligible_never_meets_quorum() -> None:
    for percent in (0, 50, 100):
        tally = tally_round(a_round("person", percent), [], [], CURRENT)
        assert tally.units_total == 0
        assert tally.quorum_met is False


def test_a_stance_on_an_older_text_is_stale_and_does_not_count_as_answered() -> None:
    people = participants(None, None)
    tally = tally_round(a_round("person", 50), people, [stance(1, text=OLDER)], CURRENT)
    assert tally.counts["stale"] == 1
    assert tally.counts["consent"] == 0
    assert tally.units_answered == 0
    assert tally.quorum_met is False
    fresh = tally_round(a_round("person", 50), people, [stance(1)], CURRENT)
    assert fresh.quorum_met is True


def test_a_stale_objection_does_not_block() -> None:
    people = participants(None, None)
    tally = tally_round(a_round(), people, [stance(1, "object", OLDER), stance(2)], CURRENT)
    assert tally.objecting == 0
    assert tally.counts == {"consent": 1, "stand_aside": 0, "object": 0, "stale": 1,
                            "pending": 0}  # fmt: skip


def test_standing_aside_and_objecting_both_count_as_answers() -> None:
    people = participants(None, None, None, None)
    stances = [stance(1, "stand_aside"), stance(2, "object")]
    tally = tally_round(a_round("person", 50), people, stances, CURRENT)
    assert tally.units_answered == 2
    assert tally.quorum_met is True
    assert tally.objecting == 1


def test_per_organisation_one_answer_is_enough_for_the_whole_organisation() -> None:
    # organisation 10 has three people, 20 has one, 30 has two: three units
    people = participants(10, 10, 10, 20, 30, 30)
    tally = tally_round(a_round("organisation", 67), people, [stance(2)], CURRENT)
    assert (tally.units_total, tally.units_answered) == (3, 1)
    assert tally.quorum_met is False
    two_of_three = tally_round(a_round("organisation", 66), people, [stance(2), stance(4)], CURRENT)
    assert (two_of_three.units_answered, two_of_three.quorum_met) == (2, True)
    assert tally.organisation_counts[10] == {"consent": 1, "pending": 2}


def test_per_organisation_people_without_one_count_as_their_own_unit() -> None:
    people = participants(None, None, 10, 10)
    tally = tally_round(a_round("organisation", 50), people, [stance(3), stance(4)], CURRENT)
    assert (tally.units_total, tally.units_answered) == (3, 1)
    assert tally.quorum_met is False
    tally = tally_round(a_round("organisation", 50), people, [stance(1), stance(3)], CURRENT)
    assert (tally.units_answered, tally.quorum_met) == (2, True)


def test_only_the_round_s_participants_count_not_later_joiners() -> None:
    """Eligibility is the snapshot taken when the round opened: a stance from someone who
    is not in it (a member who joined later) changes neither the count nor the quorum."""
    people = participants(None, None)
    late_joiner = 99
    tally = tally_round(a_round("person", 50), people, [stance(late_joiner)], CURRENT)
    assert (tally.units_total, tally.units_answered) == (2, 0)
    assert tally.quorum_met is False
    assert all(entry.user_id != late_joiner for entry in tally.participants)


def test_quorum_detail_says_what_is_counted() -> None:
    people = participants(10, 20)
    assert tally_round(a_round("organisation", 50), people, [stance(1)], CURRENT).quorum_detail == (
        "1 of 2 organisations answered, 50% needed"
    )
    assert tally_round(a_round("person", 75), people, [], CURRENT).quorum_detail == (
        "0 of 2 people answered, 75% needed"
    )


POSITIONS = st.sampled_from(["consent", "stand_aside", "object", "stale", "pending"])


@given(
    people=st.lists(
        st.tuples(st.one_of(st.none(), st.integers(1, 4)), POSITIONS), min_size=0, max_size=25
    ),
    rule=st.sampled_from(["person", "organisation"]),
    percent=st.integers(0, 100),
)
def test_quorum_is_the_share_of_units_that_answered_the_current_text(
    people: list[tuple[int | None, str]], rule: str, percent: int
) -> None:
    eligible = participants(*(organisation for organisation, _ in people))
    stances = [
        stance(n, "consent" if position == "stale" else position,
               OLDER if position == "stale" else CURRENT)
        for n, (_, position) in enumerate(people, start=1)
        if position != "pending"
    ]  # fmt: skip
    tally = tally_round(a_round(rule, percent), eligible, stances, CURRENT)

    units: dict[object, bool] = {}
    for n, (organisation, position) in enumerate(people, start=1):
        unit = ("org", organisation) if rule == "organisation" and organisation else ("p", n)
        units[unit] = units.get(unit, False) or position not in ("pending", "stale")
    answered = sum(units.values())
    assert (tally.units_total, tally.units_answered) == (len(units), answered)
    expected = bool(units) and Fraction(answered, len(units)) >= Fraction(percent, 100)
    assert tally.quorum_met is expected
    # The page says how many must answer: exactly that many meet quorum, one fewer does not.
    if units:
        needed = tally.units_needed
        assert Fraction(needed, len(units)) >= Fraction(percent, 100)
        assert needed == 0 or Fraction(needed - 1, len(units)) < Fraction(percent, 100)
    assert sum(tally.counts.values()) == len(people)
    for position in ("consent", "stand_aside", "object", "stale", "pending"):
        assert tally.counts[position] == sum(1 for _, p in people if p == position)


def test_each_participant_carries_the_stance_a_page_shows_beside_them() -> None:
    given_stance = stance(1, "stand_aside")
    tally = tally_round(a_round(), participants(None, None), [given_stance], CURRENT)
    assert [(p.status, p.stance) for p in tally.participants] == [
        ("stand_aside", given_stance),
        ("pending", None),
    ]


def late_joiners(*user_ids: int) -> list[Membership]:
    """Members who joined the community after the round opened (not in its snapshot)."""
    return [Membership(community_id=1, user_id=n, role="member") for n in user_ids]


def test_a_late_joiner_counts_once_they_answer_and_never_raises_the_bar_by_silence() -> None:
    """Members who joined after the round opened may answer: an answer counts, in the total
    and as answered; a late joiner who says nothing does not make quorum harder for the rest.
    Joiners are not sorted by whether they answered, so a silent one is passed over, not the
    end of the count."""
    people = participants(None, None)  # users 1 and 2, in the snapshot
    stances = [stance(1), stance(12)]  # 11 joined late and is silent; 12 joined late and answered
    tally = tally_round(a_round("person", 60), people, stances, CURRENT, late_joiners(11, 12))
    assert (tally.units_total, tally.units_answered) == (3, 2)
    assert tally.quorum_met is True  # 2 of 3; with the silent joiner it would be 2 of 4
    late = {p.user_id: p.joined_late for p in tally.participants}
    assert late == {1: False, 2: False, 11: True, 12: True}  # the page marks who joined late
    assert [p.status for p in tally.participants] == ["consent", "pending", "pending", "consent"]
