"""The party-work demo step reproduces the issue's facts: 望湖's 74 branches rated (66 with at least one star,
7 with five) under the scheme's first version, with budgets from the stars (every compound branch at least
¥10,000); 上塘's 春训 with 2,800 members' attendance; the rubric's revision is a second version."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from gongzhi.core.registry import DemoContext, demo_steps
from gongzhi.orgs.models import Node
from gongzhi.partywork.models import Attendance, BranchRating, Budget, Expense, RatingRound, RatingScheme

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_demo_step_reproduces_the_issue_facts():
    ctx = DemoContext(rng=random.Random(2024))
    ctx.shared["residents_per_building"] = (18, 30)
    wanted = {"world", "party", "accounts", "partywork"}
    for step in demo_steps():
        if step.name in wanted:
            ctx.add(import_string(step.load)(ctx))
    assert (ctx.figures["party_branches_rated"], ctx.figures["party_branches_starred"]) == (74, 66)
    assert ctx.figures["party_branches_five_star"] == 7
    rnd = RatingRound.objects.get(node__name="望湖街道")
    ratings = BranchRating.objects.filter(round=rnd)
    assert (
        ratings.count() == 74
        and ratings.filter(stars__gte=1).count() == 66
        and ratings.filter(stars=5).count() == 7
    )
    assert ratings.filter(capped_by="condition").count() == 1  # above 90 without an innovation project
    assert not ratings.exclude(status="final").exists()
    # The round keeps version 1; the revision after it is version 2.
    assert rnd.scheme.version == 1 and rnd.scheme.frozen
    assert RatingScheme.objects.filter(node=rnd.node, year=rnd.year, version=2, frozen=False).exists()
    year = timezone.localdate().year
    budgets = Budget.objects.filter(node__path__startswith=rnd.node.path, year=year)
    assert budgets.count() == 74
    assert all(b.base >= Decimal(10000) for b in budgets.filter(node__kind="compound"))
    five = budgets.filter(stars=5)
    assert five.count() == 7
    for b in five:  # the base of its kind of branch plus the five-star amount
        assert b.total == (Decimal("18000.00") if b.node.kind == "compound" else Decimal("13000.00"))
    assert Expense.objects.filter(status="published").count() == 2
    assert Attendance.objects.filter(session__course__name="上塘街道党员春训").count() == 2800
    # 大关's three strong branches, each with a showcase entry for the months of the year so far; 望湖's terms.
    from gongzhi.partywork.models import BranchTerm, Election, ShowcaseEntry, StrongBranch

    strong = StrongBranch.objects.filter(node__path__startswith=Node.objects.get(name="大关街道").path)
    assert sorted(s.branch.name for s in strong) == [
        "九州大药房党支部",
        "德胜社区第十支部",
        "西二社区第三支部",
    ]
    assert all(s.targets.count() == 7 for s in strong)
    month = timezone.localdate().month
    assert ShowcaseEntry.objects.filter(strong__in=strong).count() == 3 * month - 1
    terms = BranchTerm.objects.filter(node__path__startswith=rnd.node.path, current=True)
    assert terms.count() == 74 and Election.objects.filter(node__path__startswith=rnd.node.path).count() == 29
    soon = timezone.localdate() + timedelta(days=90)
    assert (
        terms.filter(ends_on__lte=soon).count() == 7
        and terms.filter(ends_on__lt=timezone.localdate()).count() == 1
    )
    # No dead ends for a new user: every other subdistrict with a working committee has this year's round
    # open, with work on its reviewer's desk (three awaiting scoring, two awaiting the recheck) and a branch
    # secretary with the self-assessment to do; 望湖 has a live session on now and its branch's meetings.
    from gongzhi.accounts.models import User
    from gongzhi.partywork import selectors
    from gongzhi.partywork.models import BranchMeeting, TrainingSession

    others = RatingRound.objects.exclude(node__name="望湖街道")
    assert others.count() >= 3 and not others.exclude(status="open").exists()
    for prefix in ("daguan", "shangtang", "xiangfu"):
        desk = selectors.scoring_desk(fetched_by=User.objects.get(username=f"{prefix}-reviewer"))
        statuses = sorted(r.status for r in desk)
        assert "submitted" in statuses and set(statuses) <= {"submitted", "scored"}
        secretary = User.objects.get(username=f"{prefix}-secretary")
        assert [r.status for r in selectors.my_branch_ratings(fetched_by=secretary)] == ["draft"]
    assert ctx.figures["party_ratings_handed_in"] >= 10
    now = timezone.now()
    live = TrainingSession.objects.filter(node__name="望湖街道", mode="live", starts_at__lte=now)
    assert any(s.starts_at + timedelta(minutes=s.minutes) > now for s in live)
    secretary = User.objects.get(username="wanghu-secretary")
    assert selectors.meetings(fetched_by=secretary, year=timezone.localdate().year).count() >= 1
    assert BranchMeeting.objects.exclude(minutes="").exists()
