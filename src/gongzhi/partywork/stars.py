"""The star computation of a rating round, kept apart from the database so that every boundary is testable.

A branch's total is its item score (points earned less deductions, as a share of the items' maximum, 0–100)
times the item weight plus the peer-review score (0–100) times the peer weight. Its band gives its stars
(e.g. ≥ 90 five, ≥ 80 four … ≥ 50 one, below none); a condition (an innovation project) or a quota (five
stars for at most 30 % of the round's branches, highest totals first) can hold it at four.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Line:
    points: Decimal
    max_points: Decimal
    deduction: bool = False


def item_score(lines: Sequence[Line]) -> Decimal:
    """Points earned less deductions, as a share (0–100) of the maximum of the earning items."""
    earned = sum((min(line.points, line.max_points) for line in lines if not line.deduction), Decimal(0))
    deducted = sum((min(line.points, line.max_points) for line in lines if line.deduction), Decimal(0))
    ceiling = sum((line.max_points for line in lines if not line.deduction), Decimal(0))
    if ceiling <= 0:
        return Decimal(0)
    share = (earned - deducted) / ceiling * HUNDRED
    return max(Decimal(0), share).quantize(CENT, rounding=ROUND_HALF_UP)


def weighted_total(
    item: Decimal, peer: Decimal | None, item_weight: Decimal, peer_weight: Decimal
) -> Decimal:
    """item × item weight % + peer × peer weight %; without a peer score the items count in full."""
    if peer is None or peer_weight == 0:
        return item.quantize(CENT, rounding=ROUND_HALF_UP)
    total = (item * item_weight + peer * peer_weight) / HUNDRED
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def band_stars(total: Decimal, bands: Sequence[Decimal | int | str]) -> int:
    """Stars from the bands (minimum totals for five, four … one star, highest first)."""
    for n, floor in enumerate(bands):
        if total >= Decimal(str(floor)):
            return 5 - n
    return 0


@dataclass(frozen=True)
class Candidate:
    key: int
    total: Decimal
    has_innovation: bool = True


@dataclass(frozen=True)
class Award:
    stars: int
    capped_by: str = ""  # "condition" or "quota" when held below the band


def award(
    candidates: Sequence[Candidate],
    *,
    bands: Sequence[Decimal | int | str],
    five_star_quota: Decimal | None = None,
    needs_innovation: bool = False,
) -> dict[int, Award]:
    """Stars for every candidate of a round. The quota is "at most": when branches tie at its edge, none
    of the tied ones gets five stars beyond it."""
    result: dict[int, Award] = {}
    five: list[Candidate] = []
    for c in candidates:
        stars = band_stars(c.total, bands)
        if stars == 5 and needs_innovation and not c.has_innovation:
            result[c.key] = Award(4, "condition")
        elif stars == 5:
            five.append(c)
        else:
            result[c.key] = Award(stars)
    allowed = len(five)
    if five_star_quota is not None:
        allowed = int((Decimal(len(candidates)) * five_star_quota / HUNDRED).to_integral_value(ROUND_FLOOR))
    five.sort(key=lambda c: c.total, reverse=True)
    if len(five) > allowed:
        edge = five[allowed].total  # the best total that does not fit
        for c in five:
            result[c.key] = Award(5) if c.total > edge else Award(4, "quota")
    else:
        for c in five:
            result[c.key] = Award(5)
    return result
