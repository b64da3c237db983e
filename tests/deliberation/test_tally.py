"""Counting rules against worked examples: council thresholds, instant-runoff, and Civil Code art. 278."""

from decimal import Decimal

import pytest

from gongzhi.deliberation.tally import UnitVote, council_tally, owners_tally, ranked_tally, single_tally


def test_threshold_of_votes_cast_needs_more_than_half():
    # 3 agree, 3 disagree: exactly half is not a majority.
    assert not council_tally(["agree"] * 3 + ["disagree"] * 3, threshold="cast", present=6, members=9)[
        "passed"
    ]
    assert council_tally(["agree"] * 4 + ["disagree"] * 3, threshold="cast", present=7, members=9)["passed"]


def test_threshold_of_members_present_counts_abstentions_and_silence_against():
    # 5 present, 2 agree + 1 abstain + 2 did not vote: 2/5 is not more than half of those present.
    result = council_tally(["agree", "agree", "abstain"], threshold="present", present=5, members=9)
    assert result["base"] == 5 and not result["passed"]
    assert council_tally(["agree"] * 3, threshold="present", present=5, members=9)["passed"]


def test_threshold_of_all_members():
    assert not council_tally(["agree"] * 4, threshold="all", present=4, members=9)["passed"]
    assert council_tally(["agree"] * 5, threshold="all", present=5, members=9)["passed"]


def test_two_thirds_is_inclusive():
    assert council_tally(["agree"] * 4 + ["disagree"] * 2, threshold="two_thirds", present=6, members=6)[
        "passed"
    ]
    assert not council_tally(["agree"] * 3 + ["disagree"] * 2, threshold="two_thirds", present=5, members=5)[
        "passed"
    ]


def test_no_votes_never_pass():
    assert not council_tally([], threshold="cast", present=0, members=5)["passed"]


def test_single_choice_tie_has_no_winner():
    assert single_tally([0, 1, 1, 2], ["A", "B", "C"])["winner"] == 1
    assert single_tally([0, 1], ["A", "B"])["winner"] is None


def test_ranked_choice_worked_example_with_transfers():
    """Three layouts for the sorting points, 9 ballots:
    4 × A>B>C, 3 × B>C>A, 2 × C>B>A. Round 1: A 4, B 3, C 2 (no majority of 9); C is eliminated and its
    2 ballots go to B. Round 2: A 4, B 5 → B wins, although A led the first round."""
    ballots = [[0, 1, 2]] * 4 + [[1, 2, 0]] * 3 + [[2, 1, 0]] * 2
    result = ranked_tally(ballots, ["A", "B", "C"])
    assert result["rounds"] == [[4, 3, 2], [4, 5, 0]]
    assert result["winner"] == 1


def test_ranked_choice_majority_in_first_round():
    result = ranked_tally([[0, 1]] * 3 + [[1, 0]] * 2, ["A", "B"])
    assert result["rounds"] == [[3, 2]] and result["winner"] == 0


def test_ranked_choice_exhausted_ballots_and_elimination_tie_break():
    """Partial rankings: 2 × [A], 2 × [B], 1 × [C, B]. Round 1: 2, 2, 1 → C out, its ballot to B: B 3 of 5."""
    result = ranked_tally([[0], [0], [1], [1], [2, 1]], ["A", "B", "C"])
    assert result["winner"] == 1
    # A tie for fewest at round 1 (A 1, B 1, C 2): both have one first-round vote; the one listed last (B)
    # goes, its ballot [B, A] moves to A: A 2, C 2 of 4 — no majority; A and C tie on first-round votes
    # too (1 vs 2: A has fewer) → A out, C wins.
    result = ranked_tally([[0], [1, 0], [2], [2]], ["A", "B", "C"])
    assert result["rounds"][0] == [1, 1, 2]
    assert result["rounds"][1] == [2, 0, 2]
    assert result["winner"] == 2


def units(spec):
    """(owner, area, choice) → UnitVote rows with ids in order."""
    return [
        UnitVote(n, owner, Decimal(area), choice) for n, (owner, area, choice) in enumerate(spec, start=1)
    ]


def test_owners_exactly_two_thirds_participation_is_enough():
    # 6 owners of 100 m² each: 4 vote (exactly 2/3 of area and of heads), all agree.
    spec = [(f"o{n}", "100", "agree") for n in range(4)] + [(f"o{n}", "100", None) for n in range(4, 6)]
    result = owners_tally(units(spec), major=False)
    assert result["participation_ok"] and result["approved"]
    # One fewer: below 2/3, no valid vote even with unanimous agreement.
    spec[3] = ("o3", "100", None)
    assert not owners_tally(units(spec), major=False)["participation_ok"]


def test_owners_major_three_quarters_by_area_but_not_by_head_fails():
    # 4 owners vote. The one big unit (300 m²) and one small agree: area 400/500 = 80% ≥ 75%,
    # but heads 2/4 = 50% < 75%.
    spec = [("big", "300", "agree"), ("a", "100", "agree"), ("b", "50", "disagree"), ("c", "50", "disagree")]
    result = owners_tally(units(spec), major=True)
    assert result["participation_ok"]
    assert Decimal(result["agree_area"]) / Decimal(result["voted_area"]) >= Decimal("0.75")
    assert not result["approved"]
    # For an ordinary matter (more than half by both) 2/4 heads is not more than half either.
    assert not owners_tally(units(spec), major=False)["approved"]


def test_owners_major_exactly_three_quarters_passes():
    spec = [(f"o{n}", "100", "agree") for n in range(3)] + [("o3", "100", "disagree")]
    assert owners_tally(units(spec), major=True)["approved"]


def test_owners_ordinary_exactly_half_fails():
    spec = [("a", "100", "agree"), ("b", "100", "disagree")]
    assert not owners_tally(units(spec), major=False)["approved"]


def test_owner_of_two_units_is_one_head():
    # Owner x holds two units (both agree), y one unit (disagrees), z does not vote.
    spec = [("x", "80", "agree"), ("x", "80", "agree"), ("y", "80", "disagree"), ("z", "40", None)]
    result = owners_tally(units(spec), major=False)
    assert result["total_owners"] == 3 and result["voted_owners"] == 2 and result["agree_owners"] == 1
    assert not result["approved"]  # 1 of 2 heads is not more than half


@pytest.mark.parametrize("major", [True, False])
def test_owners_no_units_is_no_vote(major):
    assert not owners_tally([], major=major)["approved"]
