"""A small directory and plan in the shared two-subdistrict world: a compound doctor (a volunteer) in
小区A1a serving 社区A1, a low-cost repair service, and a plan of 街道A with tasks in 社区A1 and 社区A2."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.community import services
from gongzhi.community.models import PlanAction, PlanStep
from gongzhi.core.roles import Role
from tests.accounts.factories import UserFactory, bind


@pytest.fixture
def directory(world):
    d = SimpleNamespace()
    d.doctor_user = UserFactory(username="doctor", display_name="王医生")
    bind(d.doctor_user, Role.RESIDENT, world.cmp_a1a)
    d.doctor = services.provider_register(
        actor=world.a1_staff,
        node=world.cmp_a1a,
        kind="doctor",
        name="王医生",
        user=d.doctor_user,
        licence_no="110330100012345",
        volunteer=True,
    )
    d.doctor = services.provider_transition(
        actor=world.a1_staff, provider=d.doctor, action="list", licence_checked=True
    )
    d.advice = services.service_add(
        actor=world.a1_staff,
        provider=d.doctor,
        area=world.comm_a1,
        category="health",
        title="小区医生健康咨询",
        place="home",
        weekdays=[1, 2, 3, 4, 5, 6, 7],
    )
    d.fixer_user = UserFactory(username="fixer", display_name="陈师傅")
    bind(d.fixer_user, Role.PARTY_MEMBER, world.cmp_a1b)
    d.fixer = services.provider_register(
        actor=world.a1_staff, node=world.cmp_a1b, kind="party_member", name="陈师傅", user=d.fixer_user
    )
    d.fixer = services.provider_transition(actor=world.a1_staff, provider=d.fixer, action="list")
    d.repair = services.service_add(
        actor=world.a1_staff,
        provider=d.fixer,
        area=world.comm_a1,
        category="repair",
        title="家电小修",
        place="home",
        price_kind="low_cost",
        price=Decimal(10),
        weekdays=[1, 2, 3, 4, 5, 6, 7],
    )
    d.tomorrow = timezone.now() + timedelta(days=1)
    return d


@pytest.fixture
def order(world, directory):
    return services.order_place(
        actor=world.resident,
        service=directory.advice,
        compound=world.cmp_a1a,
        wished_at=directory.tomorrow,
        address="1幢101",
        for_whom="母亲",
    )


@pytest.fixture
def plan(world):
    year = timezone.localdate().year
    p = SimpleNamespace()
    p.plan = services.plan_create(
        actor=world.sub_admin,
        node=world.sub_a,
        title="三年行动计划",
        start_year=year - 1,
        years=3,
        steps=["示范", "成效", "覆盖"],
        actions=["强社惠民", "党建统领基层治理"],
    )
    p.actions = list(PlanAction.objects.filter(plan=p.plan).order_by("order"))
    p.steps = list(PlanStep.objects.filter(plan=p.plan).order_by("order"))
    p.a1_task = services.task_add(
        actor=world.sub_admin,
        plan=p.plan,
        action=p.actions[0],
        node=world.comm_a1,
        title="惠民清单",
        starts_on=date(year - 1, 3, 1),
        due_on=date(year + 1, 6, 30),
        weight=1,
    )
    p.a2_task = services.task_add(
        actor=world.sub_admin,
        plan=p.plan,
        action=p.actions[0],
        node=world.comm_a2,
        title="惠民清单",
        starts_on=date(year - 1, 3, 1),
        due_on=date(year + 1, 6, 30),
        weight=3,
    )
    p.plan = services.plan_transition(actor=world.sub_admin, plan=p.plan, action="launch")
    for t in (p.a1_task, p.a2_task):
        t.plan = p.plan
    return p
