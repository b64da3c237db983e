"""The star computation: band boundaries, weights, the five-star condition and quota (ties at its edge)."""

from decimal import Decimal as D

import pytest

from gongzhi.partywork.stars import Candidate, Line, award, band_stars, item_score, weighted_total

BANDS = ["90", "80", "70", "60", "50"]


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        ("100", 5),
        ("90.00", 5),
        ("89.99", 4),
        ("80", 4),
        ("79.99", 3),
        ("70", 3),
        ("60", 2),
        ("59.99", 1),
        ("50", 1),
        ("49.99", 0),
        ("0", 0),
    ],
)
def test_band_boundaries(total, stars):
    assert band_stars(D(total), BANDS) == stars


def test_item_score_is_a_share_of_the_maximum_less_deductions():
    lines = [Line(D(45), D(50)), Line(D(40), D(50)), Line(D(5), D(10), deduction=True)]
    assert item_score(lines) == D("80.00")  # (45 + 40 - 5) / 100
    # Points above an item's maximum count as the maximum; a total never goes below zero.
    assert item_score([Line(D(70), D(50)), Line(D(0), D(50))]) == D("50.00")
    assert item_score([Line(D(0), D(50)), Line(D(10), D(10), deduction=True)]) == D("0")


def test_weights_items_70_and_peer_review_30():
    assert weighted_total(D(80), D(100), D(70), D(30)) == D("86.00")
    assert weighted_total(D("89.99"), D("90.01"), D(70), D(30)) == D("90.00")  # 62.993 + 27.003 = 89.996
    assert weighted_total(D("85.5"), None, D(70), D(30)) == D("85.50")  # no peer review: items in full
    # Exact decimals: no binary rounding at the boundary.
    assert weighted_total(D("90"), D("90"), D("70"), D("30")) == D("90.00")


def test_five_stars_need_an_innovation_project():
    result = award(
        [Candidate(1, D(95), False), Candidate(2, D(95), True)], bands=BANDS, needs_innovation=True
    )
    assert result[1].stars == 4 and result[1].capped_by == "condition"
    assert result[2].stars == 5 and result[2].capped_by == ""


def test_quota_keeps_the_highest_totals():
    # Ten branches, five stars for at most 30 %: three of the five above 90 keep five stars.
    candidates = [
        Candidate(n, D(t)) for n, t in enumerate(["99", "97", "95", "93", "91", "85", "75", "65", "55", "45"])
    ]
    result = award(candidates, bands=BANDS, five_star_quota=D(30))
    assert [result[n].stars for n in range(10)] == [5, 5, 5, 4, 4, 4, 3, 2, 1, 0]
    assert result[3].capped_by == result[4].capped_by == "quota"


def test_a_tie_at_the_quota_edge_gives_five_stars_to_none_of_the_tied():
    candidates = [
        Candidate(n, D(t)) for n, t in enumerate(["99", "95", "95", "80", "80", "80", "70", "70", "60", "50"])
    ]
    result = award(candidates, bands=BANDS, five_star_quota=D(20))  # room for two
    assert [result[n].stars for n in range(3)] == [5, 4, 4]


def test_a_quota_of_zero_and_no_quota():
    candidates = [Candidate(1, D(95)), Candidate(2, D(92))]
    assert {a.stars for a in award(candidates, bands=BANDS, five_star_quota=D(0)).values()} == {4}
    assert {a.stars for a in award(candidates, bands=BANDS).values()} == {5}
