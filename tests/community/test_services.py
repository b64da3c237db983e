"""Services of the module: plans with weighted progress and bound indicators, late reminders with the clock
moved, the directory (licences, price caps) and orders (hours and points once)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from gongzhi.appeals.models import Appeal, Status
from gongzhi.community import services
from gongzhi.community.errors import CommunityError
from gongzhi.community.models import OrderStatus, PlanTask, ProviderStatus, TaskUpdate
from gongzhi.community.selectors import plan_summary, portfolio
from gongzhi.ledger.earning import earning_policy_set
from gongzhi.ledger.models import AccountKind, PointsAccount, PointsTransaction
from gongzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


# --- plans -----------------------------------------------------------------------------------------------


def test_progress_is_the_weighted_mean_of_the_tasks(world, plan):
    services.task_update(actor=world.a1_secretary, task=plan.a1_task, progress=100, evidence="清单已公示")
    services.task_update(actor=world.a2_staff, task=plan.a2_task, progress=20, evidence="已启动")
    summary = plan_summary(fetched_by=world.sub_admin, plan=plan.plan)
    # (1 × 100 + 3 × 20) / 4
    assert summary.progress == 40.0
    assert [u.evidence for u in TaskUpdate.objects.order_by("id")] == ["清单已公示", "已启动"]


def test_a_bound_indicator_moves_by_itself_and_weighs_in(world, plan, monkeypatch):
    year = timezone.localdate().year
    bound = services.task_add(
        actor=world.sub_admin,
        plan=plan.plan,
        action=plan.actions[1],
        node=world.comm_a1,
        title="诉求就地化解",
        starts_on=date(year - 1, 1, 1),
        due_on=date(year + 1, 12, 31),
        weight=2,
        kpi_app="appeals",
        kpi_figure="resolved",
        indicator="诉求解决件数",
        baseline=0,
        target=4,
    )
    for n in range(3):
        Appeal.objects.create(
            node=world.cmp_a1a,
            handling_node=world.cmp_a1a,
            title=f"路灯坏了{n}",
            status=Status.RESOLVED if n < 3 else Status.SUBMITTED,
            resolved_at=timezone.now(),
        )
    assert services.plan_indicators_refresh(plan=plan.plan) == 1
    bound.refresh_from_db()
    assert (bound.measured, bound.progress) == (3.0, 75)
    # The owner cannot type over a figure that moves by itself.
    with pytest.raises(CommunityError) as refused:
        services.task_update(actor=world.a1_secretary, task=bound, progress=100, evidence="x")
    assert refused.value.code == "bound"
    # (1 × 0 + 3 × 0 + 2 × 75) / 6
    assert plan_summary(fetched_by=world.sub_admin, plan=plan.plan).progress == 25.0
    # A second refresh with nothing new changes nothing and writes no update.
    before = TaskUpdate.objects.count()
    assert services.plan_indicators_refresh(plan=plan.plan) == 0
    assert TaskUpdate.objects.count() == before


def test_indicator_progress_is_clamped_and_works_downwards():
    assert services.indicator_progress(baseline=0, target=10, measured=25) == 100
    assert services.indicator_progress(baseline=0, target=10, measured=-3) == 0
    # A figure to bring down (e.g. appeals escalated to the subdistrict): from 20 towards 5.
    assert services.indicator_progress(baseline=20, target=5, measured=11) == 60


def test_late_tasks_are_reminded_once_a_week_with_the_clock_moved(world, plan):
    due = plan.a1_task.due_on
    PlanTask.objects.filter(pk=plan.a2_task.pk).update(progress=100)
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(due, timezone.datetime.min.time())), tick=False
    ):
        assert services.late_tasks_remind().tasks == 0  # due today is not late
    with time_machine.travel(due + timedelta(days=1), tick=False):
        sent = services.late_tasks_remind()
        assert (sent.tasks, sent.people) == (1, 1)  # 社区A1's secretary; 社区A2's task is finished
        assert services.late_tasks_remind().tasks == 0  # not twice the same day
    late = Notification.objects.filter(kind="plan_task_late")
    assert [n.recipient for n in late] == [world.a1_secretary]
    assert "惠民清单" in late.get().title
    with time_machine.travel(due + timedelta(days=5), tick=False):
        assert services.late_tasks_remind().tasks == 0  # within the week
    with time_machine.travel(due + timedelta(days=9), tick=False):
        assert services.late_tasks_remind().tasks == 1  # a week on, again
    # Once finished it is not late any more.
    services.task_update(actor=world.a1_secretary, task=plan.a1_task, progress=100, evidence="完成")
    with time_machine.travel(due + timedelta(days=30), tick=False):
        assert services.late_tasks_remind().tasks == 0


def test_only_the_owner_updates_a_task_and_bad_input_changes_nothing(world, plan):
    for outsider in (world.a2_staff, world.resident, world.viewer, world.sub_b_admin):
        with pytest.raises(CommunityError) as refused:
            services.task_update(actor=outsider, task=plan.a1_task, progress=50, evidence="x")
        assert refused.value.status == 403
    for progress, evidence in ((101, "x"), (-1, "x"), (50, ""), (50, "x" * 501), (True, "x")):
        with pytest.raises(CommunityError) as refused:
            services.task_update(
                actor=world.a1_secretary, task=plan.a1_task, progress=progress, evidence=evidence
            )
        assert refused.value.status == 422
    plan.a1_task.refresh_from_db()
    assert plan.a1_task.progress == 0 and not TaskUpdate.objects.exists()


def test_a_closed_plan_takes_no_progress(world, plan):
    services.plan_transition(actor=world.sub_admin, plan=plan.plan, action="close")
    plan.a1_task.plan.refresh_from_db()
    with pytest.raises(CommunityError) as refused:
        services.task_update(actor=world.a1_secretary, task=plan.a1_task, progress=10, evidence="x")
    assert refused.value.code == "wrong_state"


def test_plan_is_made_by_managers_only_with_sound_years(world):
    with pytest.raises(CommunityError):
        services.plan_create(actor=world.a1_staff, node=world.comm_a1, title="x", start_year=2025)
    for year, years in ((1999, 3), (2099, 3), (2025, 0), (2025, 11)):
        with pytest.raises(CommunityError):
            services.plan_create(
                actor=world.a1_secretary, node=world.comm_a1, title="x", start_year=year, years=years
            )
    plan = services.plan_create(
        actor=world.a1_secretary, node=world.comm_a1, title="社区计划", start_year=2025
    )
    with pytest.raises(CommunityError) as refused:
        services.plan_transition(actor=world.a1_secretary, plan=plan, action="launch")
    assert refused.value.code == "no_tasks"


def test_task_owned_outside_the_plan_or_its_years_is_refused(world, plan):
    year = timezone.localdate().year
    common = dict(actor=world.sub_admin, plan=plan.plan, action=plan.actions[0], title="t", weight=1)
    with pytest.raises(CommunityError):
        services.task_add(**common, node=world.comm_b1, starts_on=date(year, 1, 1), due_on=date(year, 2, 1))
    with pytest.raises(CommunityError):
        services.task_add(
            **common, node=world.comm_a1, starts_on=date(year + 5, 1, 1), due_on=date(year + 5, 2, 1)
        )
    with pytest.raises(CommunityError):
        services.task_add(**common, node=world.comm_a1, starts_on=date(year, 3, 1), due_on=date(year, 2, 1))
    with pytest.raises(CommunityError):
        services.task_add(
            **common,
            node=world.comm_a1,
            starts_on=date(year, 1, 1),
            due_on=date(year, 2, 1),
            kpi_app="nonexistent",
            kpi_figure="x",
            baseline=0,
            target=1,
        )


def test_portfolio_groups_by_community_type_and_action(world, plan):
    historic = services.type_create(
        actor=world.sub_admin, subdistrict=world.sub_a, level="community", name="历史文化型"
    )
    services.node_type_set(actor=world.sub_admin, node=world.comm_a1, community_type=historic)
    services.task_update(actor=world.a1_secretary, task=plan.a1_task, progress=80, evidence="x")
    data = portfolio(fetched_by=world.sub_admin, plan=plan.plan)
    assert data["actions"] == ["强社惠民", "党建统领基层治理"]
    assert data["types"] == ["历史文化型", "未分类"]
    assert data["cells"] == [[80.0, None], [0.0, None]]


def test_types_come_from_the_subdistricts_list_and_fit_the_level(world):
    compound_type = services.type_create(
        actor=world.sub_admin, subdistrict=world.sub_a, level="compound", name="安置小区"
    )
    with pytest.raises(CommunityError):
        services.type_create(
            actor=world.sub_admin, subdistrict=world.sub_a, level="compound", name="安置小区"
        )
    with pytest.raises(CommunityError):
        services.node_type_set(actor=world.sub_admin, node=world.comm_a1, community_type=compound_type)
    with pytest.raises(CommunityError):
        services.node_type_set(actor=world.sub_b_admin, node=world.cmp_b1a, community_type=compound_type)
    with pytest.raises(CommunityError):
        services.type_create(actor=world.a1_staff, subdistrict=world.sub_a, level="compound", name="老旧小区")
    assert services.node_type_set(actor=world.a1_secretary, node=world.cmp_a1a, community_type=compound_type)


# --- the directory ---------------------------------------------------------------------------------------


def test_a_licensed_provider_is_listed_only_once_staff_checked_the_licence(world):
    with pytest.raises(CommunityError) as refused:
        services.provider_register(actor=world.a1_staff, node=world.cmp_a1a, kind="lawyer", name="赵律师")
    assert refused.value.fields == {"licence_no": [str(refused.value.message)]}
    lawyer = services.provider_register(
        actor=world.a1_staff, node=world.cmp_a1a, kind="lawyer", name="赵律师", licence_no="13301201910123456"
    )
    with pytest.raises(CommunityError) as refused:
        services.provider_transition(actor=world.a1_staff, provider=lawyer, action="list")
    assert refused.value.code == "licence_unchecked" and lawyer.status == ProviderStatus.PENDING
    with pytest.raises(CommunityError):
        services.provider_transition(
            actor=world.a2_staff, provider=lawyer, action="list", licence_checked=True
        )
    listed = services.provider_transition(
        actor=world.a1_staff, provider=lawyer, action="list", licence_checked=True
    )
    assert listed.status == ProviderStatus.LISTED and listed.licence_checked_by == world.a1_staff


def test_a_low_cost_price_above_the_cap_is_refused(world, directory):
    services.price_cap_set(actor=world.sub_admin, subdistrict=world.sub_a, cap=Decimal(20))
    with pytest.raises(CommunityError) as refused:
        services.service_add(
            actor=world.a1_staff,
            provider=directory.fixer,
            area=world.comm_a1,
            category="repair",
            title="换锁",
            place="home",
            price_kind="low_cost",
            price=Decimal("20.01"),
        )
    assert refused.value.code == "above_cap"
    with pytest.raises(CommunityError):
        services.price_cap_set(actor=world.a1_secretary, subdistrict=world.sub_a, cap=Decimal(50))
    # At the cap is fine; and the price paid is held to the cap too.
    services.service_add(
        actor=world.a1_staff,
        provider=directory.fixer,
        area=world.comm_a1,
        category="repair",
        title="换锁",
        place="home",
        price_kind="low_cost",
        price=Decimal(20),
    )
    order = services.order_place(
        actor=world.resident,
        service=directory.repair,
        compound=world.cmp_a1a,
        wished_at=directory.tomorrow,
        address="1幢",
    )
    order = services.order_transition(actor=directory.fixer_user, order=order, action="accept")
    with pytest.raises(CommunityError) as refused:
        services.order_transition(actor=directory.fixer_user, order=order, action="done", price_paid="25")
    assert refused.value.code == "above_cap" and order.status == OrderStatus.ACCEPTED
    order = services.order_transition(actor=directory.fixer_user, order=order, action="done", price_paid="10")
    assert order.price_paid == Decimal(10) and order.hours is None


# --- orders ----------------------------------------------------------------------------------------------


def _points_of(user, subdistrict):
    account = PointsAccount.objects.filter(kind=AccountKind.PERSON, user=user, node=subdistrict).first()
    return account.balance if account else 0


def test_the_whole_order_credits_hours_and_points_once(world, directory, order):
    doctor = directory.doctor_user
    assert Notification.objects.filter(recipient=doctor, kind="service_order_new").count() == 1
    order = services.order_transition(actor=doctor, order=order, action="accept", note="下午到")
    order = services.order_transition(actor=doctor, order=order, action="done", hours="1.5")
    assert _points_of(doctor, world.sub_a) == 0  # paid when the resident confirms
    order = services.order_transition(
        actor=world.resident, order=order, action="confirm", rating=5, note="很耐心"
    )
    assert (order.status, order.rating, order.hours) == (OrderStatus.CONFIRMED, 5, Decimal("1.50"))
    assert order.points == 15 and _points_of(doctor, world.sub_a) == 15  # 10 an hour by default
    # A second confirmation is refused and pays nothing more.
    with pytest.raises(CommunityError) as refused:
        services.order_transition(actor=world.resident, order=order, action="confirm", rating=4)
    assert refused.value.code == "wrong_state"
    assert _points_of(doctor, world.sub_a) == 15
    assert PointsTransaction.objects.filter(key=f"service-order:{order.pk}").count() == 1


def test_a_party_member_volunteer_earns_by_the_multiplier(world, directory):
    earning_policy_set(
        actor=world.sub_admin, subdistrict=world.sub_a, points_per_hour=10, multipliers={"party_member": 1.5}
    )
    directory.fixer.volunteer = True
    directory.fixer.save()
    free = services.service_add(
        actor=world.a1_staff,
        provider=directory.fixer,
        area=world.comm_a1,
        category="care",
        title="代买菜",
        place="home",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
    )
    order = services.order_place(
        actor=world.resident,
        service=free,
        compound=world.cmp_a1a,
        wished_at=directory.tomorrow,
        address="1幢",
    )
    for actor, action, extra in [
        (directory.fixer_user, "accept", {}),
        (directory.fixer_user, "done", {"hours": 2}),
        (world.resident, "confirm", {"rating": 4}),
    ]:
        order = services.order_transition(actor=actor, order=order, action=action, **extra)
    assert order.points == 30  # 2 h × 10 × 1.5, the subdistrict's rule for a party member


def test_a_proposed_time_needs_the_residents_agreement(world, directory, order):
    doctor = directory.doctor_user
    later = timezone.now() + timedelta(days=3)
    with pytest.raises(CommunityError):
        services.order_transition(actor=doctor, order=order, action="propose")
    for bad in (timezone.now() - timedelta(hours=1), timezone.now() + timedelta(days=120)):
        with pytest.raises(CommunityError):
            services.order_transition(actor=doctor, order=order, action="propose", when=bad)
    order = services.order_transition(actor=doctor, order=order, action="propose", when=later)
    with pytest.raises(CommunityError):
        services.order_transition(actor=doctor, order=order, action="agree")
    order = services.order_transition(actor=world.resident, order=order, action="agree")
    assert order.status == OrderStatus.ACCEPTED and order.agreed_at == later


def test_ordering_checks_the_place_the_time_and_the_service(world, directory):
    common = dict(service=directory.advice, address="1幢")
    # Someone from the neighbouring community: the service does not reach them.
    neighbour = world.a2_staff
    with pytest.raises(CommunityError):
        services.order_place(actor=neighbour, compound=world.cmp_a2a, wished_at=directory.tomorrow, **common)
    with pytest.raises(CommunityError):
        services.order_place(
            actor=world.viewer, compound=world.cmp_a1a, wished_at=directory.tomorrow, **common
        )
    for when in (
        timezone.now() - timedelta(minutes=1),
        timezone.now() + timedelta(days=61),
        None,
        "tomorrow",
    ):
        with pytest.raises(CommunityError) as refused:
            services.order_place(actor=world.resident, compound=world.cmp_a1a, wished_at=when, **common)
        assert refused.value.fields.get("wished_at")
    with pytest.raises(CommunityError) as refused:
        services.order_place(
            actor=world.resident,
            service=directory.advice,
            compound=world.cmp_a1a,
            wished_at=directory.tomorrow,
        )
    assert "address" in refused.value.fields  # at home: say where
    with pytest.raises(CommunityError):
        services.order_place(
            actor=directory.doctor_user, compound=world.cmp_a1a, wished_at=directory.tomorrow, **common
        )
    services.provider_transition(
        actor=world.a1_staff, provider=directory.doctor, action="suspend", note="暂停"
    )
    directory.advice.provider.refresh_from_db()
    with pytest.raises(CommunityError) as refused:
        services.order_place(
            actor=world.resident, compound=world.cmp_a1a, wished_at=directory.tomorrow, **common
        )
    assert refused.value.code == "not_orderable"
