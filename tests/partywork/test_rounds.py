"""The rating round: self-assessment with evidence → scoring → recheck → public notice with objections →
final stars → budgets; an appeal once; versioned schemes; every step audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from gongzhi.core.models import AuditEvent
from gongzhi.partywork import selectors, services
from gongzhi.partywork.errors import PartyError
from gongzhi.partywork.models import Budget, RatingEvent, RatingLine, RatingScheme, RatingStatus
from tests.partywork.conftest import photo, rating_of, score, self_assess_and_submit


def test_a_round_from_self_assessment_to_final_stars_and_budget(pw, rnd):
    # Given: a round over the subdistrict's branches (A1a and A2a), each with the scheme's three items.
    assert rnd.ratings.count() == 2 and rnd.scheme.frozen is False  # the copy in hand; the row is frozen
    assert RatingScheme.objects.get(pk=pw.scheme.pk).frozen
    rating = rating_of(rnd, pw.branch)
    assert rating.lines.count() == 3
    measured = rating.lines.get(item__source="volunteer_hours")
    assert measured.measured == Decimal("0.00") and "志愿" in measured.measured_source
    # When: the secretary assesses with evidence and hands in; a reviewer scores; the committee rechecks.
    line = rating.lines.order_by("item__order").first()
    services.rating_self_assess(actor=pw.secretary, rating=rating, points={}, files={line.pk: photo()})
    assert RatingLine.objects.get(pk=line.pk).evidence_file.name.startswith("partywork/evidence/")
    rating = self_assess_and_submit(pw, rating)
    rating = score(pw, rating, points=(45, 40, 0), peer="100")
    assert (rating.item_score, rating.total) == (Decimal("85.00"), Decimal("89.50"))  # 85×0.7 + 100×0.3
    rating = services.rating_transition(actor=pw.committee, rating=rating, action="recheck")
    other = rating_of(rnd, pw.world.branch_a2a)
    other.status = RatingStatus.RECHECKED
    other.total = Decimal("40")
    other.save()
    # Then: the notice computes the stars; after the notice period the stars are final and set the budgets.
    rnd = services.round_notice(actor=pw.committee, rnd=rnd)
    rating.refresh_from_db()
    assert (rating.status, rating.stars) == ("notice", 4)
    with pytest.raises(PartyError) as early:
        services.round_finalise(actor=pw.committee, rnd=rnd)
    assert early.value.code == "notice_running"
    objection = services.objection_raise(actor=pw.member, rating=rating, text="志愿时长统计有误")
    later = timezone.now() + timedelta(days=6)
    with pytest.raises(PartyError) as open_objection:
        services.round_finalise(actor=pw.committee, rnd=rnd, now=later)
    assert open_objection.value.code == "objections_open"
    services.objection_answer(
        actor=pw.committee, objection=objection, answer="已核实，数据来自志愿服务模块。"
    )
    rnd = services.round_finalise(actor=pw.committee, rnd=rnd, now=later)
    rating.refresh_from_db()
    assert rnd.status == "closed" and rating.status == "final" and rating.stars == 4
    budget = Budget.objects.get(branch=pw.branch, year=2026)
    assert (budget.base, budget.star_amount, budget.total) == (
        Decimal("10000"),
        Decimal("5000"),
        Decimal("15000"),
    )
    assert Budget.objects.get(branch=pw.world.branch_a2a, year=2026).star_amount == 0
    # Every step is on the rating's history and in the audit log.
    assert [e.action for e in RatingEvent.objects.filter(rating=rating)] == [
        "submit",
        "score",
        "recheck",
        "notice",
        "finalise",
    ]
    assert AuditEvent.objects.filter(action__startswith="branchrating.").count() >= 5
    board = selectors.board(fetched_by=pw.committee, rnd=rnd)
    assert (board.rated, board.starred, board.five, board.none) == (2, 1, 0, 1)


def test_a_branch_appeals_once_and_the_committee_decides(pw, rnd):
    rating = rating_of(rnd, pw.branch)
    rating.status, rating.stars, rating.scored_by = RatingStatus.FINAL, 3, pw.reviewer
    rating.save()
    rating = services.rating_transition(
        actor=pw.secretary, rating=rating, action="appeal", note="服务时长漏计"
    )
    assert rating.status == "appealed" and rating.appealed
    with pytest.raises(PartyError) as forbidden:
        services.rating_decide_appeal(
            actor=pw.reviewer, rating=rating, note="维持", stars=4
        )  # not the committee
    assert forbidden.value.status == 403
    rating = services.rating_decide_appeal(actor=pw.committee, rating=rating, note="补计后改为四星", stars=4)
    assert (rating.status, rating.stars) == ("final", 4)
    assert Budget.objects.get(branch=pw.branch, year=2026).stars == 4
    with pytest.raises(PartyError) as again:
        services.rating_transition(actor=pw.secretary, rating=rating, action="appeal", note="再申诉")
    assert again.value.status == 403  # only once


def test_the_notice_waits_for_every_branch(pw, rnd):
    with pytest.raises(PartyError) as waiting:
        services.round_notice(actor=pw.committee, rnd=rnd)
    assert waiting.value.code == "not_rechecked"
    assert not rnd.ratings.exclude(status="draft").exists()


def test_a_scheme_revision_is_a_new_version_and_the_round_keeps_its_own(pw, rnd):
    revised = services.scheme_revise(
        actor=pw.committee, scheme=pw.scheme, item_weight=Decimal(60), peer_weight=Decimal(40)
    )
    assert (revised.version, revised.item_weight, revised.items.count()) == (2, 60, 3)
    rnd.refresh_from_db()
    assert rnd.scheme_id == pw.scheme.pk and rnd.scheme.item_weight == 70
    with pytest.raises(PartyError) as twice:
        services.round_open(actor=pw.committee, scheme=revised)
    assert twice.value.code == "round_exists"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"item_weight": Decimal(70), "peer_weight": Decimal(20)}, "item_weight"),
        ({"bands": [90, 80, 80, 60, 50]}, "bands"),
        ({"bands": [90, 80, 70, 60]}, "bands"),
        ({"bands": ["NaN", 80, 70, 60, 50]}, "bands"),
        ({"five_star_quota": Decimal(101)}, "five_star_quota"),
        ({"items": []}, "items"),
        ({"items": [{"dimension": "x", "name": "y", "max_points": "1e999"}]}, "items"),
        ({"items": [{"dimension": "x", "name": "y", "max_points": 5, "source": "nowhere"}]}, "items"),
    ],
)
def test_bad_schemes_are_refused_and_nothing_is_written(pw, changes, field):
    before = RatingScheme.objects.count()
    with pytest.raises(PartyError) as bad:
        services.scheme_revise(actor=pw.committee, scheme=pw.scheme, **changes)
    assert field in bad.value.fields and RatingScheme.objects.count() == before


def test_only_the_committee_defines_schemes_and_opens_rounds(pw):
    for actor in (pw.reviewer, pw.secretary, pw.world.sub_b_admin, pw.world.viewer):
        with pytest.raises(PartyError) as refused:
            services.scheme_revise(actor=actor, scheme=pw.scheme)
        assert refused.value.status == 403
        with pytest.raises(PartyError):
            services.round_open(actor=actor, scheme=pw.scheme)


def test_self_assessment_refuses_points_beyond_the_item_and_keeps_nothing(pw, rnd):
    rating = rating_of(rnd, pw.branch)
    line = rating.lines.order_by("item__order").first()
    for bad in ("51", "-1", "1e5", "²", "12.345", "NaN"):
        with pytest.raises(PartyError):
            services.rating_self_assess(actor=pw.secretary, rating=rating, points={line.pk: bad})
    assert RatingLine.objects.get(pk=line.pk).self_points is None


def test_a_missing_item_blocks_handing_in(pw, rnd):
    rating = rating_of(rnd, pw.branch)
    with pytest.raises(PartyError) as missing:
        services.rating_transition(actor=pw.secretary, rating=rating, action="submit")
    assert missing.value.code == "invalid" and "班子健全" in str(missing.value.message)


def test_notice_period_ends_with_the_clock(pw, rnd):
    rating = rating_of(rnd, pw.branch)
    for r in rnd.ratings.all():
        r.status, r.total = RatingStatus.RECHECKED, Decimal(95)
        r.save()
    rnd = services.round_notice(actor=pw.committee, rnd=rnd)
    rating.refresh_from_db()
    assert rating.stars == 4 and rating.capped_by == "condition"  # no innovation project
    with time_machine.travel(rnd.notice_until + timedelta(minutes=1)):
        rnd = services.round_finalise(actor=pw.committee, rnd=rnd)
    assert rnd.status == "closed"
