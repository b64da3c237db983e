"""The three lists, matching into projects, claims (compare-and-set; a double claim refused), milestones,
residents' rating, and donations — with the negative cases."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from gongzhi.alliances import services
from gongzhi.alliances.donations import donation_balance, donations_reconcile
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.matching import match_propose
from gongzhi.alliances.models import (
    ListStatus,
    Match,
    MatchStatus,
    Need,
    Project,
    ProjectEvent,
    ProjectStatus,
    Resource,
)
from gongzhi.core.roles import Role
from tests.accounts.factories import UserFactory
from tests.conftest import bind

pytestmark = pytest.mark.django_db


def _accept(world, clinic):
    [(resource, cand), *_] = services.need_candidates(fetched_by=world.a1_staff, need=clinic.need)
    assert resource == clinic.resource and cand.feasible
    match = match_propose(actor=world.a1_staff, need=clinic.need, resource=resource)
    return services.match_accept(actor=world.a1_staff, match=match)


def test_a_need_becomes_a_project_that_a_unit_claims_works_and_residents_rate(world, al, clinic):
    project = _accept(world, clinic)
    assert project.status == ProjectStatus.OPEN and project.need == clinic.need
    assert Need.objects.get(pk=clinic.need.pk).status == ListStatus.MATCHED
    assert Resource.objects.get(pk=clinic.resource.pk).used == 40
    project = services.project_transition(
        actor=al.hospital_user, project=project, action="claim", unit=al.hospital
    )
    assert project.status == ProjectStatus.CLAIMED
    project = services.project_transition(actor=al.hospital_user, project=project, action="start")
    with pytest.raises(AllianceError) as early:
        services.project_transition(actor=al.hospital_user, project=project, action="finish")
    assert early.value.code == "milestones_open"
    weights = []
    for m in project.milestones.all():
        project = services.milestone_done(actor=al.hospital_user, milestone=m)
        weights.append(project.progress)
    assert weights == [25, 75, 100]  # weights 1, 2, 1
    project = services.project_transition(actor=al.hospital_user, project=project, action="finish")
    assert project.status == ProjectStatus.DONE
    rating = services.project_rate(actor=world.resident, project=project, rating="satisfied", comment="很好")
    assert rating.rating == "satisfied"
    with pytest.raises(AllianceError) as twice:
        services.project_rate(actor=world.resident, project=project, rating="satisfied")
    assert twice.value.code == "already_rated"
    project = services.project_transition(
        actor=world.a1_staff, project=project, action="evaluate", note="按期完成"
    )
    assert project.status == ProjectStatus.EVALUATED
    assert [e.action for e in ProjectEvent.objects.filter(project=project)] == [
        "create",
        "publish",
        "claim",
        "start",
        "milestone",
        "milestone",
        "milestone",
        "finish",
        "evaluate",
    ]


def test_a_second_claim_of_a_single_unit_project_is_refused(world, al, clinic):
    project = _accept(world, clinic)
    stale = Project.objects.get(pk=project.pk)  # a second request that read the project before the claim
    services.project_transition(actor=al.hospital_user, project=project, action="claim", unit=al.hospital)
    with pytest.raises(AllianceError) as second:
        services.project_transition(actor=al.bank_user, project=stale, action="claim", unit=al.bank)
    assert second.value.code == "already_claimed" and second.value.status == 409
    fresh = Project.objects.get(pk=project.pk)
    with pytest.raises(AllianceError) as again:
        services.project_transition(actor=al.bank_user, project=fresh, action="claim", unit=al.bank)
    assert again.value.code == "already_claimed"
    assert list(fresh.units.values_list("unit__name", flat=True)) == ["某中医医院"]


def test_a_two_slot_project_takes_two_units_then_closes(world, al):
    project = services.project_create(
        actor=world.sub_admin, node=world.comm_a1, name="楼道微改造", slots=2, publish=True
    )
    project = services.project_transition(actor=al.bank_user, project=project, action="claim", unit=al.bank)
    assert project.status == ProjectStatus.OPEN
    project = services.project_transition(
        actor=al.hospital_user, project=project, action="claim", unit=al.hospital
    )
    assert project.status == ProjectStatus.CLAIMED
    assert [pu.role for pu in project.units.all()] == ["lead", "partner"]


def test_claims_only_for_your_own_unit_and_subdistrict(world, al, clinic):
    project = _accept(world, clinic)
    with pytest.raises(AllianceError) as other_unit:
        services.project_transition(actor=al.bank_user, project=project, action="claim", unit=al.hospital)
    assert other_unit.value.status == 403
    with pytest.raises(AllianceError) as far:
        services.project_transition(actor=al.far_user, project=project, action="claim", unit=al.far_unit)
    assert far.value.status == 403
    with pytest.raises(AllianceError) as resident:
        services.project_transition(actor=world.resident, project=project, action="claim", unit=al.bank)
    assert resident.value.status == 403


def test_accepting_twice_or_beyond_capacity_changes_nothing(world, al, clinic):
    match = match_propose(actor=world.a1_staff, need=clinic.need, resource=clinic.resource)
    services.match_accept(actor=world.a1_staff, match=match)
    with pytest.raises(AllianceError) as twice:
        services.match_accept(actor=world.a1_staff, match=Match.objects.get(pk=match.pk))
    assert twice.value.status == 409
    big = services.need_post(
        actor=world.commissioner,
        node=world.cmp_a1a,
        category="health",
        title="大型义诊",
        quantity_kind="places",
        quantity=61,
        urgency=2,
    )
    over = match_propose(actor=world.a1_staff, need=big, resource=clinic.resource)
    with pytest.raises(AllianceError) as full:
        services.match_accept(actor=world.a1_staff, match=over)
    assert full.value.code == "no_capacity"
    assert Resource.objects.get(pk=clinic.resource.pk).used == 40
    assert Need.objects.get(pk=big.pk).status == ListStatus.OPEN
    assert Match.objects.get(pk=over.pk).status == MatchStatus.PROPOSED


def test_a_round_proposes_the_optimum_and_records_greedy(world, al, clinic):
    rnd = services.round_propose(actor=world.sub_admin, subdistrict=world.sub_a)
    assert (rnd.needs, rnd.resources) == (1, 1)
    assert rnd.optimum == rnd.greedy == 3
    assert list(rnd.matches.values_list("need_id", "resource_id")) == [(clinic.need.pk, clinic.resource.pk)]
    with pytest.raises(AllianceError):
        services.round_propose(
            actor=world.a1_staff, subdistrict=world.sub_a
        )  # community staff: not the subdistrict's
    with pytest.raises(AllianceError):
        services.round_propose(actor=world.sub_admin, subdistrict=world.comm_a1)


def test_bad_input_is_refused_and_writes_nothing(world, al):
    before = Resource.objects.count()
    for bad in (
        dict(capacity=0),
        dict(capacity=10**12),
        dict(category="nope"),
        dict(title=""),
        dict(radius_km=1000),
        dict(available_from=date(2026, 5, 2), available_until=date(2026, 5, 1)),
        dict(available_from=date(1, 1, 1)),
    ):
        kwargs = (
            dict(unit=al.bank, category="funds", title="助学金", capacity_kind="money", capacity=1000) | bad
        )
        with pytest.raises(AllianceError) as error:
            services.resource_post(actor=al.bank_user, **kwargs)
        assert error.value.status == 422, bad
    with pytest.raises(AllianceError) as not_mine:
        services.resource_post(
            actor=al.bank_user,
            unit=al.hospital,
            category="funds",
            title="x",
            capacity_kind="money",
            capacity=1,
        )
    assert not_mine.value.status == 403
    assert Resource.objects.count() == before
    with pytest.raises(AllianceError) as unit_posts_need:
        services.need_post(
            actor=al.bank_user,
            node=world.cmp_a1a,
            category="health",
            title="x",
            quantity_kind="hours",
            quantity=1,
        )
    assert unit_posts_need.value.status == 403


def test_an_appeal_becomes_a_need_once(world, al):
    from gongzhi.appeals.services import appeal_submit

    appeal, _created = appeal_submit(
        actor=world.resident,
        node=world.cmp_a1a,
        title="楼道灯坏了",
        body="三单元楼道灯不亮，老人晚上看不见。",
    )
    need = services.need_from_appeal(
        actor=world.commissioner, appeal=appeal, category="repair", quantity_kind="hours", quantity=4
    )
    assert (need.appeal, need.node, need.title, need.source) == (
        appeal,
        world.cmp_a1a,
        "楼道灯坏了",
        "appeal",
    )
    with pytest.raises(AllianceError) as twice:
        services.need_from_appeal(
            actor=world.commissioner, appeal=appeal, category="repair", quantity_kind="hours", quantity=4
        )
    assert twice.value.code == "already_a_need"


def test_rating_only_by_residents_near_and_in_time(world, al, clinic):
    project = services.project_create(
        actor=world.a1_staff, node=world.cmp_a1a, name="义诊", units=[(al.hospital, "lead")], publish=True
    )
    with pytest.raises(AllianceError) as not_done:
        services.project_rate(actor=world.resident, project=project, rating="satisfied")
    assert not_done.value.status == 409
    project = services.project_transition(actor=world.a1_staff, project=project, action="close_claims")
    project = services.project_transition(actor=world.a1_staff, project=project, action="start")
    for m in project.milestones.all():
        services.milestone_done(actor=world.a1_staff, milestone=m)
    project = services.project_transition(
        actor=world.a1_staff, project=Project.objects.get(pk=project.pk), action="finish"
    )
    far = UserFactory()
    bind(far, Role.RESIDENT, world.cmp_a2a)
    for stranger in (far, world.a1_staff, al.hospital_user):
        with pytest.raises(AllianceError) as refused:
            services.project_rate(actor=stranger, project=project, rating="satisfied")
        assert refused.value.status == 403
    with pytest.raises(AllianceError) as bad:
        services.project_rate(actor=world.resident, project=project, rating="great")
    assert bad.value.status == 422
    with time_machine.travel(timezone.now() + timedelta(days=30)), pytest.raises(AllianceError) as late:
        services.project_rate(actor=world.resident, project=project, rating="satisfied")
    assert late.value.code == "rating_closed"


def test_donations_are_double_entry_and_a_public_drive_names_a_charity(world, al):
    kwargs = dict(
        actor=world.sub_admin,
        node=world.sub_a,
        title="爱心募捐",
        kind="cash",
        goal=100000,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 1, 31),
        receiver="街道A党工委",
    )
    with pytest.raises(AllianceError) as no_charity:
        services.drive_create(**kwargs, public=True, charity_code="")
    assert no_charity.value.fields == {"charity_code": [no_charity.value.message]}
    drive = services.drive_create(**kwargs)
    p1 = services.pledge_make(actor=al.bank_user, drive=drive, unit=al.bank, amount=30000)
    p2 = services.pledge_make(actor=world.sub_admin, drive=drive, unit=al.hospital, amount=20000)
    assert donation_balance(f"drive:{drive.pk}") == 0  # a pledge is not yet in the record
    services.pledge_receive(actor=world.sub_admin, pledge=p1)
    services.pledge_receive(actor=world.sub_admin, pledge=p2)
    with pytest.raises(AllianceError):
        services.pledge_receive(actor=world.sub_admin, pledge=p1)  # received once only
    with pytest.raises(AllianceError) as unit_confirms:
        services.pledge_receive(actor=al.bank_user, pledge=p1)
    assert unit_confirms.value.status == 403
    assert donation_balance(f"drive:{drive.pk}") == 50000
    assert donation_balance(f"unit:{al.bank.pk}") == -30000
    assert donations_reconcile()
    with pytest.raises(AllianceError):
        services.pledge_make(actor=al.bank_user, drive=drive, unit=al.bank, amount=0)
