"""Counting votes, as pure functions over the ballots (exact fractions, so boundaries are exact).

- Council votes (agree / disagree / abstain) pass by a threshold: more than half of the votes cast, of the
  members present, or of all members; or at least two thirds of the votes cast.
- Single choice: the option with the most votes wins; a tie has no winner.
- Ranked choice: instant-runoff voting. Each round counts every ballot for its highest-ranked option still
  in the race; an option with more than half of the ballots still counting wins; otherwise the option with
  the fewest votes is eliminated (a tie for fewest: the one with fewer first-round votes, then the one
  listed last). Ballots with no option left are exhausted.
- Owners' votes (Civil Code art. 278): one voice per owned unit, counted by floor area and by head (an
  owner of several units is one head; their head follows the ballot of their largest unit). The vote is
  valid when the participating units hold at least two thirds of the area and the participating owners are
  at least two thirds of the owners; it passes when those agreeing hold at least three quarters (major
  matters) or more than half (other matters) of the participating area and of the participating owners.
"""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

YES_NO = ("agree", "disagree", "abstain")


def council_tally(choices: Iterable[str], *, threshold: str, present: int, members: int) -> dict[str, Any]:
    counts = Counter(choices)
    agree, cast = counts["agree"], sum(counts[c] for c in YES_NO)
    base = {"cast": cast, "present": present, "all": members, "two_thirds": cast}[threshold]
    if threshold == "two_thirds":
        passed = base > 0 and Fraction(agree, base) >= Fraction(2, 3)
    else:
        passed = base > 0 and Fraction(agree, base) > Fraction(1, 2)
    return {
        "agree": counts["agree"],
        "disagree": counts["disagree"],
        "abstain": counts["abstain"],
        "cast": cast,
        "base": base,
        "passed": passed,
    }


def single_tally(choices: Iterable[int], options: Sequence[str]) -> dict[str, Any]:
    counts = Counter(choices)
    per = [counts[i] for i in range(len(options))]
    top = max(per, default=0)
    winners = [i for i, n in enumerate(per) if n == top and top > 0]
    return {"counts": per, "winner": winners[0] if len(winners) == 1 else None, "cast": sum(per)}


def ranked_tally(rankings: Iterable[Sequence[int]], options: Sequence[str]) -> dict[str, Any]:
    ballots = [list(r) for r in rankings]
    remaining = list(range(len(options)))
    first = Counter(b[0] for b in ballots if b)
    rounds: list[list[int]] = []
    while remaining:
        counts: Counter[int] = Counter()
        for ballot in ballots:
            top = next((o for o in ballot if o in remaining), None)
            if top is not None:
                counts[top] += 1
        per = [counts[o] if o in remaining else 0 for o in range(len(options))]
        rounds.append(per)
        counting = sum(counts.values())
        if counting == 0:
            return {"rounds": rounds, "winner": None, "cast": len(ballots)}
        leader = max(remaining, key=lambda o: counts[o])
        if 2 * counts[leader] > counting or len(remaining) == 1:
            return {"rounds": rounds, "winner": leader, "cast": len(ballots)}
        # Fewest now; then fewer first-round votes; then listed last.
        loser = min(remaining, key=lambda o: (counts[o], first[o], -o))
        remaining.remove(loser)
    return {"rounds": rounds, "winner": None, "cast": len(ballots)}


@dataclass(frozen=True)
class UnitVote:
    unit_id: int
    owner_key: str
    area: Decimal
    choice: str | None  # None: the unit did not vote


def owners_tally(units: Iterable[UnitVote], *, major: bool) -> dict[str, Any]:
    all_units = list(units)
    total_area = sum((u.area for u in all_units), Decimal(0))
    owners = {u.owner_key for u in all_units}
    voted = [u for u in all_units if u.choice is not None]
    voted_area = sum((u.area for u in voted), Decimal(0))
    agree_area = sum((u.area for u in voted if u.choice == "agree"), Decimal(0))
    # One head per owner: the ballot of the owner's largest voting unit (then the lowest unit id).
    head_choice: dict[str, tuple[Decimal, int, str]] = {}
    for u in voted:
        best = head_choice.get(u.owner_key)
        if best is None or (u.area, -u.unit_id) > (best[0], -best[1]):
            head_choice[u.owner_key] = (u.area, u.unit_id, u.choice or "")
    voted_heads = len(head_choice)
    agree_heads = sum(1 for _a, _i, c in head_choice.values() if c == "agree")

    def share(part: Decimal | int, whole: Decimal | int) -> Fraction:
        return Fraction(part) / Fraction(whole) if whole else Fraction(0)

    participation_ok = (
        bool(all_units)
        and share(voted_area, total_area) >= Fraction(2, 3)
        and share(voted_heads, len(owners)) >= Fraction(2, 3)
    )
    area_share, head_share = share(agree_area, voted_area), share(agree_heads, voted_heads)
    if major:
        approved = area_share >= Fraction(3, 4) and head_share >= Fraction(3, 4)
    else:
        approved = area_share > Fraction(1, 2) and head_share > Fraction(1, 2)
    return {
        "total_area": str(total_area),
        "total_owners": len(owners),
        "voted_area": str(voted_area),
        "voted_owners": voted_heads,
        "agree_area": str(agree_area),
        "agree_owners": agree_heads,
        "units": len(all_units),
        "units_voted": len(voted),
        "participation_ok": participation_ok,
        "approved": participation_ok and approved,
        "major": major,
    }
